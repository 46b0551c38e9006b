"""Curators: validate DataFrames and AnnData objects against schemas, and annotate artifacts on save.

>>> curator = ln.curators.DataFrameCurator(df, schema)  # doctest: +SKIP
>>> curator.validate()  # doctest: +SKIP
>>> curator.cat.non_validated  # doctest: +SKIP
{'perturbation': ['IFNJ']}

The artifact registry calls the two hooks :func:`validate_for_artifact` (before anything is written)
and :func:`annotate_on_save` (after the artifact row is saved).
"""

from __future__ import annotations

from typing import Any

from .. import errors
from ._annotate import annotate_on_save
from ._composite import MuDataCurator, SpatialDataCurator, TiledbsomaExperimentCurator
from ._curator import AnnDataCurator, ComponentCurator, DataFrameCurator, coerced_copy
from ._files import check_file_schema, check_flat_values, flat_features_schema
from ._polars import is_polars, validate_polars
from ._result import ValidationResult
from ._validate import add_external, validate, validate_metadata

__all__ = [
    "AnnDataCurator", "ComponentCurator", "DataFrameCurator", "MuDataCurator", "SpatialDataCurator",
    "TiledbsomaExperimentCurator", "ValidationResult", "annotate_on_save", "check_file_schema", "validate",
    "validate_for_artifact",
]


def _not_in(schema: Any) -> str:
    from ..models._schema_def import feature_type_of

    feature_type = feature_type_of(schema.itype)
    if feature_type is not None:
        return f"create them with type={feature_type.name!r} (features of that type), or pass another schema"
    return "drop them, or add them to the schema's features"


def validate_for_artifact(data: Any, schema: Any, features: dict[str, Any] | None = None) -> ValidationResult:
    """Validate ``data`` and dataset-level ``features`` against ``schema`` or raise ``ln.errors.ValidationError``.

    Nothing is written. ``data=None`` validates only the ``features`` (any file with an ``__external__`` slot).

    >>> result = validate_for_artifact(df, schema)  # doctest: +SKIP
    """
    data_out = None
    flat = flat_features_schema(schema) if data is None else None
    if flat is not None:  # a plain file with a schema of features: the values passed along are its features
        check_flat_values(flat, features)
        result = ValidationResult(schema=schema, otype="Artifact")
        slot = validate_metadata(dict(features or {}), flat, "__external__")
        if slot.skipped:  # values passed explicitly are stored or refused, never dropped
            slot.problems.append(f"feature(s) {slot.skipped} are not in the schema: {_not_in(flat)}")
        result.slots.append(slot)
        if not result.ok:
            raise errors.ValidationError(result.message())
        return result
    if data is None or schema is None:
        result = ValidationResult(schema=schema, otype="Artifact")
    elif is_polars(data):
        result, data_out = validate_polars(data, schema)
    else:
        result = validate(data, schema)
    add_external(result, schema, features)
    if not result.ok:
        raise errors.ValidationError(result.message())
    if data_out is None and result.otype == "DataFrame":
        data_out = coerced_copy(data, result)
    result.data = data_out
    return result
