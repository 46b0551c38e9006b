"""What one HTTP request may ask of the database: allowed lookups and a time limit on its statements.

Query parameters become Django lookups (``size__gt=1000``); only the lookups below are accepted, so a
URL cannot run a regular expression (catastrophic backtracking) in the database. Every request runs
under a statement time limit: a progress handler on SQLite, ``statement_timeout`` on PostgreSQL.

>>> check_lookup("key__startswith")
>>> with statement_limit(5.0):  # doctest: +SKIP
...     Artifact.filter(description__contains="x").count()
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ._http import HTTPError

ALLOWED_LOOKUPS = frozenset({
    "exact", "iexact", "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith",
    "in", "gt", "gte", "lt", "lte", "isnull", "range", "date", "year", "month", "day",
})


def _known_lookups() -> frozenset[str]:
    """Every lookup or transform name Django registers on the field types registries use."""
    from django.db import models

    kinds: list[type[models.Field[Any, Any]]] = [models.CharField, models.TextField, models.IntegerField, models.BigIntegerField, models.FloatField,
             models.DateTimeField, models.DateField, models.BooleanField, models.ForeignKey, models.JSONField]
    names: set[str] = set()
    for kind in kinds:
        names |= set(kind.get_class_lookups())  # get_lookups() on a class
    return frozenset(names)


def check_lookup(key: str) -> None:
    """Refuse a query parameter that names a lookup outside :data:`ALLOWED_LOOKUPS` or a private field.

    >>> check_lookup("hash__regex")
    Traceback (most recent call last):
    ...
    lineagedb.server._http.HTTPError: the lookup 'regex' in 'hash__regex' is not allowed over HTTP; ...
    """
    known = _known_lookups()
    for part in key.split("__"):
        if part.startswith("_"):
            raise HTTPError(400, f"{key!r} names a private field; query public fields, relations or features")
        if part in known and part not in ALLOWED_LOOKUPS:
            raise HTTPError(400, f"the lookup {part!r} in {key!r} is not allowed over HTTP; "
                                 f"use one of {', '.join(sorted(ALLOWED_LOOKUPS))}")


def is_timeout(error: BaseException) -> bool:
    """Whether a database error is this module's time limit (SQLite interrupt, PostgreSQL cancel)."""
    text = str(error).strip().lower()
    return text == "interrupted" or "canceling statement due to statement timeout" in text


@contextmanager
def statement_limit(seconds: float | None) -> Iterator[None]:
    """Stop any SQL statement of this thread's default connection that runs after ``seconds`` from now.

    On SQLite the deadline covers all statements of the block; on PostgreSQL each statement gets
    ``seconds``. A stopped statement raises ``django.db.OperationalError`` (see :func:`is_timeout`).
    """
    from django.db import connection

    if not seconds:
        yield
        return
    connection.ensure_connection()
    raw: Any = connection.connection
    if connection.vendor == "sqlite":
        deadline = time.monotonic() + seconds
        raw.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
        try:
            yield
        finally:
            if connection.connection is raw:
                raw.set_progress_handler(None, 0)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = %s", [max(1, int(seconds * 1000))])
        try:
            yield
        finally:
            from django.db import DatabaseError

            try:
                if connection.connection is raw and not connection.needs_rollback:
                    with connection.cursor() as cursor:
                        cursor.execute("RESET statement_timeout")
            except DatabaseError:
                connection.close()  # a broken session must not keep the limit
    else:
        yield
