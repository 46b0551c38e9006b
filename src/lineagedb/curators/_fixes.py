"""Fix a frame before validating again: fill defaults, add missing nullable columns, replace synonyms.

Both pandas and polars frames; a polars LazyFrame stays lazy (the fixes are column expressions).

>>> frame = fill_defaults(frame, schema)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from .. import errors
from ..models._dtypes import dtype_info
from ._polars import is_polars


def _polars_dtype(kind: str, dtype: str) -> Any:
    import polars as pl

    if kind.startswith("list["):
        return pl.List(_polars_dtype(kind[5:-1], dtype[5:-1]))
    if kind == "datetime" and "UTC" in dtype:
        return pl.Datetime(time_unit="ns", time_zone="UTC")
    return {"int": pl.Int64, "float": pl.Float64, "num": pl.Float64, "bool": pl.Boolean, "date": pl.Date,
            "datetime": pl.Datetime()}.get(kind, pl.String)


def _main_features(schema: Any) -> list[Any]:
    main = (schema.slots or {}).get("columns", schema)
    return [f for f, _ in main.feature_links()]


def fill_defaults(frame: Any, schema: Any) -> Any:
    """Fill nulls with each feature's ``default_value``; add missing columns (default, else null if nullable).

    A missing column that has no default and is not nullable raises ``ln.errors.ValidationError``.
    """
    columns = list(frame.collect_schema().names()) if is_polars(frame) else [str(c) for c in frame.columns]
    missing_required = []
    updates: dict[str, Any] = {}
    for feature in _main_features(schema):
        default, name = feature.default_value, feature.name
        if name not in columns and default is None and not feature.nullable:
            missing_required.append(name)
            continue
        if name in columns and default is None:
            continue
        updates[name] = feature
    if missing_required:
        raise errors.ValidationError(
            f"missing required column(s) {missing_required} have no default_value and are not nullable: add them "
            "to the data, or give the features a default_value"
        )
    if is_polars(frame):
        return _fill_polars(frame, updates, columns)
    for name, feature in updates.items():
        if name in columns:
            frame[name] = frame[name].where(frame[name].notna(), feature.default_value)
        else:
            frame[name] = feature.default_value
    return frame


def _fill_polars(frame: Any, updates: dict[str, Any], columns: list[str]) -> Any:
    import polars as pl

    exprs = []
    for name, feature in updates.items():
        target = _polars_dtype(dtype_info(feature.dtype).kind, feature.dtype)
        if name in columns:
            exprs.append(pl.col(name).fill_null(pl.lit(feature.default_value)).alias(name))
        else:
            exprs.append(pl.lit(feature.default_value, dtype=target).alias(name))
    return frame.with_columns(exprs) if exprs else frame


def rename_synonym_columns(frame: Any, schema: Any) -> Any:
    """Rename columns that are a synonym of a schema feature to the feature's name."""
    columns = list(frame.collect_schema().names()) if is_polars(frame) else [str(c) for c in frame.columns]
    mapping: dict[str, str] = {}
    for feature in _main_features(schema):
        if feature.name in columns:
            continue
        for synonym in (feature.synonyms or "").split("|"):
            if synonym.strip() in columns:
                mapping[synonym.strip()] = feature.name
                break
    if not mapping:
        return frame
    if is_polars(frame):
        return frame.rename(mapping)
    frame.rename(columns=mapping, inplace=True)
    return frame


def replace_synonyms(frame: Any, column: str, synonyms: dict[str, str]) -> Any:
    """Replace synonyms by canonical values in ``column`` (scalar or list column; categories are extended)."""
    if not synonyms:
        return frame
    if is_polars(frame):
        return _replace_polars(frame, column, synonyms)
    import pandas as pd

    series = frame[column]
    if isinstance(series.dtype, pd.CategoricalDtype):
        mapping = {c: synonyms.get(str(c), c) for c in series.cat.categories}
        frame[column] = series.astype(object).map(mapping).astype("category")
    else:
        def fix(v: Any) -> Any:
            if isinstance(v, str):
                return synonyms.get(v, v)
            if isinstance(v, list):
                return [synonyms.get(x, x) if isinstance(x, str) else x for x in v]
            return v

        frame[column] = series.map(fix)
    return frame


def _replace_polars(frame: Any, column: str, synonyms: dict[str, str]) -> Any:
    import polars as pl

    dtype = frame.collect_schema()[column]
    is_list = isinstance(dtype, pl.List)
    inner = dtype.inner if is_list else dtype
    keep: Any = None
    if isinstance(inner, pl.Enum):
        categories = list(inner.categories)
        keep = pl.Enum(categories + [v for v in dict.fromkeys(synonyms.values()) if v not in categories])
    elif isinstance(inner, pl.Categorical):
        keep = pl.Categorical()
    if is_list:
        fixed = pl.col(column).list.eval(pl.element().cast(pl.String).replace(synonyms))
        if keep is not None:
            fixed = fixed.cast(pl.List(keep))
    else:
        fixed = pl.col(column).cast(pl.String).replace(synonyms)
        if keep is not None:
            fixed = fixed.cast(keep)
    return frame.with_columns(fixed.alias(column))
