"""Validate a polars DataFrame or LazyFrame natively: dtypes from the lazy schema, then one aggregate query.

Nothing is converted to pandas and a LazyFrame stays lazy: its schema is read without executing it,
and null counts, lossless-coercion checks and the distinct values of categorical columns are computed
by a single ``select`` (one ``collect`` of one row).

>>> result, coerced = validate_polars(pl.DataFrame({"n": ["1"]}).lazy(), schema)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from .. import errors
from ..models._dtypes import dtype_info
from ..models._schema_def import is_feature_itype
from ._result import SlotResult, ValidationResult

IGNORED_COLUMNS = {"__lamindb_record_uid__"}  # a row-identity column LaminDB-written frames may carry


def is_polars(data: Any) -> bool:
    """True for a polars DataFrame or LazyFrame (polars is not imported for anything else)."""
    from ..formats._tables import is_polars_frame

    return is_polars_frame(data)


def check_polars_schema(schema: Any) -> None:
    """Reject what a polars frame cannot carry: an index, an ``attrs`` slot, an open-ended (flexible) schema."""
    if schema.index_id is not None:
        raise errors.InvalidArgument(
            "polars DataFrames do not have an index: drop index= from the schema, or add the index as a column feature"
        )
    slots = schema.slots
    if "attrs" in slots:
        raise errors.InvalidArgument(
            "polars DataFrames do not have an attrs slot: pass dataset-level values with features={...} instead"
        )
    main = slots.get("columns", schema) if slots else schema
    if main.flexible and (main.itype is None or is_feature_itype(main.itype)) and not main.feature_links():
        raise errors.InvalidArgument(
            "a flexible schema (no listed features) cannot validate a polars frame: list the features, "
            "e.g. ln.Schema(features=[...]), or pass frame.to_pandas()"
        )


def _base_kind(kind: str) -> str:
    return kind[5:-1] if kind.startswith("list[") else kind


def _fits(dtype: Any, kind: str) -> bool:
    """Whether a polars dtype holds values of ``kind`` as they are."""
    import polars as pl

    if dtype == pl.Null:
        return True
    if kind.startswith("list["):
        return isinstance(dtype, (pl.List, pl.Array)) and _fits(dtype.inner, kind[5:-1])
    if kind in {"str", "cat", "path", "url"}:
        return dtype in (pl.String, pl.Categorical) or isinstance(dtype, (pl.Enum, pl.Categorical))
    if kind == "int":
        return dtype.is_integer()
    if kind == "float":
        return dtype.is_float()
    if kind == "num":
        return dtype.is_numeric()
    if kind == "bool":
        return dtype == pl.Boolean
    if kind == "date":
        return dtype == pl.Date
    if kind == "datetime":
        return isinstance(dtype, pl.Datetime) or dtype == pl.Date
    if kind == "dict":
        return isinstance(dtype, (pl.Struct, pl.Object))
    return True


def _coerce_target(dtype: Any, kind: str) -> Any:
    """The dtype a column is cast to when coercion is allowed, or None when it cannot be."""
    import polars as pl

    convertible = dtype == pl.String or dtype.is_numeric() or dtype == pl.Boolean
    if kind == "int" and convertible:
        return pl.Int64
    if kind in {"float", "num"} and convertible:
        return pl.Float64
    if kind in {"str", "path", "url"}:
        return None  # like pandera: strings are never produced by coercion
    if kind == "date" and dtype in (pl.String, pl.Datetime):
        return pl.Date
    if kind == "datetime" and dtype in (pl.String, pl.Date):
        return pl.Datetime
    return None


def _cast(column: str, dtype: Any, target: Any) -> Any:
    import polars as pl

    col = pl.col(column)
    if dtype == pl.String and target.is_numeric():
        col = col.str.strip_chars()
        if target.is_integer():  # "1.0" is a whole number too, "1.5" is not
            as_float = col.cast(pl.Float64, strict=False)
            return pl.when(as_float == as_float.round(0)).then(as_float).cast(target, strict=False)
    if dtype.is_float() and target.is_integer():
        return pl.when(col == col.round(0)).then(col).cast(target, strict=False)
    return col.cast(target, strict=False)


class _Plan:
    """The checks of one frame, collected into one aggregate query."""

    def __init__(self) -> None:
        self.exprs: list[Any] = []
        self.reads: list[tuple[str, str, Any]] = []  # (alias, what, payload)

    def add(self, expr: Any, what: str, payload: Any) -> None:
        alias = f"__check_{len(self.exprs)}"
        self.exprs.append(expr.alias(alias))
        self.reads.append((alias, what, payload))


def _plan_column(lazy: Any, column: str, dtype: Any, feature: Any, schema: Any, slot: SlotResult,
                 plan: _Plan, casts: dict[str, Any]) -> None:
    import polars as pl

    info = dtype_info(feature.dtype)
    kind = info.kind
    if not _fits(dtype, kind):
        target = _coerce_target(dtype, kind) if (feature.coerce_dtype or schema.coerce_dtype) else None
        if target is None:
            hint = "the values cannot be converted" if (feature.coerce_dtype or schema.coerce_dtype) else (
                "convert the column or create the feature with coerce=True")
            slot.problems.append(f"column {column!r}: dtype: expected {feature.dtype}, found {dtype} ({hint})")
            return
        cast = _cast(column, dtype, target)
        casts[column] = cast.alias(column)
        lost = (cast.is_null() & pl.col(column).is_not_null()).sum()
        plan.add(lost, "lossy", (column, feature.dtype, dtype))
    if not feature.nullable and dtype != pl.Null:
        plan.add(pl.col(column).null_count(), "nulls", column)
    elif not feature.nullable:
        plan.add(pl.len(), "nulls", column)
    if info.model is not None and _base_kind(kind) == "cat" and dtype != pl.Null:
        col = pl.col(column)
        if kind.startswith("list["):
            col = col.explode()
        values = col.drop_nulls().cast(pl.String).unique().sort().implode()
        plan.add(values, "cat", (column, feature))


def _read(row: dict[str, Any], plan: _Plan, schema: Any, slot: SlotResult) -> None:
    from ._validate import match_feature_values

    for alias, what, payload in plan.reads:
        value = row[alias]
        if what == "lossy" and value:
            column, wanted, found = payload
            slot.problems.append(
                f"column {column!r}: dtype: expected {wanted}, found {found} "
                f"({value} value(s) cannot be converted without loss)"
            )
        elif what == "nulls" and value:
            slot.problems.append(
                f"column {payload!r}: {value} null value(s) but the feature is not nullable "
                "(fill them, or create the feature with nullable=True)"
            )
        elif what == "cat":
            column, feature = payload
            match_feature_values(slot, feature, column, list(value or []), schema)


def validate_polars(frame: Any, schema: Any) -> tuple[ValidationResult, Any]:
    """``(result, frame with coerced columns)``; the frame keeps its type (a LazyFrame stays lazy)."""
    from ._validate import _resolve_features

    check_polars_schema(schema)
    slots = schema.slots or {"columns": schema}
    result = ValidationResult(schema=schema, otype="DataFrame")
    lazy = frame.lazy()
    dtypes = dict(lazy.collect_schema())
    plan = _Plan()
    casts: dict[str, Any] = {}  # column -> its polars cast expression
    for name, component in slots.items():
        if name == "__external__":
            continue
        if name != "columns":
            raise errors.InvalidArgument(f"a polars DataFrame schema has the slot 'columns', not {name!r}")
        slot = SlotResult(slot="columns", schema=component)
        columns = [c for c in dtypes if c not in IGNORED_COLUMNS]
        for column, feature in _resolve_features(component, columns, slot):
            _plan_column(lazy, column, dtypes[column], feature, component, slot, plan, casts)
            slot.features.append(feature)
        result.slots.append(slot)
    if plan.exprs:
        row = lazy.select(plan.exprs).collect().row(0, named=True)
        for slot in result.slots:
            _read(row, plan, slot.schema, slot)
    coerced = frame.with_columns(list(casts.values())) if casts and result.ok else frame
    return result, coerced
