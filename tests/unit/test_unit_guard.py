"""The unit tier's guard (tests/unit/conftest.py): no instance, database, network or subprocess is reachable.

Each test reaches for one of them, checks that the guard refused and recorded it, then clears the record
(an uncleared one fails the test at teardown, even when the code under test swallowed the refusal).
"""

from __future__ import annotations

import os
import socket
import subprocess

import pytest


def test_every_test_here_is_marked_unit(request):
    assert request.node.get_closest_marker("unit") is not None


def test_no_instance_can_be_found(unit_guard):
    assert os.environ["LINEAGEDB_HOME"] == str(unit_guard.home)
    assert "LINEAGEDB_INSTANCE" not in os.environ
    assert not unit_guard.home.exists() or not any(unit_guard.home.iterdir())


def test_connecting_an_instance_is_refused(unit_guard):
    import lineagedb as ln

    with pytest.raises(unit_guard.error):
        ln.settings.instance  # noqa: B018
    assert unit_guard.clear() == ["connect an instance (ensure_connected)"]


def test_using_a_registry_is_refused(unit_guard):
    """Alone, the registry's first use asks to connect; after database tests in the same process (the registry
    already loaded, Django configured), its query asks for a connection: refused either way."""
    import lineagedb as ln

    with pytest.raises(unit_guard.error):
        ln.Artifact.objects.exists()
    seen = unit_guard.clear()
    assert seen and set(seen) <= {"connect an instance (ensure_connected)", "open a database connection"}


def test_a_refusal_is_recorded_even_when_swallowed(unit_guard):
    from lineagedb.core import instance

    try:
        instance.ensure_connected()
    except Exception:  # noqa: BLE001, S110 - the point: code under test may hide the refusal
        pass
    assert unit_guard.clear() == ["connect an instance (ensure_connected)"]


def test_opening_a_database_connection_is_refused(unit_guard, tmp_path):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    db = DatabaseWrapper({"NAME": str(tmp_path / "x.sqlite3"), "ENGINE": "django.db.backends.sqlite3",
                          "OPTIONS": {}, "TIME_ZONE": None, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False,
                          "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False, "TEST": {}})
    with pytest.raises(unit_guard.error):
        db.ensure_connection()
    assert not (tmp_path / "x.sqlite3").exists()
    assert unit_guard.clear() == ["open a database connection"]


def test_the_network_is_refused(unit_guard):
    with pytest.raises(unit_guard.error):
        socket.create_connection(("localhost", 9), timeout=1)
    with socket.socket() as sock, pytest.raises(unit_guard.error):
        sock.connect(("127.0.0.1", 9))
    assert unit_guard.clear() == ["resolve a host name", "open a network connection"]


def test_subprocesses_are_refused(unit_guard):
    with pytest.raises(unit_guard.error):
        subprocess.run(["true"], check=False)
    with pytest.raises(unit_guard.error):
        os.system("true")
    assert unit_guard.clear() == ["start a subprocess"] * 2
