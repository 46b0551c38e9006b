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

    def add(self, features: Any) -> None:
        """Mark member features optional (one Feature or a list); the schema's hash follows its definition.

        Refused once artifacts were validated against the saved schema (they were checked with the old rule).

        >>> schema.optionals.add(ln.Feature.get(name="note"))  # doctest: +SKIP
        """
        from django.db import transaction

        from .. import errors
        from ._schema_def import definition_hash
        from .schema import Schema, SchemaFeature

        schema = self._schema
        wanted = features if isinstance(features, (list, tuple)) else [features]
        members = {f.pk: f for f, _ in schema.feature_links()}
        strangers = [getattr(f, "name", f) for f in wanted if getattr(f, "pk", None) not in members]
        if strangers:
            raise errors.InvalidArgument(f"features {strangers} are not members of this schema; only members can be optional")
        ids = {f.pk for f in wanted}
        if schema._state.adding:
            schema._pending["features"] = [(f, {**c, "optional": True} if f.pk in ids else c) for f, c in schema._pending["features"]]
            return
        if schema.validated_artifacts.exists() or schema.links_artifact.exists():
            raise errors.InvalidArgument(
                "artifacts were validated against this schema: create a new schema with "
                "feature.with_config(optional=True) instead of changing this one"
            )
        with transaction.atomic():
            SchemaFeature.objects.filter(schema=schema, feature_id__in=ids).update(optional=True)
            schema._saved_definition.pop("features", None)
            pending = {"features": [(f, {"optional": o}) for f, o in schema.feature_links()],
                       "slots": schema.slots, "members": None}
            new_hash = definition_hash(schema, pending)
            twin = Schema.objects.filter(hash=new_hash, branch=1).exclude(pk=schema.pk).first()
            if twin is not None:
                raise errors.InvalidArgument(f"schema {twin.uid} already has this definition: use ln.Schema.get({twin.uid!r})")
            Schema.objects.filter(pk=schema.pk).update(hash=new_hash)
            schema.hash = new_hash
