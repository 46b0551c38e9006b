"""``ln.save(records)``: save many records in bulk.

New records of one registry go in with one multi-row INSERT per batch (no per-record ORM work);
records that exist already (a Record or Feature of the same name and type) are returned in their place,
after the registry's ``_check_adoptable(existing)`` (a Feature's dtype must match) passed for all of them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, connections, models, router, transaction
from django.utils import timezone


def _first_of_each_name(model: Any, items: list[Any]) -> tuple[list[Any], list[tuple[Any, Any]]]:
    """Registries that adopt by name: keep the first of each (name, type); return the rest paired with that first one."""
    if not getattr(model, "_adopts_existing", False):
        return items, []
    first: dict[tuple, Any] = {}
    kept, copies = [], []
    for r in items:
        key = (r.name, r.type_id)
        if r.name and key in first:
            copies.append((r, first[key]))
        else:
            first.setdefault(key, r)
            kept.append(r)
    _check_adoptable(copies)
    return kept, copies


def _check_adoptable(pairs: list[tuple[Any, Any]]) -> None:
    """Each (new, stored) pair: the registry's own check that ``new`` may become ``stored`` (before any is changed)."""
    for new, stored in pairs:
        check = getattr(new, "_check_adoptable", None)
        if check is not None:
            check(stored)


def _adopt_existing(model: Any, items: list[Any]) -> list[Any]:
    """Replace new records whose (name, type) exists already by the stored ones; return those left to insert."""
    if not getattr(model, "_adopts_existing", False):
        return items
    names = sorted({r.name for r in items})
    hits: list[int] = []
    table = model._meta.db_table
    with connections[router.db_for_read(model)].cursor() as cur:  # a plain query: no per-value ORM work
        for i in range(0, len(names), 900):
            chunk = names[i:i + 900]
            cur.execute(f'SELECT "id" FROM "{table}" WHERE "name" IN ({", ".join(["%s"] * len(chunk))})', chunk)
            hits += [row[0] for row in cur.fetchall()]
    if not hits:
        return items
    found = {(r.name, r.type_id): r for r in model.objects.filter(id__in=hits)}
    pairs = [(r, found[(r.name, r.type_id)]) for r in items if (r.name, r.type_id) in found]
    _check_adoptable(pairs)
    for r, existing in pairs:
        r.__dict__.update({k: v for k, v in existing.__dict__.items() if k != "_state"})
        r._state.adding, r._state.db = False, existing._state.db
    return [r for r in items if r._state.adding]


def _converters(model: Any, connection: Any, now: Any) -> list[tuple[str, Any]]:
    """(column, fn(record) -> db value) for each inserted field, specialised once per registry."""
    out = []
    for f in model._meta.concrete_fields:
        if f.primary_key and isinstance(f, models.AutoField):
            continue
        attname = f.attname
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
            def conv(r: Any, a: str = attname, field: Any = f) -> Any:
                setattr(r, a, now)
                return now_db
        elif isinstance(f, (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)) \
                and not isinstance(f, models.JSONField):
            def conv(r: Any, a: str = attname, field: Any = f) -> Any:
                return r.__dict__.get(a)
        else:
            def conv(r: Any, a: str = attname, field: Any = f) -> Any:
                return field.get_db_prep_save(getattr(r, a), connection)
        out.append((f.column, conv))
    now_db = models.DateTimeField().get_db_prep_save(now, connection)
    return out


def _insert(model: Any, items: list[Any], batch_size: int) -> None:
    """Insert ``items`` with multi-row INSERTs and set their ids (looked up by uid)."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    converters = _converters(model, connection, timezone.now())
    cols = ", ".join(connection.ops.quote_name(c) for c, _ in converters)
    table = connection.ops.quote_name(model._meta.db_table)
    row = "(" + ", ".join(["%s"] * len(converters)) + ")"
    per_batch = max(1, min(batch_size, 30000 // len(converters)))
    uid_col = connection.ops.quote_name("uid")
    ids: dict[str, int] = {}
    with transaction.atomic(using=alias), connection.cursor() as cur:
        raw = cur.cursor
        for i in range(0, len(items), per_batch):
            chunk = items[i:i + per_batch]
            params = [conv(r) for r in chunk for _, conv in converters]
            sql = f"INSERT INTO {table} ({cols}) VALUES {', '.join([row] * len(chunk))} RETURNING {uid_col}, id"
            if connection.vendor == "sqlite":  # skip Django's %s -> ? rewrite of a very long statement
                sql = sql.replace("%s", "?")
                ids.update(sqlite3.Cursor.execute(raw, sql, params).fetchall())
            else:
                cur.execute(sql, params)
                ids.update(cur.fetchall())
    for r in items:
        r.id = ids[r.uid]
        r._state.adding, r._state.db = False, alias


def _save_model(model: Any, items: list[Any], batch_size: int) -> None:
    """Insert the new records of one registry (see ``save``), then run its hooks."""
    given = list(items)
    items, copies = _first_of_each_name(model, items)
    for attempt in range(3):
        items = _adopt_existing(model, items)
        if not items:
            break
        try:
            if any(f.name == "uid" for f in model._meta.concrete_fields) and len({r.uid for r in items}) == len(items):
                _insert(model, items, batch_size)
            else:
                model.objects.bulk_create(items, batch_size=batch_size)
            break
        except (IntegrityError, sqlite3.IntegrityError) as e:  # a concurrent writer saved some of these names first: adopt, retry
            if not getattr(model, "_adopts_existing", False) or attempt == 2:
                from ..errors import IntegrityError as LineageIntegrityError

                raise LineageIntegrityError(
                    f"ln.save: {model.__name__} records conflict with stored ones or with each other ({e}); "
                    "save them one by one to find the culprit"
                ) from None
    for copy, first in copies:  # the same name twice in one list: one record, returned for both
        copy.__dict__.update({k: v for k, v in first.__dict__.items() if k != "_state"})
        copy._state.adding, copy._state.db = False, first._state.db
    after = getattr(model, "_after_bulk_insert", None)  # e.g. bio: link ontology parents in bulk
    if after is not None and items:
        after(items)
    after_save = getattr(model, "_after_bulk_save", None)  # e.g. Record: the features= given to constructors
    if after_save is not None:
        after_save(given)


def save(records: Iterable[Any], batch_size: int = 2000) -> list[Any]:
    """Insert unsaved records with a few multi-row INSERTs per registry (records of a proxy model of a registry
    go with the registry's); save changed saved ones.

    >>> ln.save([ln.Record(name=f"r{i}") for i in range(10_000)])  # doctest: +SKIP
    """
    records = list(records)
    by_model: dict[type, list[Any]] = {}
    from ._base import check_lengths

    for r in records:
        if r._state.adding:
            check_lengths(r)
            by_model.setdefault(type(r)._meta.concrete_model, []).append(r)  # a proxy goes with its registry
        else:
            r.save()
    for model, items in by_model.items():
        with transaction.atomic(using=router.db_for_write(model)):  # with what the hooks store, or nothing
            _save_model(model, items, batch_size)
    return records
