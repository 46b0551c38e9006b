"""How an artifact with a schema is validated before anything is written and annotated when it is saved.

The curators do the work, but they sit above the registries: they plug in here when the Django app loads
(``lineagedb/apps.py``), so ``models`` never imports them. The three functions below are what ``Artifact`` and
its ``from_*`` constructors call.

>>> validation = validate_for_schema(df, schema)  # doctest: +SKIP
>>> annotate_on_save(artifact, validation)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from .. import errors
from ..core import storage as st


class SchemaValidation(Protocol):
    """What the registries need from the validator (the ``lineagedb.curators`` module implements it)."""

    def validate_for_artifact(self, data: Any, schema: Any, features: dict[str, Any] | None = None) -> Any:
        """Validate ``data`` and dataset-level ``features`` against ``schema``; raise or return the result."""

    def check_file_schema(self, schema: Any, *, suffix: str, otype: str | None, explicit_otype: bool) -> None:
        """Refuse a schema a plain file with this suffix cannot be validated against."""

    def flat_features_schema(self, schema: Any) -> Any:
        """The schema whose features a plain file's ``features=`` values are validated against, or None."""

    def annotate_on_save(self, artifact: Any, result: Any) -> Any:
        """Write the annotations a validation produced (inside the save transaction)."""


_PLUGGED: list[Callable[[], SchemaValidation]] = []


def plug_validation(loader: Callable[[], SchemaValidation]) -> None:
    """Register the validator; ``loader`` returns it and is called on first use (most sessions never validate)."""
    _PLUGGED[:] = [loader]


def _validation() -> SchemaValidation:
    if not _PLUGGED:
        raise errors.InstanceNotSetup(
            "no schema validator is plugged in: the lineagedb Django app was not loaded (connect an instance with "
            "ln.connect(), which loads it)"
        )
    return _PLUGGED[0]()


def validate_for_schema(data: Any, schema: Any, features: dict[str, Any] | None = None) -> Any:
    """Validate ``data`` (and dataset-level ``features``) against ``schema`` before anything is written.

    None without a schema and without features.
    """
    if schema is None and not features:
        return None
    return _validation().validate_for_artifact(data, schema, features)


def check_file_schema(schema: Any, path: Any, otype: str | None, explicit_otype: bool, features: Any) -> bool:
    """Refuse a schema a plain file cannot carry; True if its feature values must come from an existing
    artifact with the same content (none were passed)."""
    validation = _validation()
    validation.check_file_schema(schema, suffix=st.suffix_of(str(path)), otype=otype, explicit_otype=explicit_otype)
    return not features and (validation.flat_features_schema(schema) is not None or "__external__" in schema.slots)


def annotate_on_save(artifact: Any, validation: Any) -> None:
    """Write the annotations a validation produced (inside the save transaction)."""
    if validation is not None:
        _validation().annotate_on_save(artifact, validation)
