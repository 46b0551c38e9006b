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


def write_parquet(df: Any, path: str | os.PathLike, **parquet_kwargs: Any) -> None:
    """Write a DataFrame (index, categoricals and ``df.attrs`` included) to a parquet file.

    ``parquet_kwargs`` go to ``pyarrow.parquet.write_table`` (``sorting_columns=``, ``row_group_size=``,
    ``compression=``, ...). A polars DataFrame or LazyFrame is written by polars itself (a LazyFrame
    streams to the file without being collected in memory); its kwargs go to polars' writer.
    """
    if is_polars_frame(df):
        _write_polars(df, path, parquet_kwargs)
        return
    check_columns(df)
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=True)
    if df.attrs:
        metadata = dict(table.schema.metadata or {})
        metadata[b"PANDAS_ATTRS"] = json.dumps(df.attrs, default=str).encode()
        table = table.replace_schema_metadata(metadata)
    pq.write_table(table, os.fspath(path), **parquet_kwargs)


def _write_polars(df: Any, path: str | os.PathLike, parquet_kwargs: dict[str, Any]) -> None:
    from ..errors import InvalidArgument

    names = list(df.collect_schema().names()) if type(df).__name__ == "LazyFrame" else list(df.columns)
    if len(set(names)) != len(names):
        raise InvalidArgument(f"polars frame has duplicate column names {names}; make them unique first")
    if type(df).__name__ == "LazyFrame":
        df.sink_parquet(os.fspath(path), **parquet_kwargs)
    else:
        df.write_parquet(os.fspath(path), **parquet_kwargs)


def load_parquet(path: Any, engine: str = "pandas", **kwargs: Any) -> Any:
    """A pandas DataFrame (``engine="polars"``: a polars DataFrame)."""
    fs, p = _fs_and_path(path)
    if _engine(engine) == "polars":
        import polars as pl

        return pl.read_parquet(p if fs is None else path.as_uri() if hasattr(path, "as_uri") else str(path), **kwargs)
    import pandas as pd

    return pd.read_parquet(p, filesystem=fs, **kwargs) if fs is not None else pd.read_parquet(p, **kwargs)


def open_parquet(path: Any, engine: str = "pyarrow", **kwargs: Any) -> Any:
    """A lazy ``pyarrow.dataset.Dataset`` (``engine="polars"``: a polars ``LazyFrame``): filter rows and pick
    columns before reading."""
    fs, p = _fs_and_path(path)
    if _engine(engine, opening=True) == "polars":
        import polars as pl

        return _closable(pl.scan_parquet(p if fs is None else str(path), **kwargs))
    import pyarrow.dataset as ds

    return ds.dataset(p, format="parquet", filesystem=fs, **kwargs)


_CLOSABLE: list[type] = []


def _closable(lazy: Any) -> Any:
    """The LazyFrame, usable as is or as ``with artifact.open(engine="polars") as lazy: ...``."""
    if not _CLOSABLE:
        import polars as pl

        class LazyFrame(pl.LazyFrame):  # same name: code that checks the class name treats it as one
            """A polars LazyFrame that is also a context manager (it holds no open handle to close)."""

            def __enter__(self) -> LazyFrame:
                return self

            def __exit__(self, *exc: Any) -> None:
                return None

        _CLOSABLE.append(LazyFrame)
    return _CLOSABLE[0]._from_pyldf(lazy._ldf)  # type: ignore[attr-defined]  # polars' own constructor


def is_polars_frame(obj: Any) -> bool:
    """True for a polars DataFrame or LazyFrame, subclasses included (polars is not imported)."""
    return any(c.__module__.startswith("polars") and c.__name__ in {"DataFrame", "LazyFrame"} for c in type(obj).__mro__)


def _engine(engine: str, opening: bool = False) -> str:
    allowed = ("pyarrow", "polars") if opening else ("pandas", "polars")
    if engine not in allowed:
        from ..errors import InvalidArgument

        raise InvalidArgument(f"engine must be one of {allowed}, not {engine!r}")
    return engine


def _read_csv(path: Any, sep: str, engine: str = "pandas", **kwargs: Any) -> Any:
    fs, p = _fs_and_path(path)
    if _engine(engine) == "polars":
        import polars as pl

        if fs is None:
            return pl.read_csv(p, separator=sep, **kwargs)
        with fs.open(p, "rb") as f:
            return pl.read_csv(f, separator=sep, **kwargs)
    import pandas as pd

    if fs is None:
        return pd.read_csv(p, sep=sep, **kwargs)
    with fs.open(p, "rb") as f:
        return pd.read_csv(f, sep=sep, **kwargs)


def load_csv(path: Any, **kwargs: Any) -> Any:
    return _read_csv(path, ",", **kwargs)


def load_tsv(path: Any, **kwargs: Any) -> Any:
    return _read_csv(path, "\t", **kwargs)


register(".parquet", load=load_parquet, open=open_parquet)
register(".csv", load=load_csv)
register(".tsv", load=load_tsv)
