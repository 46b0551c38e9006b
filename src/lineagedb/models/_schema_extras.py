"""Small accessors of a Schema: ``schema.formats`` (per-format constraints) and ``schema.optionals``.

>>> schema.formats.zarr = {"zarr_format": 3}  # doctest: +SKIP
>>> schema.save(); schema.optionals.get_uids()  # doctest: +SKIP
['Qv1xYz0AbC12']
"""

from __future__ import annotations

from typing import Any

# file formats a schema can describe (Schema(suffix=...))
SCHEMA_SUFFIXES = (
    ".anndata.zarr", ".csv", ".h5ad", ".h5mu", ".json", ".jsonl", ".mudata.zarr", ".ome.zarr", ".parquet",
    ".spatialdata.zarr", ".tiledbsoma", ".tsv", ".txt", ".xlsx", ".zarr",
)


class SchemaFormats:
    """Constraints per file format, kept in ``schema.config["formats"]``; they are not part of the hash."""

    _FORMATS = ("zarr",)

    def __init__(self, schema: Any) -> None:
        object.__setattr__(self, "_schema", schema)

    def __getattr__(self, name: str) -> Any:
        if name not in self._FORMATS:
            raise AttributeError(f"schema.formats has {list(self._FORMATS)}, not {name!r}")
        return ((self._schema.config or {}).get("formats") or {}).get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._FORMATS:
            raise AttributeError(f"schema.formats has {list(self._FORMATS)}, not {name!r}")
        if value is not None and not isinstance(value, dict):
            raise TypeError(f"{name} constraints must be a dict or None, not {type(value).__name__}")
        config = dict(self._schema.config or {})
        formats = {k: v for k, v in (config.get("formats") or {}).items() if k != name}
        if value is not None:
            formats[name] = value
        if formats:
            config["formats"] = formats
        else:
            config.pop("formats", None)
        self._schema.config = config or None


class SchemaOptionals:
    """The features of a schema marked ``with_config(optional=True)``."""

    def __init__(self, schema: Any) -> None:
        self._schema = schema

    def get(self) -> list[Any]:
        """The optional features, in schema order."""
        return [f for f, optional in self._schema.feature_links() if optional]

    def get_uids(self) -> list[str]:
        """The uids of the optional features."""
        return [f.uid for f in self.get()]
