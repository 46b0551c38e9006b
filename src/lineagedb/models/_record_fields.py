"""Features whose values live in a record's own fields: ``ln.Feature(..., values_through="description")``.

Writing such a feature (``set_values``, ``add_values``, ``update_values``, ``features=`` of the constructor) sets
the field; reading (``get_values``, the sheet of a record type) reports the field's value under the feature's
name for the features of the record type's schema. ``Record._values_through_fields`` lists the fields a feature
may map to, with the dtype each needs (checked when the feature is defined, see ``_feature_args``).

>>> note = ln.Feature(name="note", dtype=str, values_through="description").save()  # doctest: +SKIP
>>> record.features.set_values({"note": "kept in description"}); record.description  # doctest: +SKIP
'kept in description'
"""

from __future__ import annotations

from typing import Any


def field_of(feature: Any) -> str | None:
    """The record field ``feature`` maps to, or None (a plain feature, or one related to another feature)."""
    spec = getattr(feature, "values_through", None)
    return spec if spec and not spec.startswith("feature:") else None


def split_mapped(values: dict[Any, Any]) -> tuple[list[tuple[Any, str, Any]], dict[Any, Any]]:
    """``values`` -> ([(feature, field, value)] for field-mapped features, the other items)."""
    from .feature import Feature
    from .record import Record

    names = [k for k in values if isinstance(k, str)]
    by_name: dict[str, Any] = {}
    if names:
        for f in Feature.objects.filter(name__in=names, values_through__in=list(Record._values_through_fields)):
            by_name.setdefault(f.name, f)
    mapped, rest = [], {}
    for key, value in values.items():
        feature = key if isinstance(key, Feature) else by_name.get(key)
        field = field_of(feature)
        if field is None:
            rest[key] = value
        else:
            mapped.append((feature, field, value))
    return mapped, rest


def assign(record: Any, mapped: list[tuple[Any, str, Any]]) -> list[str]:
    """Set the fields of ``record`` for ``mapped`` (validated against each feature's dtype); the changed fields."""
    from ._dtypes import check_value, is_categorical

    changed = []
    for feature, field, value in mapped:
        if value is not None and not is_categorical(feature.dtype):
            value = check_value(feature.dtype, value, coerce=feature.coerce_dtype, feature=feature.name)
        setattr(record, field, value)
        changed.append(field)
    return changed


def write(record: Any, mapped: list[tuple[Any, str, Any]]) -> None:
    """Set and save the mapped fields of a saved record."""
    changed = assign(record, mapped)
    if changed:
        record.save(update_fields=sorted(set(changed)))


def schema_mapped(schema: Any) -> list[tuple[Any, str]]:
    """(feature, field) of the field-mapped features of ``schema`` (none for None)."""
    if schema is None:
        return []
    return [(f, field) for f, _ in schema.feature_links() if (field := field_of(f)) is not None]


def read(record: Any) -> dict[str, Any]:
    """{feature name: value} for the features of the record type's schema whose values are not stored as its
    feature values: field-mapped ones (unset fields left out) and related ones (see :func:`related_values`)."""
    record_type = record.type if getattr(record, "type_id", None) is not None else None
    schema = record_type.schema if record_type is not None and record_type.schema_id is not None else None
    out = {}
    for feature, field in schema_mapped(schema):
        current = getattr(record, field, None)
        if current is not None:
            out[feature.name] = current
    if record.pk is not None and record.name:
        out.update(related_values(schema, [(record.pk, record.name)]).get(record.pk, {}))
    return out


def related_values(schema: Any, rows: list[tuple[int, str]], wanted: list[str] | None = None) -> dict[int, dict[str, list]]:
    """Values of the schema's related features (``values_through=source_feature``): for each record (id, name), the
    names of the records whose ``source_feature`` value is this record. One query per related feature.

    >>> books = ln.Feature(name="books", dtype=list[ln.Record], values_through=author).save()  # doctest: +SKIP
    >>> author_a.features["books"]  # the records whose "author" is author_a  # doctest: +SKIP
    ['book 1', 'book 2']
    """
    from django.apps import apps

    from ._features import value_hash
    from ._trash import MAIN
    from .feature import Feature

    out: dict[int, dict[str, list]] = {}
    if schema is None or not rows:
        return out
    related = [(f, spec[len("feature:"):]) for f, _ in schema.feature_links()
               if (spec := f.values_through or "").startswith("feature:") and (wanted is None or f.name in wanted)]
    if not related:
        return out
    link = apps.get_model("lineagedb", "RecordFeatureValue")
    by_hash: dict[str, list[int]] = {}
    for rid, name in rows:
        if name:
            by_hash.setdefault(value_hash(name), []).append(rid)
    sources = {f.uid: f.id for f in Feature.objects.filter(uid__in=[uid for _, uid in related])}
    for feature, source_uid in related:
        if source_uid not in sources:
            continue
        found = link.objects.filter(featurevalue__feature_id=sources[source_uid], featurevalue__hash__in=list(by_hash),
                                    record__branch=MAIN)
        for value_hash_, name in found.order_by("record_id").values_list("featurevalue__hash", "record__name"):
            for rid in by_hash.get(value_hash_, []):
                out.setdefault(rid, {}).setdefault(feature.name, []).append(name)
    return out
