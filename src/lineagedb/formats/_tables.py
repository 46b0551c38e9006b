"""Tables: parquet, CSV and TSV files as pandas DataFrames; parquet also streams as a pyarrow dataset.

>>> df = artifact.load()          # a DataFrame  # doctest: +SKIP
>>> ds = artifact.open()          # parquet only: a pyarrow.dataset.Dataset  # doctest: +SKIP
>>> ds.to_table(columns=["perturbation"]).to_pandas()  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from . import register


def _fs_and_path(path: Any) -> tuple[Any, str]:
    """(fsspec filesystem or None, path string) for a local Path/str or a UPath."""
    protocol = getattr(path, "protocol", "")
    if protocol in ("", "file", "local") or isinstance(path, (str, Path)) and "://" not in str(path):
        return None, os.fspath(path)
    return path.fs, path.path


def check_columns(df: Any) -> None:
    """Refuse column names that would not survive a round trip: duplicates and non-strings."""
    from ..errors import InvalidArgument

    names = list(df.columns)
    not_str = [c for c in names if not isinstance(c, str)]
    if not_str:
        raise InvalidArgument(
            f"DataFrame column names must be strings; got {not_str[:5]!r}. Rename them first, e.g. "
            "df.columns = df.columns.map(str)"
        )
    if df.columns.has_duplicates:
        dupes = sorted(set(df.columns[df.columns.duplicated()]))
        raise InvalidArgument(f"DataFrame has duplicate column names {dupes[:5]!r}; make them unique first")


def write_parquet(df: Any, path: str | os.PathLike) -> None:
    """Write a DataFrame (index, categoricals and ``df.attrs`` included) to a parquet file."""
    check_columns(df)
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=True)
    if df.attrs:
        metadata = dict(table.schema.metadata or {})
        metadata[b"PANDAS_ATTRS"] = json.dumps(df.attrs, default=str).encode()
        table = table.replace_schema_metadata(metadata)
    pq.write_table(table, os.fspath(path))


def load_parquet(path: Any) -> Any:
    import pandas as pd

    fs, p = _fs_and_path(path)
    return pd.read_parquet(p, filesystem=fs) if fs is not None else pd.read_parquet(p)


def open_parquet(path: Any) -> Any:
    """A lazy ``pyarrow.dataset.Dataset``: filter rows and pick columns before reading."""
    import pyarrow.dataset as ds

    fs, p = _fs_and_path(path)
    return ds.dataset(p, format="parquet", filesystem=fs)


def _read_csv(path: Any, sep: str) -> Any:
    import pandas as pd

    fs, p = _fs_and_path(path)
    if fs is None:
        return pd.read_csv(p, sep=sep)
    with fs.open(p, "rb") as f:
        return pd.read_csv(f, sep=sep)


def load_csv(path: Any) -> Any:
    return _read_csv(path, ",")


def load_tsv(path: Any) -> Any:
    return _read_csv(path, "\t")


register(".parquet", load=load_parquet, open=open_parquet)
register(".csv", load=load_csv)
register(".tsv", load=load_tsv)
