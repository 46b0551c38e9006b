"""Write a polars DataFrame or LazyFrame to a staged file (parquet, csv or tsv) without pandas.

A LazyFrame is streamed to the file (``sink_*``), never collected whole.

>>> path, suffix, n = stage_polars(pl.DataFrame({"a": [1]}), key="x/y.csv")  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

_SUFFIXES = {".parquet", ".csv", ".tsv"}


def is_polars(obj: Any) -> bool:
    """True for a polars DataFrame or LazyFrame."""
    from ..formats._tables import is_polars_frame

    return is_polars_frame(obj)


def _suffix_for(key: str | None) -> str:
    suffix = Path(key).suffix.lower() if key else ""
    return suffix if suffix in _SUFFIXES else ".parquet"


def stage_polars(frame: Any, key: str | None, staging_path: Any) -> tuple[Path, str, int]:
    """``(path, suffix, n_rows)`` of ``frame`` written to a fresh staging file; the suffix follows ``key``."""
    import polars as pl

    suffix = _suffix_for(key)
    path = Path(staging_path(suffix))
    lazy = frame.lazy()
    try:
        if suffix == ".parquet":
            lazy.sink_parquet(path)
        else:
            lazy.sink_csv(path, separator="\t" if suffix == ".tsv" else ",")
        scan = pl.scan_parquet(path) if suffix == ".parquet" else pl.scan_csv(
            path, separator="\t" if suffix == ".tsv" else ",")
        n_rows = int(scan.select(pl.len()).collect().item())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, suffix, n_rows
