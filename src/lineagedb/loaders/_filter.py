"""``obs_filter`` of a mapped collection: keep only the cells whose obs values match.

``{"cell_type": "T cell"}``, ``{"cell_type": ["T cell", "B cell"], "assay": "10x"}``; ``np.nan`` among the
values matches missing values. LaminDB's older form ``("cell_type", ("T cell", "B cell"))`` works too.

>>> collection.mapped(obs_keys="cell_type", obs_filter={"tissue": ["lung", "liver"]})  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgument
from . import _store


def normalize(obs_filter: Any) -> dict[str, list[Any]]:
    """The filter as ``{key: [values]}``."""
    if obs_filter is None:
        return {}
    if isinstance(obs_filter, tuple) and len(obs_filter) == 2 and isinstance(obs_filter[0], str):
        obs_filter = {obs_filter[0]: obs_filter[1]}
    if not isinstance(obs_filter, dict):
        raise InvalidArgument(
            f"obs_filter must be a dict such as {{'cell_type': ['T cell', 'B cell']}}, not {type(obs_filter).__name__}"
        )
    out = {}
    for key, values in obs_filter.items():
        out[key] = list(values) if isinstance(values, (list, tuple, set, np.ndarray)) else [values]
    return out


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and np.isnan(value)


def _matches(column: Any, values: list[Any]) -> np.ndarray:
    import pandas as pd

    series = pd.Series(np.asarray(column, dtype=object))
    wanted = [v for v in values if not _is_nan(v)]
    mask = series.isin(wanted).to_numpy()
    if any(_is_nan(v) for v in values):
        mask |= series.isna().to_numpy()
    return mask


def rows_per_file(paths: list[str], obs_filter: dict[str, list[Any]]) -> list[np.ndarray | None]:
    """Per file the sorted row numbers that pass the filter (None: no filter, every row)."""
    if not obs_filter:
        return [None] * len(paths)
    out: list[np.ndarray | None] = []
    for path in paths:
        keep = [_matches(_obs_column(path, key), values) for key, values in obs_filter.items()]
        out.append(np.flatnonzero(np.logical_and.reduce(keep)).astype(np.int64))
    return out


def _obs_column(path: str, key: str) -> Any:
    try:
        return _store.read_obs_column(path, key)
    except KeyError:
        raise InvalidArgument(f"obs_filter key {key!r} is missing in {path}; filter on keys every file has") from None
