"""Which saved artifact a new one *is*, if any: the lookups behind ``Artifact(...)`` and ``save()``.

- a file registered in place (inside a registered storage root) is identified by its path: the same
  path with the same content gives the saved artifact; another path with the same content is a new
  artifact (``skip_hash_lookup=False`` looks the content up instead, and follows a moved file);
- anything copied into storage is identified by its content hash (``skip_hash_lookup=True`` skips it);
- empty files are never looked up by hash (every empty file has the same one);
- on ``save()``, a new artifact whose key's latest version already has the same content and storage
  becomes that saved artifact instead of a duplicate version.

Whenever an existing artifact is returned under another key than the one passed, a warning says so.
"""

from __future__ import annotations

import logging
from typing import Any

from ..core import storage as st
from ..core.context import visible_branch_ids

logger = logging.getLogger("lineagedb")


def info(message: str) -> None:
    from ..core.user_settings import settings

    if settings.verbosity in ("info", "debug"):
        print(f"→ {message}")


def find_existing(model: Any, source: Any, key: str | None, skip_hash_lookup: bool | None) -> Any:
    """The saved artifact ``Artifact(source, key=key)`` stands for, or None to create a new one."""
    in_place = source.real_key is not None
    if skip_hash_lookup is None:
        skip_hash_lookup = in_place or source.hashed.size == 0
    if skip_hash_lookup:
        if not in_place:
            return None
        same_path = model.objects.filter(storage_id=source.storage.id, _real_key=source.real_key,
                                         hash=source.hashed.hash, branch__in=visible_branch_ids())
        existing = same_path.order_by("-is_latest", "-id").first()
        if existing is not None:
            info(f"returning the existing artifact {existing.uid} registered at this path")
        return existing
    existing = by_hash(model, source.hashed.hash)
    if existing is None:
        return None
    if in_place and existing.storage_id == source.storage.id and existing._real_key not in (None, source.real_key):
        _follow_move(existing, source.real_key)
        return existing
    if key is not None and existing.key != key:
        logger.warning(
            f"returning the existing artifact {existing.uid} (key={existing.key!r}, suffix {existing.suffix!r}): "
            f"it has the same content; your key {key!r} was not used. Pass skip_hash_lookup=True to register "
            "the same content under a second key"
        )
    else:
        info(f"returning the existing artifact with the same hash: {existing.uid} (key={existing.key!r}); "
             "pass skip_hash_lookup=True to create a new one")
    return existing


def _follow_move(existing: Any, new_rel: str) -> None:
    """The file of an in-place artifact moved within its root: point the (unsaved) record at the new path."""
    old_path = existing.path
    if st.is_local(old_path) and st.local_path(old_path).exists():
        info(f"returning the existing artifact {existing.uid} with the same content at {old_path}")
        return
    old_key, old_rel = existing.key, existing._real_key
    existing._real_key = new_rel
    if old_key is None or old_key == old_rel:  # the key was the path: it follows the file
        existing.key = new_rel
    logger.warning(f"updating previous key {old_key} to new key {existing.key}: the file moved; save() to keep it")


def by_hash(model: Any, hash_: str) -> Any:
    """The oldest artifact with this content hash on main or the current branch (one raw query on the hot path)."""
    from django.db import connection

    branches = visible_branch_ids()
    with connection.cursor() as cur:
        table, column = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name("hash")
        cur.execute(f"SELECT id FROM {table} WHERE {column} = %s AND branch IN ({', '.join(['%s'] * len(branches))}) "
                    "ORDER BY id LIMIT 1", [hash_, *branches])
        row = cur.fetchone()
    return None if row is None else model.objects.get(pk=row[0])


def same_key_and_content(record: Any) -> Any:
    """On save: the latest version under ``record.key`` if it has the same content and storage, else None."""
    if record.key is None or record._revises is not None:
        return None
    return (
        type(record).objects.filter(key=record.key, is_latest=True, hash=record.hash, storage_id=record.storage_id,
                                    branch__in=visible_branch_ids()).first()
    )


def adopt(record: Any, existing: Any) -> None:
    """Make the unsaved ``record`` the saved ``existing`` one (all column values, saved state)."""
    for f in type(record)._meta.concrete_fields:
        setattr(record, f.attname, getattr(existing, f.attname))
    record._state.adding, record._state.db = False, existing._state.db
