"""The unit tier: pure tests of foundations that need no instance, no database, no network and no subprocess.

Everything collected under ``tests/unit/`` gets the ``unit`` marker (``pytest -m unit`` runs only this tier,
``-m "not unit"`` everything else). Each unit test runs behind a guard (the autouse ``unit_guard``):

- ``LINEAGEDB_HOME`` and ``LINEAGEDB_CACHE_DIR`` point into an empty temp folder and ``LINEAGEDB_INSTANCE`` is
  unset, so no instance exists to be found;
- connecting an instance (``ensure_connected``, Django's ``configure``), opening a database connection
  (Django's ``ensure_connection``, which every query passes through), opening a network connection or
  starting a subprocess raises :class:`UnitTierViolation` and is recorded;
- after the test, a recorded violation (even one the code under test caught and swallowed) or a changed
  connected instance (``lineagedb.core.instance.current()``) fails the test.

The guard holds whether the tier runs alone or in one process with the database tests (where an instance may
already be connected and Django configured): it blocks the connection itself, not just the way to find one.
Test files here are named ``test_unit_<topic>.py``: all test files share one module namespace (no packages).
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/unit/ as ``unit`` (a conftest hook sees the whole session's items)."""
    for item in items:
        if _HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.unit)


class UnitTierViolation(Exception):
    """A unit test reached for an instance, a database, the network or a subprocess."""


class UnitGuard:
    """Records what a unit test tried to reach; the test fails at teardown when anything was recorded."""

    error = UnitTierViolation  # what a refused call raises (tests of the guard catch ``unit_guard.error``)

    def __init__(self, home: Path) -> None:
        self.home = home
        self.violations: list[str] = []

    def trap(self, what: str):  # noqa: ANN201
        def refuse(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            self.violations.append(what)
            raise UnitTierViolation(f"a unit test must not {what}; move the test out of tests/unit/ (use the ln fixture)")

        return refuse

    def clear(self) -> list[str]:
        """Forget the recorded violations (for tests of the guard itself) and return them."""
        seen, self.violations = self.violations, []
        return seen


@pytest.fixture(autouse=True)
def unit_guard(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    from django.db.backends.base.base import BaseDatabaseWrapper

    from lineagedb.core import _django, instance

    base = tmp_path_factory.mktemp("unit")
    guard = UnitGuard(base / "home")
    monkeypatch.setenv("LINEAGEDB_HOME", str(guard.home))
    monkeypatch.setenv("LINEAGEDB_CACHE_DIR", str(base / "cache"))
    monkeypatch.delenv("LINEAGEDB_INSTANCE", raising=False)
    for name in [n for n in os.environ if n.startswith("AWS_")]:  # e.g. the S3 tests' local endpoint
        monkeypatch.delenv(name)
    monkeypatch.setattr(instance, "ensure_connected", guard.trap("connect an instance (ensure_connected)"))
    monkeypatch.setattr(instance, "configure", guard.trap("configure Django for an instance"))
    monkeypatch.setattr(_django, "configure", guard.trap("configure Django for an instance"))
    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", guard.trap("open a database connection"))
    monkeypatch.setattr(socket.socket, "connect", guard.trap("open a network connection"))
    monkeypatch.setattr(socket.socket, "connect_ex", guard.trap("open a network connection"))
    monkeypatch.setattr(socket, "getaddrinfo", guard.trap("resolve a host name"))
    monkeypatch.setattr(subprocess.Popen, "__init__", guard.trap("start a subprocess"))
    monkeypatch.setattr(os, "system", guard.trap("start a subprocess"))
    before = instance.current()
    yield guard
    after = instance.current()
    monkeypatch.undo()
    if guard.violations:
        pytest.fail(f"the unit tier was breached: the test tried to {'; '.join(dict.fromkeys(guard.violations))}")
    if after is not before:
        pytest.fail(f"the unit test changed the connected instance ({before!r} -> {after!r})")
