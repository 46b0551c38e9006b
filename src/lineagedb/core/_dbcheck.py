"""The database's own integrity check, run by ``lineagedb check`` before it compares rows and files.

SQLite: ``PRAGMA integrity_check`` on a read-only connection of its own (works even when Django cannot
open the file). PostgreSQL: ``amcheck``'s B-tree checks of lineagedb's indexes when that extension is
installed in the database, else a plain round trip.

>>> from lineagedb.core._dbcheck import database_problems
>>> database_problems(ln.setup.current())   # doctest: +SKIP
[]
"""

from __future__ import annotations

from pathlib import Path

from .settings import InstanceSettings, mask_password

MAX_MESSAGES = 5


def _sqlite_problems(path: Path) -> list[str]:
    import sqlite3
    from contextlib import closing
    from urllib.parse import quote

    if not path.is_file():
        return [f"the database file {path} is missing"]
    try:
        with closing(sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=60)) as conn:
            rows = conn.execute(f"PRAGMA integrity_check({MAX_MESSAGES})").fetchall()
    except sqlite3.DatabaseError as e:
        return [f"SQLite cannot read {path}: {e}"]
    messages = [str(r[0]) for r in rows]
    return [] if messages == ["ok"] else [f"SQLite integrity_check of {path}: " + "; ".join(messages)]


def _postgres_problems() -> list[str]:
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'")
            if cur.fetchone() is None:
                cur.execute("SELECT 1")
                return []
            cur.execute(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a "
                "ON a.oid = c.relam WHERE a.amname = 'btree' AND (c.relname LIKE 'lineagedb%%' OR c.relname LIKE 'bio%%')"
            )
            for (index,) in cur.fetchall():
                cur.execute("SELECT bt_index_check(%s::regclass)", [index])
    except DatabaseError as e:
        return [f"PostgreSQL check failed: {mask_password(str(e).strip())}"]
    return []


def database_problems(inst: InstanceSettings) -> list[str]:
    """What the database's own check reports (an empty list when it is sound).

    For PostgreSQL, Django must already be configured for ``inst``.
    """
    return _postgres_problems() if inst.db else _sqlite_problems(inst.sqlite_path)
