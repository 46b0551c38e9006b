"""Checks a registry runs when a user constructs a record: required fields and field validators.

>>> ln.ULabel()                                    # doctest: +SKIP
FieldValidationError: ULabel() requires name: pass ULabel(name=...)
>>> ln.Reference(name="x", doi="not-a-doi")        # doctest: +SKIP
FieldValidationError: Reference.doi got 'not-a-doi': Enter a valid DOI ...
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

from .. import errors

if TYPE_CHECKING:
    from ._base import BaseRecord

_DOI = re.compile(r"^10\.\d+(\.\d+)*/\S+$")


def validate_doi(value: str) -> None:
    """Django validator: a DOI is ``10.<registrant>/<suffix>`` (a ``doi.org`` URL or ``doi:`` prefix is fine).

    >>> validate_doi("10.1016/j.cell.2021.04.048")
    """
    bare = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", value.strip(), flags=re.IGNORECASE)
    if not _DOI.match(bare):
        raise DjangoValidationError("Enter a valid DOI, e.g. '10.1016/j.cell.2021.04.048'")


def _required(model: type[BaseRecord]) -> tuple[str, ...]:
    """The registry's declared ``_required`` fields, else its text fields without default that are not nullable."""
    names: tuple[str, ...] | None = model.__dict__.get("_required_cache")
    if names is None and model._required is not None:
        names = model._required
        model._required_cache = names
    if names is None:
        names = tuple(
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField))
            and not (f.null or f.blank or f.has_default() or f.primary_key or f.name.startswith("_"))
        )
        model._required_cache = names
    return names


def check_required(model: type[BaseRecord], kwargs: dict[str, Any]) -> None:
    """Refuse a construction that leaves a required text field (no default, not nullable) empty.

    >>> check_required(ln.ULabel, {"description": "x"})  # doctest: +SKIP
    FieldValidationError: ULabel() requires name: pass ULabel(name=...)
    """
    missing = [n for n in _required(model) if kwargs.get(n) in (None, "")]
    if missing:
        example = ", ".join(f"{n}=..." for n in missing)
        raise errors.FieldValidationError(
            f"{model.__name__}() requires {', '.join(missing)}: pass {model.__name__}({example})"
        )


def check_validators(model: type[BaseRecord], kwargs: dict[str, Any]) -> None:
    """Run the fields' own validators (URL, DOI, ...) on the given values; lengths are checked on save.

    >>> check_validators(ln.Reference, {"url": "not a url"})  # doctest: +SKIP
    FieldValidationError: Reference.url got 'not a url': Enter a valid URL.
    """
    for name, value in kwargs.items():
        if value is None or not isinstance(value, str):
            continue
        try:
            field = model._meta.get_field(name)
        except Exception:
            continue
        for validator in getattr(field, "validators", ()):
            if isinstance(validator, MaxLengthValidator):
                continue
            try:
                validator(value)
            except DjangoValidationError as exc:
                reason = " ".join(str(m) for m in exc.messages)
                raise errors.FieldValidationError(
                    f"{model.__name__}.{name} got {value!r}: {reason} Pass a valid value or leave it out"
                ) from None
