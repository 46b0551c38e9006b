"""Keys of ``features.add_values({...})`` and friends: names or Feature objects, optionally scoped by a schema.

>>> artifact.features.add_values({temperature: 21.6, "experiment": "E1"})  # doctest: +SKIP
>>> artifact.features.add_values({"sample_name": "s1"}, schema=lab_a_schema)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from .. import errors


def _schema_features(schema: Any) -> dict[str, Any]:
    """{name: feature} of a saved schema (its own features and those of its slots)."""
    if getattr(schema, "pk", None) is None:
        raise errors.InvalidArgument("schema= takes a saved ln.Schema; save it first")
    out = {f.name: f for f, _ in schema.feature_links()}
    for component in schema.slots.values():
        out.update({f.name: f for f, _ in component.feature_links()})
    return out


def resolve_keys(values: Any, schema: Any = None) -> dict[str, tuple[Any, Any]]:
    """``{name or Feature: value}`` -> ``{name: (feature, value)}``; names are looked up (in ``schema`` first)."""
    from ._features import _features_by_name
    from .feature import Feature

    if not isinstance(values, dict):
        raise errors.InvalidArgument("pass a dict of features (names or ln.Feature objects) to values, e.g. {'temperature': 21.6}")
    out: dict[str, tuple[Any, Any]] = {}
    by_name: dict[str, Any] = {}
    scoped = _schema_features(schema) if schema is not None else {}
    for key, value in values.items():
        if isinstance(key, Feature):
            if key.pk is None:
                raise errors.InvalidArgument(f"feature {key.name!r} is not saved yet: call .save() on it first")
            out[key.name] = (key, value)
        elif isinstance(key, str):
            if key in scoped:
                out[key] = (scoped[key], value)
            else:
                by_name[key] = value
        else:
            raise errors.InvalidArgument(f"feature keys are names or ln.Feature objects, not {key!r}")
    if by_name:
        found = _features_by_name(list(by_name))
        out.update({name: (found[name], value) for name, value in by_name.items()})
    return out


def is_empty(value: Any) -> bool:
    """None, an empty list/tuple/set or an empty dict: 'no value' for update_values()."""
    return value is None or (isinstance(value, (list, tuple, set, dict)) and not value)


def record_value(feature: Any, value: Any) -> Any:
    """A categorical value as its record(s) for ``features[name]`` (names resolved through the dtype)."""
    from ._dtypes import dtype_info, is_categorical
    from ._features import resolve_labels

    if not is_categorical(feature.dtype) or dtype_info(feature.dtype).model is None:
        return value
    items = sorted(value) if isinstance(value, set) else (value if isinstance(value, list) else [value])
    records = resolve_labels(feature, [v for v in items if v is not None])
    return records[0] if len(records) == 1 and not feature.dtype.startswith("list[") else records
