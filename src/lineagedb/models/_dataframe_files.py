"""``Artifact.from_dataframe(path, schema=...)``: validate a parquet/csv/tsv file before it becomes an artifact.

With polars installed and a schema that lists its features (no index, not flexible), the file is scanned
lazily and validated by polars queries; otherwise it is read with pandas. Unchanged data keeps the file's
own bytes; when the schema coerced columns, the coerced table is stored instead (same format).

>>> ln.Artifact.from_dataframe("data/x.parquet", key="x.parquet", schema=schema).save()  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import errors
from ._artifact_validation import validate_for_schema

SUFFIXES = {".parquet", ".csv", ".tsv"}


def _polars_can_scan(schema: Any) -> bool:
    try:
        import polars  # noqa: F401
    except ImportError:
        return False
    slots = schema.slots or {}
    main = slots.get("columns", schema)
    return (schema.index_id is None and main.index_id is None and "attrs" not in slots
            and not (main.flexible and not main.feature_links()))


def read_table(path: Path, schema: Any) -> Any:
    """A polars LazyFrame scanning ``path`` when polars can validate it against ``schema``, else a pandas frame."""
    suffix = path.suffix.lower()
    sep = "\t" if suffix == ".tsv" else ","
    if _polars_can_scan(schema):
        import polars as pl

        return pl.scan_parquet(path) if suffix == ".parquet" else pl.scan_csv(path, separator=sep)
    import pandas as pd

    return pd.read_parquet(path) if suffix == ".parquet" else pd.read_csv(path, sep=sep)


def _n_rows(frame: Any) -> int:
    if hasattr(frame, "collect_schema"):
        import polars as pl

        return int(frame.lazy().select(pl.len()).collect().item())
    return len(frame)


def from_dataframe_file(cls: Any, path: Any, *, key: str | None, schema: Any, **kwargs: Any) -> Any:
    """The artifact of a table file, validated against ``schema`` first (``ln.errors.ValidationError``)."""
    from ._polars_io import is_polars, stage_polars
    from .artifact import staging_path

    local = Path(str(path))
    suffix = local.suffix.lower()
    if suffix not in SUFFIXES:
        raise errors.InvalidArgument(
            f"from_dataframe() reads {sorted(SUFFIXES)} files, not {str(path)!r}"
            + (": a folder; register it with ln.Artifact(path, key=...)" if local.is_dir() else ": load it into a DataFrame first")
        )
    if not local.exists():
        raise errors.InvalidArgument(f"no such file: {str(path)!r}")
    if schema is None:
        return cls(local, key=key, otype="DataFrame", **kwargs)
    frame = read_table(local, schema)
    validation = validate_for_schema(frame, schema, kwargs.pop("features", None))
    data = validation.data
    if data is None or data is frame:
        return cls(local, key=key, schema=schema, otype="DataFrame", n_observations=_n_rows(frame),
                   _validation=validation, **kwargs)
    if is_polars(data):
        staged, suffix, n_rows = stage_polars(data, key or local.name, staging_path)
    else:
        staged, n_rows = Path(staging_path(suffix)), len(data)
        if suffix == ".parquet":
            data.to_parquet(staged)
        else:
            data.to_csv(staged, sep="\t" if suffix == ".tsv" else ",", index=False)
    return cls._from_local_file(staged, suffix, otype="DataFrame", n_observations=n_rows, key=key, schema=schema,
                                validation=validation, **kwargs)
