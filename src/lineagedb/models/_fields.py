"""Field helpers shared by the registries."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import models

from ..core.uids import base62


def uid_field(length: int) -> models.CharField:
    """A unique random base62 uid of ``length`` characters."""
    return models.CharField(max_length=length, unique=True, db_index=True, default=partial(base62, length), editable=False)


# The defaults of the shared fields (models/_tracked.py); migrations name them by this module's path.
def _current_user_id() -> int | None:
    from ..core.instance import current_user

    return current_user().id


def _current_run_id() -> int | None:
    from ..core.context import get_run

    run = get_run()
    return run.id if run is not None else None


def created_by() -> models.ForeignKey:
    """The user who created the record (the current user)."""
    return models.ForeignKey("lineagedb.User", models.PROTECT, default=_current_user_id, related_name="+")


def created_at() -> models.DateTimeField:
    return models.DateTimeField(auto_now_add=True, db_index=True)


def branch() -> models.SmallIntegerField:
    """1: main, -1: trash."""
    return models.SmallIntegerField(default=1, db_index=True)


def field_name(field: Any) -> str:
    """The name of a field given as a string, a registry attribute (``ln.Record.name``) or a Django field.

    >>> field_name("name"), field_name(ln.Record.name)  # doctest: +SKIP
    ('name', 'name')
    """
    if isinstance(field, str):
        return field
    inner = getattr(field, "field", field)  # ln.Record.name is a descriptor holding the field
    name = getattr(inner, "name", None)
    if not isinstance(name, str):
        from .. import errors

        raise errors.InvalidArgument(f"expected a field name or a registry field such as ln.Record.name, not {field!r}")
    return name


class CoerceAlias:
    """``coerce``: LaminDB's name for a registry's ``coerce_dtype`` field (True when set, None when not, as
    LaminDB reports an unset flag). Mixed into Feature and Schema.

    >>> ln.Feature(name="age", dtype=int, coerce=True).coerce  # doctest: +SKIP
    True
    """

    coerce_dtype: bool

    @property
    def coerce(self) -> bool | None:
        return True if self.coerce_dtype else None

    @coerce.setter
    def coerce(self, value: bool) -> None:
        self.coerce_dtype = bool(value)
