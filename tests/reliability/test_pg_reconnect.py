"""Guarantee (PostgreSQL): after the server drops a connection, the next transaction reconnects by itself;
only a transaction that was cut half-way fails."""

from __future__ import annotations

import time

import pytest
from ldb_testing import PG_ADMIN
from reliability_helpers import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL connections")


def _terminate_own_backend() -> None:
    """pg_terminate_backend on this test's own connection (its own test database only)."""
    import psycopg
    from django.db import connection

    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.3)


def test_reconnect_between_transactions(ln, make_instance, unique):
    make_instance(modules="")
    ln.Record(name=f"before-{unique}").save()
    for _ in range(3):  # restart, idle timeout or pg_terminate_backend: each time the next call just works
        _terminate_own_backend()
        assert ln.Record.filter(name=f"before-{unique}").exists()
    _terminate_own_backend()
    assert ln.Record(name=f"after-{unique}").save().id is not None


def test_cut_transaction_fails_once_then_the_next_works(ln, make_instance, unique):
    from django.db import DatabaseError, transaction

    make_instance(modules="")
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            ln.Record(name=f"cut-{unique}").save()
            _terminate_own_backend()
            ln.Record(name=f"cut2-{unique}").save()
    assert not ln.Record.filter(name__startswith="cut").filter(name__endswith=unique).exists()
    assert ln.Record(name=f"next-{unique}").save().id is not None
