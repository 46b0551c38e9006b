"""Vectorised checks of one pandas column against a feature dtype: kind, coercion, nulls, distinct values."""

from __future__ import annotations

from typing import Any

_STRINGISH = {"string", "empty"}


def distinct_values(series: Any) -> list[Any]:
    """The distinct non-null values, computed on codes for categoricals (no per-row Python work)."""
    import numpy as np
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = np.unique(series.cat.codes.to_numpy())
        return list(series.cat.categories.take(codes[codes >= 0]))
    uniques = pd.unique(series.to_numpy())
    return [v for v in uniques if not _isnull(v)]


def _isnull(v: Any) -> bool:
    try:
        return v is None or bool(v != v)
    except (TypeError, ValueError):
        return False


def _inferred(series: Any) -> str:
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        return pd.api.types.infer_dtype(series.cat.categories, skipna=True)
    return pd.api.types.infer_dtype(series, skipna=True)


def _fits(series: Any, kind: str) -> bool:
    import pandas as pd

    t = pd.api.types
    dtype = series.dtype
    if kind in {"str", "cat", "path", "url"}:
        return _inferred(series) in _STRINGISH
    if kind == "int":
        return t.is_integer_dtype(dtype) and not t.is_bool_dtype(dtype)
    if kind == "float":
        return t.is_float_dtype(dtype)
    if kind == "num":
        return t.is_numeric_dtype(dtype) and not t.is_bool_dtype(dtype)
    if kind == "bool":  # an object column of bools and None is not a bool column: use pandas' "boolean"
        return t.is_bool_dtype(dtype) or _inferred(series) == "empty"
    if kind in {"date", "datetime"}:
        return t.is_datetime64_any_dtype(dtype) or _inferred(series) in {"date", "datetime", "datetime64", "empty"}
    if kind == "dict":
        return _inferred(series) in {"mixed", "empty"} and all(isinstance(v, dict) for v in series.dropna())
    if kind.startswith("list["):
        return _list_problem(series, kind[5:-1]) is None
    return True


def _is_list(v: Any) -> bool:
    import numpy as np

    return isinstance(v, (list, tuple, np.ndarray))


def flatten(series: Any) -> Any:
    """The items of a list column as one Series (null cells skipped)."""
    import pandas as pd

    return pd.Series([x for v in series.dropna() if _is_list(v) for x in v], dtype=object)


def _list_problem(series: Any, inner: str) -> str | None:
    """Why a list column does not hold lists of ``inner`` values, or None."""
    import pandas as pd

    scalars = [v for v in series.dropna() if not _is_list(v)]
    if scalars:
        return f"expected lists, found {type(scalars[0]).__name__} {scalars[0]!r}"
    items = flatten(series)
    if items.empty:
        return None
    items = pd.Series(list(items))  # numeric or bool items get their numpy dtype back
    if inner == "cat" or _fits(items, inner):
        return None
    return f"list items: expected {inner}, found {_inferred(items)}"


def _coerce(series: Any, kind: str) -> Any:
    """The column converted to ``kind``, or None when some non-null value cannot be converted (without loss).

    Only numbers and dates are converted (as pandera's ``coerce``); str, bool, num and list columns never are.
    """
    import pandas as pd

    notnull = series.notna()
    try:
        if kind in {"int", "float"}:
            out = pd.to_numeric(series, errors="coerce")
            if (out.isna() & notnull).any():
                return None
            if kind == "int":
                if ((out.dropna() % 1) != 0).any():
                    return None
                return out.astype("Int64") if out.isna().any() else out.astype("int64")
            return out.astype("float64")
        if kind in {"date", "datetime"}:
            out = pd.to_datetime(series, errors="coerce")
            if (out.isna() & notnull).any():
                return None
            return out.dt.date if kind == "date" else out
    except (TypeError, ValueError):
        return None
    return None


def check_column(series: Any, column: str, kind: str, *, coerce: bool, nullable: bool, dtype: str) -> tuple[list[str], Any]:
    """Problems of ``series`` for a feature of ``kind``, and the coerced column if coercion was needed."""
    problems: list[str] = []
    coerced = None
    if not _fits(series, kind):
        converted = _coerce(series, kind) if coerce and not kind.startswith("list[") else None
        if converted is None:
            problems.append(_dtype_problem(series, column, kind, dtype, coerce))
        else:
            coerced = converted
    if not nullable:
        n_null = int(series.isna().sum())
        if n_null:
            problems.append(
                f"column {column!r}: {n_null} null value(s) but the feature is not nullable "
                "(fill them, or create the feature with nullable=True)"
            )
    return problems, coerced


def _dtype_problem(series: Any, column: str, kind: str, dtype: str, coerce: bool) -> str:
    """The message of a dtype mismatch, in the wording pandera (and so LaminDB) uses."""
    hint = "the values cannot be converted" if coerce else "convert the column or create the feature with coerce=True"
    if kind.startswith("list["):
        why = _list_problem(series, kind[5:-1])
        return f"column {column!r}: dtype: expected {dtype}: {why}"
    name = str(series.name)  # pandera's wording names the series (an unnamed index: 'None')
    if str(series.dtype) in {"object", "category"}:
        found = _inferred(series)
        return (f"column {column!r}: dtype: expected {dtype}, found {found} "
                f"(Column {name!r} failed dtype check for {dtype!r}: got {series.dtype}; {hint})")
    return (f"column {column!r}: dtype: expected {dtype}, found {series.dtype} "
            f"(expected series {name!r} to have type {dtype}, got {series.dtype}; {hint})")
