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
from ._curator import AnnDataCurator, DataFrameCurator, coerced_copy
from ._polars import is_polars, validate_polars
from ._result import ValidationResult
from ._validate import validate

__all__ = ["AnnDataCurator", "DataFrameCurator", "ValidationResult", "annotate_on_save", "validate", "validate_for_artifact"]


def validate_for_artifact(data: Any, schema: Any) -> ValidationResult:
    """Validate ``data`` against ``schema`` or raise ``ln.errors.ValidationError``; nothing is written.

    >>> result = validate_for_artifact(df, schema)  # doctest: +SKIP
    """
    if is_polars(data):
        result, data_out = validate_polars(data, schema)
    else:
        result = validate(data, schema)
        data_out = None
    if not result.ok:
        raise errors.ValidationError(result.message())
    if data_out is None and result.otype == "DataFrame":
        data_out = coerced_copy(data, result)
    result.data = data_out
    return result
