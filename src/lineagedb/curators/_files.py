"""Which schemas a plain file artifact (``ln.Artifact(path, schema=...)``) may carry, and how it is validated.

A file's bytes are not read: a schema that describes table columns or AnnData slots needs the matching
``from_*`` constructor; a schema of features (or one with an ``__external__`` slot) validates the
``features=`` values passed alongside the file.

>>> check_file_schema(schema, suffix=".txt", otype=None, explicit_otype=False)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from .. import errors

_TABULAR = {".csv", ".tsv", ".parquet"}
_CONTENT_OTYPES = {"AnnData": "from_anndata", "MuData": "from_mudata", "SpatialData": "from_spatialdata"}


def _label(schema: Any) -> str:
    return f"Schema '{schema.name}'" if schema.name else f"the schema ({schema.uid})"


def _has_members(schema: Any) -> bool:
    return bool(schema.feature_links())


def check_file_schema(schema: Any, *, suffix: str, otype: str | None, explicit_otype: bool) -> None:
    """Refuse a schema that a plain file cannot be validated against (before anything is written).

    Raises ``ln.errors.ValidationError`` on a suffix mismatch and ``ln.errors.InvalidArgument`` when the
    schema describes the file's content (use ``from_dataframe`` / ``from_anndata``).
    """
    if schema.suffix and suffix != schema.suffix:
        raise errors.ValidationError(
            f"Artifact not validated. Artifact suffix {suffix!r} does not match schema suffix {schema.suffix!r}."
        )
    content_slots = [s for s in schema.slots if s != "__external__"]
    if schema.otype in _CONTENT_OTYPES or content_slots:
        constructor = _CONTENT_OTYPES.get(schema.otype or "", "from_anndata")
        raise errors.InvalidArgument(
            f"{_label(schema)} describes the content of an {schema.otype or 'object'} (slots {content_slots}); "
            f"load the object and use ln.Artifact.{constructor}(obj, schema=...)"
        )
    if not _has_members(schema):
        return
    if schema.otype == "DataFrame" or otype == "DataFrame" or suffix in _TABULAR:
        raise errors.InvalidArgument(
            f"{_label(schema)} validates DataFrame columns, which a file path is not checked against; "
            f"load the table and use ln.Artifact.from_dataframe(df, schema=...)"
        )
    if explicit_otype and "__external__" not in schema.slots:
        raise errors.InvalidArgument(
            f"{_label(schema)} has features but the artifact has otype {otype!r}: put dataset-level features in "
            "an '__external__' slot, e.g. ln.Schema(slots={'__external__': features_schema})"
        )


def flat_features_schema(schema: Any) -> Any:
    """The schema whose features the ``features=`` values of a plain file are validated against, or None:
    a schema listing features, or a feature type's schema (``ln.Schema(itype=feature_type)``)."""
    if schema is None or schema.slots:
        return None
    if _has_members(schema) or (schema.itype or "").startswith("Feature["):
        return schema
    return None


def check_flat_values(schema: Any, features: dict[str, Any] | None) -> None:
    """A file with a schema of features needs values for them (``features={...}``)."""
    if not features:
        names = [f.name for f, optional in schema.feature_links() if not optional]
        wanted = f"values for {names}" if names else "values of features of its feature type"
        raise errors.ValidationError(
            f"{_label(schema)} requires feature values but no feature values were provided: "
            f"pass features={{...}} with {wanted}"
        )
