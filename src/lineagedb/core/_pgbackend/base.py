"""A PostgreSQL connection that reconnects by itself between transactions.

Django keeps one persistent connection per thread (``CONN_MAX_AGE=None``) and checks its health only
between web requests; a library has no requests, so after a server restart, an idle timeout or
``pg_terminate_backend`` every later call failed with "the connection is closed". Before a connection is
used outside a transaction, this wrapper looks (without a round trip) whether the server closed it or
sent something while it was idle, and if so opens a new one. A transaction that is cut half-way still
fails, once; the next one gets a fresh connection.

>>> DATABASES = {"default": {"ENGINE": "lineagedb.core._pgbackend", "NAME": "db"}}  # doctest: +SKIP
"""

from __future__ import annotations

import select
from typing import Any

from django.db.backends.postgresql.base import DatabaseWrapper as _PostgresWrapper


def _server_hung_up(conn) -> bool:  # noqa: ANN001 - a psycopg Connection
    """True when an idle psycopg connection is closed, or its socket became readable (a FATAL notice or EOF)."""
    if conn.closed:
        return True
    try:
        from psycopg import pq

        if conn.info.transaction_status != pq.TransactionStatus.IDLE:
            return False  # inside a transaction: never swap the connection under it
        poller = select.poll()
        poller.register(conn.pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
        return bool(poller.poll(0))
    except Exception:  # noqa: BLE001 - a connection we cannot even inspect is not usable
        return True


class DatabaseWrapper(_PostgresWrapper):
    """Django's wrapper; ``ensure_connection`` replaces a connection the server has dropped."""

    def ensure_connection(self) -> None:
        conn: Any = self.__dict__.get("connection")  # Django sets it in __init__ (None until connected)
        if conn is not None and not self.in_atomic_block and _server_hung_up(conn):
            try:
                self.close()
            except Exception:  # noqa: BLE001 - closing a broken connection may fail; it is dropped either way
                self.connection = None
        super().ensure_connection()
