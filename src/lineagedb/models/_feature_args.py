"""What ``ln.Feature(...)`` accepts: keyword checks, ``coerce=``, ``cat_filters=``, ``values_through=``.

>>> ln.Feature(name="disease", dtype=bt.Disease, cat_filters={"source__uid": "4a3ejKuf"}).dtype  # doctest: +SKIP
"cat[bio.Disease[source__uid='4a3ejKuf']]"
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from .. import errors
from ._base import column_keywords

if TYPE_CHECKING:
    from ._base import BaseRecord

# keywords the constructor takes besides the model's own fields
EXTRA_KWARGS = ("coerce", "cat_filters", "values_through")


def normalize_kwargs(model: type[BaseRecord], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The model fields for ``Feature(**kwargs)``: dtype canonical, filters folded in, unknown keys refused."""
    from ._dtype_cat import CatTerm, format_cat, parse_cat
    from ._dtypes import parse_dtype

    kwargs = dict(kwargs)
    fields = column_keywords(model)
    unknown = sorted(set(kwargs) - fields - set(EXTRA_KWARGS))
    if unknown:
        raise errors.FieldValidationError(
            f"Feature() got unexpected keyword argument(s) {unknown}; valid ones are name, dtype, unit, description, "
            f"nullable, default_value, synonyms, coerce, cat_filters, values_through"
        )
    name = kwargs.get("name")
    if not name or not isinstance(name, str):
        raise errors.InvalidArgument("a Feature needs a name: ln.Feature(name='temperature', dtype=float)")
    if "coerce_dtype" in kwargs:
        warnings.warn("`coerce_dtype` argument was renamed to `coerce`", DeprecationWarning, stacklevel=3)
    if "coerce" in kwargs:
        coerce = kwargs.pop("coerce")
        kwargs["coerce_dtype"] = bool(coerce) if coerce is not None else False
    if kwargs.get("dtype") is None:
        raise errors.ValidationError(
            f"pass a dtype: ln.Feature(name={name!r}, dtype=float) (or str, int, ln.Record, bt.CellType, ...)"
        )
    given = kwargs["dtype"]
    dtype = parse_dtype(given)
    shown = given if isinstance(given, str) else dtype
    cat_filters = kwargs.pop("cat_filters", None)
    if cat_filters:
        if dtype.startswith("list["):
            raise errors.ValidationError(f"cat_filters are incompatible with nested dtypes: {shown!r}")
        terms = parse_cat(dtype)
        if terms is None:
            raise errors.ValidationError(f"cat_filters need a categorical dtype such as bt.Disease, not {dtype!r}")
        if len(terms) > 1:
            raise errors.ValidationError(f"cat_filters are incompatible with union dtypes: {shown!r}")
        term = terms[0]
        added = tuple(_filter_items(cat_filters, term))
        dtype = parse_dtype(format_cat([CatTerm(term.registry, term.field, term.type_name, term.filters + added)]))
    kwargs["dtype"] = dtype
    through = kwargs.pop("values_through", None)
    if through is not None:
        kwargs["values_through"] = values_through_spec(through, dtype)
    return kwargs


def _filter_items(cat_filters: Any, term: Any) -> list[tuple[str, Any]]:
    """``{"source": source_record, "is_type": True}`` -> ``[("source__uid", "..."), ("is_type", True)]``."""
    if not isinstance(cat_filters, dict):
        raise errors.ValidationError(f"cat_filters must be a dict of Django filters, e.g. {{'source__uid': 'x'}}; got {cat_filters!r}")
    out = []
    for key, value in cat_filters.items():
        empty_number = isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0
        if value is None or empty_number or (isinstance(value, (str, list, tuple, set, dict)) and not value):
            raise errors.ValidationError(f"Empty value in filter {key}: pass a non-empty value or leave the filter out")
        if hasattr(value, "_meta") and hasattr(value, "uid"):
            if getattr(value, "pk", None) is None:
                raise errors.ValidationError(f"the record in filter {key} is not saved yet: save it first")
            key, value = f"{key}__uid", value.uid
        if isinstance(value, (list, tuple, set, dict)):
            raise errors.ValidationError(f"filter {key} takes a single value (a string, number, bool or record), not {value!r}")
        out.append((key, value))
    return out


def values_through_spec(through: Any, dtype: str, feature: Any = None) -> str:
    """``values_through=``: a saved Feature (stored as ``feature:<uid>``) or a field of the Record that holds the
    value (``Record._values_through_fields`` says which fields and dtypes). ``feature`` is the feature being
    configured, when it exists already."""
    from .feature import Feature

    if isinstance(through, Feature):
        assert through.pk is not None, f"values_through requires a saved Feature object; save {through.name!r} first"
        _check_related_feature(feature, through)
        return f"feature:{through.uid}"
    if isinstance(through, str) and through.isidentifier():
        _check_record_field(through, dtype)
        return through
    raise errors.ValidationError(
        f"values_through={through!r}: pass a saved Feature or the name of a field, e.g. values_through='created_at'"
    )


def _check_record_field(field: str, dtype: str) -> None:
    """``values_through="description"``: the Record field exists for mappings and fits the feature's dtype."""
    from ._dtypes import dtype_info
    from .record import Record

    fields = Record._values_through_fields
    shown = f"Feature(..., values_through={field!r})"
    if field not in fields:
        raise errors.ValidationError(
            f"Unsupported feature field mapping {field!r}: values_through takes a saved Feature or one of the "
            f"Record fields {', '.join(map(repr, fields))}"
        )
    wanted = fields[field]
    if wanted == "str" and dtype != "str":
        raise errors.ValidationError(f"{shown} requires feature dtype 'str', not {dtype!r}")
    if wanted == "datetime" and dtype != "datetime" and not str(dtype).startswith("datetime64"):
        raise errors.ValidationError(f"{shown} requires feature dtype 'datetime' or 'datetime64[ns, UTC]', not {dtype!r}")
    if wanted in ("str", "datetime"):
        return
    if not str(dtype).startswith("cat["):
        raise errors.ValidationError(f"{shown} requires a non-list categorical dtype pointing to {wanted}, e.g. dtype=ln.{wanted}")
    model = dtype_info(dtype).model
    if model is None or model._meta.concrete_model.__name__ != wanted:
        raise errors.ValidationError(f"{shown} requires a categorical dtype pointing to {wanted}, not {dtype!r}")


def _check_related_feature(feature: Any, source: Any) -> None:
    """A feature relates to at most one source feature, a source to at most one feature, and never both ways."""
    from .feature import Feature

    if feature is not None and feature.pk is not None and feature.pk == source.pk:
        raise AssertionError(f"values_through cannot point to itself: feature {source.name!r}")
    others = Feature.objects.filter(values_through=f"feature:{source.uid}")
    if feature is not None and feature.pk is not None:
        others = others.exclude(pk=feature.pk)
    other = others.first()
    if other is not None:
        raise AssertionError(
            f"feature {source.name!r} is already related to another feature ({other.name!r}); pick another source"
        )
    is_source = feature is not None and feature.pk is not None and Feature.objects.filter(
        values_through=f"feature:{feature.uid}").exists()
    if (source.values_through or "").startswith("feature:") or is_source:
        raise AssertionError(
            f"feature {source.name!r} or {getattr(feature, 'name', None)!r} already has a values_through relationship; "
            "relations are not symmetric: configure one side only"
        )


def check_record_field_mappings(features: list[Any], index: Any) -> None:
    """A schema's features map each Record field at most once; its index maps to nothing but ``name``
    (where it is stored anyway)."""
    mapped: dict[str, list[str]] = {}
    for f in features:
        spec = f.values_through
        if spec and not spec.startswith("feature:") and (index is None or f.pk != index.pk):
            mapped.setdefault(spec, []).append(f.name)
    if index is not None:
        spec = index.values_through
        if spec and not spec.startswith("feature:") and spec != "name":
            raise errors.ValidationError(
                f"A schema index feature cannot map to a record field other than 'name': {index.name!r} maps to {spec!r}"
            )
        if "name" in mapped:
            raise errors.ValidationError(
                "schema.index is set: the index feature is already stored on Record.name automatically; remove "
                f"values_through='name' from {mapped['name']}"
            )
    for field, names in mapped.items():
        if len(names) > 1:
            raise errors.ValidationError(f"Multiple features map to record field {field!r}: {names}; keep one")


def set_values_through(feature: Any, value: Any) -> Any:
    """``feature.values_through = source``: the stored spec; refused while the feature has values.

    >>> target.values_through = source_feature  # doctest: +SKIP
    """
    if value is None or (isinstance(value, str) and value == feature.__dict__.get("values_through")):
        return value
    if feature.pk is not None and not feature._state.adding:
        _check_no_values(feature)  # first: the feature's own values are the most pressing obstacle
    if isinstance(value, str) and value.startswith("feature:"):
        return value  # the stored form (e.g. re-read from the database)
    return values_through_spec(value, feature.dtype, feature)


def _check_no_values(feature: Any) -> None:
    from ._dtypes import dtype_info
    from .feature import FeatureValue

    values = FeatureValue.objects.filter(feature_id=feature.pk)
    used = [rel.name for rel in FeatureValue._meta.related_objects]  # every host's link table
    in_use = values.exclude(**{f"{name}__isnull": True for name in used})
    if not in_use.exists():
        return
    example = ""
    from django.apps import apps

    link = apps.get_model("lineagedb", "RecordFeatureValue").objects.filter(featurevalue__feature_id=feature.pk)
    first = link.select_related("record", "featurevalue").order_by("id").first()
    if first is not None:
        shown = first.featurevalue.value
        example = f"; e.g. record={first.record.name!r} (uid={first.record.uid}) -> value={shown!r}"
        info = dtype_info(feature.dtype)
        if info.model is not None and isinstance(shown, str):
            target = info.model.objects.filter(**{info.cat_field: shown}).first()
            if target is not None:
                example += f" (uid={target.uid})"
    raise errors.InvalidArgument(
        f"values_through can only be set when no RecordRecord links (values of this feature) exist for "
        f"feature: {feature.name!r} (uid={feature.uid}){example}. Remove its values first, e.g. "
        f"record.features.remove_values({feature.name!r})"
    )
