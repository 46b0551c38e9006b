"""``record.features``: feature values on records, with LaminDB's record rules on top of the shared accessor.

- a to-one feature (any dtype but ``list[...]``) holds one value: ``add_values`` takes list features only,
  ``set_values`` replaces every value, ``update_values`` replaces only the features it names;
- ``None`` or an empty list in ``update_values`` removes the feature's values;
- list features come back as lists, in the order given; ``record.features["name"]`` is one feature's value
  (``{}`` when unset).

>>> sample.features.set_values({"age": 42, "tissue": "liver"})  # doctest: +SKIP
>>> sample.features.update_values({"age": 43})  # doctest: +SKIP
>>> sample.features.get_values()  # doctest: +SKIP
{'age': 43, 'tissue': 'liver'}
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor

from .. import errors
from ._features import FeatureManager, _features_by_name, feature_names
from ._record_fields import read, schema_mapped, split_mapped, write


def _is_list(dtype: str) -> bool:
    return dtype.startswith("list[")


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, (list, tuple, set)) and len(value) == 0)


def index_feature(record: Any) -> Any:
    """The index feature of the schema of ``record``'s type (its values are the records' names), or None."""
    if getattr(record, "type_id", None) is None or record.type.schema_id is None:
        return None
    schema = record.type.schema
    return schema.index if schema.index_id is not None else None


def pop_index(record: Any, values: Any, *, rename: bool = False) -> Any:
    """``values`` without the index feature, whose value becomes ``record.name`` (saved when ``rename``).

    >>> ln.Record(type=samples, features={"sample_id": "S-001", "score": 1.5}).name  # doctest: +SKIP
    'S-001'
    """
    index = index_feature(record) if isinstance(values, dict) and values else None
    if index is None:
        return values
    keys = [k for k in values if getattr(k, "name", k) == index.name]
    if not keys:
        return values
    value = values[keys[0]]
    if not isinstance(value, str) or not value:
        raise errors.ValidationError(
            f"the value of index feature {index.name!r} is stored as the record's name and must be a string, got {value!r}"
        )
    if record.name and record.name != value and not rename:
        raise errors.InvalidArgument(f"name={record.name!r} and index feature {index.name!r}={value!r} disagree; pass one")
    if record.name != value:
        record.name = value
        if rename and record.pk is not None:
            record.save(update_fields=["name"])
    return {k: v for k, v in values.items() if k not in keys}


def check_names_distinct(schema: Any) -> list[tuple[Any, bool]]:
    """The schema's (feature, optional) links; refused when two features share a name (record values are keyed by
    name, so such a schema cannot describe records)."""
    links = schema.feature_links()
    seen: dict[str, int] = {}
    for f, _ in links:
        seen[f.name] = seen.get(f.name, 0) + 1
    clashing = sorted(n for n, count in seen.items() if count > 1)
    if clashing:
        raise errors.ValidationError(
            f"features {clashing} of schema {schema.name!r} share a name (features of different feature types): "
            "record feature values are keyed by name, so this schema cannot describe records; rename one of them"
        )
    return links


def check_required(record: Any, names: Any, schema: Any = None) -> None:
    """Refuse feature values of ``record`` that lack a required feature of ``schema`` (default: its type's schema).

    A schema with ``minimal_set=True`` (the default) requires every member not marked ``optional``; its index
    feature is stored on the record's name and so never missing.

    >>> check_required(ln.Record(name="S1", type=samples), {"age"})  # doctest: +SKIP
    ValidationError: ... missing required features of schema 'samples_schema': ['tissue'] (COLUMN_NOT_IN_DATAFRAME)
    """
    if schema is None and getattr(record, "type_id", None) is not None:
        schema = record.type.schema if record.type.schema_id is not None else None
    if schema is None:
        return
    links = check_names_distinct(schema)
    if not schema.minimal_set:
        return
    given = {getattr(n, "name", n) for n in names}
    given |= {f.name for f, field in schema_mapped(schema) if getattr(record, field, None) is not None}
    unset = {getattr(n, "name", n) for n, v in names.items() if v is None} if isinstance(names, dict) else set()
    missing = [f.name for f, optional in links
               if not optional and f.id != schema.index_id
               and (f.name not in given or (f.name in unset and not f.nullable))]  # None: no value, fine if nullable
    if missing:
        raise errors.ValidationError(
            f"Record {record.name!r} is missing required features of schema {schema.name!r}: {missing} "
            "(COLUMN_NOT_IN_DATAFRAME); pass them in features= or mark them optional in the schema "
            "(feature.with_config(optional=True))"
        )


class RecordFeatures(FeatureManager):
    """Feature values of one record (see the module docstring for the rules)."""

    def add_values(self, values: dict[Any, Any], schema: Any = None) -> None:
        """Add values of list features; a to-one feature is refused (use ``set_values`` or ``update_values``).

        ``values`` must hold the required features of ``schema`` (default: the schema of the record's type).
        """
        values = pop_index(self._host, values, rename=True)
        check_required(self._host, values, schema)  # a required feature given as None counts as present
        mapped, values = split_mapped(values)
        write(self._host, mapped)
        values = {k: v for k, v in feature_names(values).items() if not _empty(v)}
        if not values:
            return
        features = _features_by_name(values)
        taken = [n for n in values if not _is_list(features[n].dtype)]
        if taken:
            raise errors.ValidationError(
                f"Cannot use add_values() for to-one features on a Record: {taken}. "
                "Use set_values() to replace all feature annotations."
            )
        super().add_values(values, schema=schema)

    def set_values(self, values: dict[Any, Any], schema: Any = None) -> None:
        """Replace every feature value of this record with ``values`` (``{}`` clears them).

        ``values`` must hold the required features of ``schema`` (default: the schema of the record's type).
        """
        if not isinstance(values, dict):
            feature_names(values)  # the clear error for a non-dict
        values = pop_index(self._host, values, rename=True)
        check_required(self._host, values, schema)  # a required feature given as None counts as present
        mapped, values = split_mapped(values)
        kept = {k: v for k, v in values.items() if not _empty(v)}
        with transaction.atomic():
            super().set_values(kept, schema=schema)
            write(self._host, mapped)

    def update_values(self, values: dict[Any, Any], schema: Any = None) -> None:
        """Replace the values of the named features only; ``None`` or ``[]`` removes a feature's values."""
        self._check_saved()
        mapped, values = split_mapped(pop_index(self._host, values, rename=True))
        write(self._host, mapped)
        values = feature_names(values)
        if not values:
            return
        with transaction.atomic():
            self.remove_values(list(values))
            kept = {k: v for k, v in values.items() if not _empty(v)}
            if kept:
                FeatureManager.add_values(self, kept, schema=schema)

    def get_values(self, external_only: bool = False) -> dict[str, Any]:
        """Feature values as a dict; list features come back as lists in the order given; a required feature of the record type's
        schema without a value comes back as None. ``external_only=True`` leaves out the features whose values are
        the record's own fields (``values_through="description"``, ...)."""
        values = super().get_values()
        if not external_only:  # the values kept in the record's own fields (values_through="description", ...)
            values.update(read(self._host))
        index = index_feature(self._host)
        if index is not None and self._host.name:
            values = {index.name: self._host.name, **values}
        values.update({name: None for name in _unset_required(self._host, values)})
        if not values:
            return values
        dtypes = dict(_features_by_name(values).items())
        for name, value in values.items():
            if value is not None and _is_list(dtypes[name].dtype) and not isinstance(value, list):
                values[name] = sorted(value, key=str) if isinstance(value, set) else [value]
        return values

    def __getitem__(self, name: Any) -> Any:
        """One feature's value, ``{}`` when the record has none; a categorical value comes as its record(s) (a
        related feature's, ``values_through=source_feature``, as the names); an unknown feature name raises."""
        from ._feature_keys import record_value
        from .feature import Feature

        feature = name if isinstance(name, Feature) else None
        name = getattr(name, "name", name)
        if feature is None:
            feature = Feature.objects.filter(name=name).order_by("type_id", "id").first()
        if feature is None:
            raise errors.ValidationError(f"Feature with name {name} not found; create it with ln.Feature(name={name!r}, dtype=...).save()")
        value = self.get_values().get(name, {})
        if value == {} or value is None or feature.values_through:
            return value
        return record_value(feature, value)


def _unset_required(record: Any, values: dict[str, Any]) -> list[str]:
    """Required features of the schema of ``record``'s type that have no value (given as None, or removed)."""
    if getattr(record, "type_id", None) is None or record.type.schema_id is None:
        return []
    schema = record.type.schema
    if not schema.minimal_set:
        return []
    return [f.name for f, optional in schema.feature_links()  # values_through: not a stored feature value
            if not optional and f.id != schema.index_id and f.name not in values and not f.values_through]


class _CheckedType(ForwardManyToOneDescriptor):
    """``record.type = frame`` on a saved record checks that its feature values satisfy the frame's schema."""

    def __set__(self, instance: Any, value: Any) -> None:
        unchanged = value is not None and value.pk is not None and value.pk == instance.__dict__.get("type_id")
        if value is not None and instance.pk is not None and getattr(value, "schema_id", None) is not None and not unchanged:
            check_names_distinct(value.schema)  # before reading values, which a name clash makes ambiguous
            check_required(instance, instance.features.get_values(), value.schema)
        super().__set__(instance, value)


class TypeField(models.ForeignKey):
    """The ``type`` foreign key of Record: a plain ForeignKey in migrations, checked on assignment."""

    forward_related_accessor_class = _CheckedType

    def deconstruct(self) -> Any:
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.ForeignKey", args, kwargs
