"""An SQLite connection that keeps the query planner's statistics current (``PRAGMA optimize``).

Without statistics SQLite's planner takes every single-column index as equally selective. Every class-level
query filters on ``branch`` (main or the current branch), so ``Record.get(name=...)`` could walk the
``branch`` index (every row of the main branch) instead of the ``name`` index: 35 ms instead of 0.6 ms at
100,000 records, growing with the table. SQLite's advice is to run ``PRAGMA optimize`` as a connection
closes: it runs ``ANALYZE`` on the tables this connection's queries needed statistics for that have none,
or whose size changed a lot since, and does nothing otherwise. ``analysis_limit`` makes each ``ANALYZE``
read a sample of every index (milliseconds, even at millions of rows).

This wrapper runs it when Django closes the connection and when the process exits; a database that is
busy (another writer) or read-only is left as it is, without waiting.

>>> DATABASES = {"default": {"ENGINE": "lineagedb.core._sqlitebackend", "NAME": "db.sqlite3"}}  # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import sqlite3
from typing import Any

from django.db.backends.sqlite3.base import DatabaseWrapper as _SQLiteWrapper

ANALYSIS_LIMIT = 1000  # index entries each ANALYZE samples (SQLite suggests 100 to 1000)


def optimize(conn: sqlite3.Connection | None) -> None:
    """``PRAGMA optimize`` on an open connection outside a transaction; never waits for a lock, never raises."""
    if conn is None or conn.in_transaction:
        return
    try:
        (timeout,) = conn.execute("PRAGMA busy_timeout").fetchone()
        conn.execute("PRAGMA busy_timeout = 0")  # skip rather than wait for another writer
        try:
            conn.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
            conn.execute("PRAGMA optimize")
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    except sqlite3.Error:  # busy, read-only, closed: the next connection tries again
        pass


class DatabaseWrapper(_SQLiteWrapper):
    """Django's SQLite wrapper; ``PRAGMA optimize`` before the connection closes (see the module docstring)."""

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        conn = super().get_new_connection(conn_params)
        _exit_hook_once()
        return conn

    def close(self) -> None:
        self.validate_thread_sharing()
        if not self.is_in_memory_db():
            optimize(self.connection)
        super().close()


_HOOKED: list[bool] = []


def _exit_hook_once() -> None:
    if not _HOOKED:
        _HOOKED.append(True)
        atexit.register(_optimize_open_connections)


def _optimize_open_connections() -> None:
    """At exit: optimize this thread's open SQLite connections (Django does not close them)."""
    from django.db import connections

    for wrapper in connections.all(initialized_only=True):
        if isinstance(wrapper, DatabaseWrapper) and not wrapper.is_in_memory_db():
            optimize(wrapper.connection)
