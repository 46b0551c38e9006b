"""Validate a DataFrame or an AnnData against a schema: columns, dtypes, nulls, then categorical values.

Work is per column and per distinct value, never per row, so 100k rows cost about what 100 rows do.
"""

from __future__ import annotations

from typing import Any

from .. import errors
from ..models._dtypes import dtype_info
from ..models._schema_def import feature_type_of, is_feature_itype
from ._categorical import match_values
from ._columns import check_column, distinct_values, flatten
from ._result import CatValues, SlotResult, ValidationResult

METADATA_SLOTS = {"attrs", "uns"}  # dataset-level feature values: df.attrs, adata.uns


def match_feature_values(slot: SlotResult, feature: Any, key: str, values: list[Any], schema: Any) -> None:
    """Match the values of categorical ``feature`` (under ``key``) against its registry, into ``slot.cats``;
    a bare ``cat`` dtype names no registry, so its values are taken as they are."""
    info = dtype_info(feature.dtype)
    if info.model is None or info.field is None:
        return
    type_record = None
    if info.type_name:
        type_record = info.model.filter(name=info.type_name, is_type=True).first()
    slot.cats.append(match_values(CatValues(key=key, model=info.model, field=info.field, feature=feature,
                                            type_record=type_record, organism=_organism_for(info.model, schema),
                                            values=values)))


def _organism_for(model: Any, schema: Any) -> str | None:
    """The schema's ``organism`` for organism-specific registries (genes, ...); None: the default organism."""
    if schema.organism is None or "organism" not in {f.name for f in model._meta.concrete_fields}:
        return None
    return schema.organism


def _resolve_features(schema: Any, columns: list[str], slot: SlotResult) -> list[tuple[str, Any]]:
    """``[(column, feature)]`` to validate; records missing/extra/order problems on ``slot``."""
    from ..models import Feature

    links = schema.feature_links()
    by_name = {f.name: (f, optional) for f, optional in links}
    present = set(columns)
    if schema.minimal_set:
        missing = [name for name, (_, optional) in by_name.items() if not optional and name not in present]
        if missing:
            slot.problems.append(f"missing required column(s): {missing} (COLUMN_NOT_IN_DATAFRAME)")
    pairs = [(c, by_name[c][0]) for c in columns if c in by_name]
    others = [c for c in columns if c not in by_name]
    if schema.flexible and others:
        candidates = Feature.filter(name__in=others, is_type=False)
        feature_type = feature_type_of(schema.itype)
        if feature_type is not None:  # Schema(itype=feature_type): only features of that type
            candidates = candidates.filter(type=feature_type)
        known = {f.name: f for f in candidates}
        pairs = [(c, by_name[c][0] if c in by_name else known[c]) for c in columns if c in by_name or c in known]
        others = [c for c in others if c not in known]
    if others:
        if schema.maximal_set:
            slot.problems.append(f"column(s) not in the schema: {others} (the schema sets maximal_set=True)")
        else:
            slot.skipped.extend(others)
    if schema.ordered_set:
        expected = [f.name for f, _ in links if f.name in present]
        found = [c for c in columns if c in by_name]
        if found != expected:
            slot.problems.append(f"columns are not in the schema's order: expected {expected}, found {found}")
    return pairs


def _check_feature_column(series: Any, column: str, feature: Any, schema: Any, slot: SlotResult) -> None:
    info = dtype_info(feature.dtype)
    coerce = bool(feature.coerce_dtype or schema.coerce_dtype)
    problems, coerced = check_column(
        series, column, info.kind, coerce=coerce, nullable=feature.nullable, dtype=feature.dtype
    )
    slot.problems.extend(problems)
    if coerced is not None:
        slot.coerced[column] = coerced
    if info.model is None or any("dtype" in p for p in problems):
        return
    if info.kind == "cat":
        match_feature_values(slot, feature, column, distinct_values(series), schema)
    elif info.kind == "list[cat]":
        match_feature_values(slot, feature, column, distinct_values(flatten(series)), schema)


def validate_frame(df: Any, schema: Any, slot_name: str) -> SlotResult:
    """A DataFrame (or ``obs`` / ``var``) against a non-composite schema."""
    slot = SlotResult(slot=slot_name, schema=schema)
    columns = [str(c) for c in df.columns]
    if schema.itype and not is_feature_itype(schema.itype):
        return _validate_registry_axis(columns, df, schema, slot)
    for column, feature in _resolve_features(schema, columns, slot):
        _check_feature_column(df[column], column, feature, schema, slot)
        slot.features.append(feature)
    if schema.index_id is not None:
        import pandas as pd

        index = pd.Series(df.index, index=df.index, name=df.index.name)
        _check_feature_column(index, "index", schema.index, schema, slot)
    return slot


def _validate_registry_axis(values: list[str], frame: Any, schema: Any, slot: SlotResult) -> SlotResult:
    """Column names (or var index) are values of a registry field; the matrix has the schema's dtype."""
    from ..models._dtypes import default_field
    from ..models._schema_def import registry_and_field

    model, field = registry_and_field(schema.itype)
    field = field or default_field(model)
    slot.members = match_values(CatValues(key="columns" if frame is not None else "var_index", model=model,
                                          field=field, organism=_organism_for(model, schema),
                                          values=list(dict.fromkeys(values)),
                                          blocking=bool(schema.maximal_set)))
    if schema.dtype and frame is not None:
        _check_matrix_dtype(frame, schema, slot)
    return slot


def _check_matrix_dtype(frame: Any, schema: Any, slot: SlotResult) -> None:
    from ..models._dtypes import array_dtype_problems

    bad = array_dtype_problems(schema.dtype, frame)  # float arrays of whole numbers pass as int
    if bad:
        slot.problems.append(f"dtype: values must be {schema.dtype}, found {bad}")


def validate_metadata(meta: dict[str, Any], schema: Any, slot_name: str) -> SlotResult:
    """Dataset-level values (``df.attrs`` / ``adata.uns``) against the features of a schema."""
    from ..models._dtypes import check_value

    slot = SlotResult(slot=slot_name, schema=schema)
    keys = [str(k) for k in meta]
    for key, feature in _resolve_features(schema, keys, slot):
        try:
            value = check_value(feature.dtype, meta[key], coerce=bool(feature.coerce_dtype or schema.coerce_dtype),
                                feature=feature.name)
        except errors.ValidationError as e:
            slot.problems.append(f"{slot_name}[{key!r}]: {e}")
            continue
        if value is None and not feature.nullable:
            slot.problems.append(f"{slot_name}[{key!r}]: null value but the feature is not nullable")
        slot.features.append(feature)
        slot.metadata[feature.name] = meta[key]
        if dtype_info(feature.dtype).kind == "cat" and isinstance(value, str):
            match_feature_values(slot, feature, key, [value], schema)
    return slot


def _validate_slot(data: Any, name: str, schema: Any) -> SlotResult:
    """One slot of an AnnData / MuData / SpatialData (see ``_slots``)."""
    from ._slots import resolve_slot

    kind, value = resolve_slot(data, name)
    if kind == "frame":
        return validate_frame(value, schema, name)
    if kind == "meta":
        return validate_metadata(dict(value), schema, name)
    slot = SlotResult(slot=name, schema=schema)
    names = value.var_names if name.endswith("var.T") else value.obs_names
    _validate_registry_axis([str(v) for v in names], None, schema, slot)
    if schema.dtype and name.endswith("var.T"):
        _check_matrix_dtype(value.X, schema, slot)
    return slot


def validate(data: Any, schema: Any) -> ValidationResult:
    """Validate ``data`` (DataFrame, AnnData, MuData, SpatialData) against a saved ``schema``; nothing is written."""
    import pandas as pd

    from ._slots import otype_of

    if schema is None or getattr(schema, "pk", None) is None:
        raise errors.InvalidArgument("the schema is not saved yet: call schema.save() first")
    slots = schema.slots
    otype = otype_of(data)
    if otype is not None:
        result = ValidationResult(schema=schema, otype=otype)
        for name, component in (slots or {"obs": schema}).items():
            if name != "__external__":  # dataset-level values passed as features=: see add_external
                result.slots.append(_validate_slot(data, name, component))
        return result
    if not isinstance(data, pd.DataFrame):
        raise errors.InvalidArgument(
            f"cannot validate a {type(data).__name__}: pass a pandas or polars DataFrame, an AnnData, MuData or SpatialData"
        )
    result = ValidationResult(schema=schema, otype="DataFrame")
    for name, component in (slots or {"columns": schema}).items():
        if name == "attrs" or name.startswith("attrs:"):
            value = dict(data.attrs) if name == "attrs" else dict(data.attrs).get(name[6:], {})
            result.slots.append(validate_metadata(dict(value), component, name))
        elif name == "__external__":
            continue  # dataset-level values passed as features=: see add_external
        elif name == "columns":
            result.slots.append(validate_frame(data, component, "columns"))
        else:
            raise errors.InvalidArgument(f"Slot {name!r} is not supported for DataFrameCurator. Must be 'attrs'.")
    if slots and "columns" not in slots and schema.feature_links():
        result.slots.insert(0, validate_frame(data, schema, "columns"))  # features and slots in one schema
    return result


def add_external(result: ValidationResult, schema: Any, features: dict[str, Any] | None) -> None:
    """Validate dataset-level ``features`` against the schema's ``__external__`` slot (or the Feature registry).

    >>> add_external(result, schema, {"temperature": 21.6})  # doctest: +SKIP
    """
    from ..models import Feature

    external = (schema.slots or {}).get("__external__") if schema is not None else None
    result.slots = [s for s in result.slots if s.slot != "__external__"]
    if not features:
        if external is not None:  # reported with the other problems (columns first)
            result.slots.append(SlotResult(slot="__external__", schema=external, problems=[
                "External features slot is defined in schema but no external features were provided. "
                f"Pass features={{...}} with values for {[f.name for f, _ in external.feature_links()]}."
            ]))
        return
    if external is None:  # no slot: the values must be of registered features
        missing = sorted(set(features) - set(Feature.filter(name__in=list(features)).values_list("name", flat=True)))
        if missing:
            raise errors.ValidationError(
                f"features {missing} are not registered: create them, e.g. ln.Feature(name={missing[0]!r}, dtype=str).save()"
            )
        slot = SlotResult(slot="__external__", schema=None, metadata=dict(features))
        result.slots.append(slot)
        return
    result.slots.append(validate_metadata(dict(features), external, "__external__"))
