"""Fixtures: every test session runs against one real backend, chosen by ``LINEAGEDB_TEST_DB``.

``LINEAGEDB_TEST_DB=sqlite`` (default) uses SQLite files in a temp folder;
``LINEAGEDB_TEST_DB=postgresql`` makes a throwaway database on 127.0.0.1:5432 (dropped at the end).

Fixtures:
- ``ln``: the package, connected to the session's shared instance (bio mounted). Tests that share it use
  unique keys/names (see ``unique``) instead of counting whole registries.
- ``make_instance``: a factory for a fresh instance of the same backend (connects to it; the shared one
  is reconnected after the test).
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from ldb_testing import BACKEND, create_pg_database, drop_pg_database, pg_url  # noqa: E402

# The integration tier: tests that start servers, kernels, browsers or many processes (or kill them).
_INTEGRATION_DIRS = {"reliability", "s3", "tutorial", "packaging", "benchmarks"}
_INTEGRATION_FILES = {"test_server_browser.py", "test_server_layout.py", "test_tracking_notebook.py"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each database test ``func`` (one process, one instance) or ``integration`` (see above)."""
    tests = Path(__file__).parent
    for item in items:
        path = Path(item.path)
        if tests / "unit" in path.parents:
            continue
        folder = path.relative_to(tests).parts[0] if tests in path.parents else ""
        slow = folder in _INTEGRATION_DIRS or path.name in _INTEGRATION_FILES
        item.add_marker(pytest.mark.integration if slow else pytest.mark.func)


class Instances:
    """Creates instances of the session's backend and cleans up after them."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.databases: list[str] = []

    def create(self, name: str | None = None, modules: str = "bio", storage: str | None = None):
        import lineagedb as ln

        name = name or f"inst-{uuid.uuid4().hex[:8]}"
        db = None
        if BACKEND == "postgresql":
            dbname = create_pg_database()
            self.databases.append(dbname)
            db = pg_url(dbname)
        root = storage or str(self.base / name)
        return ln.setup.init(storage=root, db=db, name=name, modules=modules)

    def cleanup(self) -> None:
        from lineagedb.core.instance import disconnect

        disconnect()
        for dbname in self.databases:
            drop_pg_database(dbname)


@pytest.fixture(scope="session")
def _session_home(tmp_path_factory):
    base = tmp_path_factory.mktemp("lineagedb")
    os.environ["LINEAGEDB_HOME"] = str(base / "home")
    os.environ["LINEAGEDB_CACHE_DIR"] = str(base / "cache")
    instances = Instances(base)
    yield instances
    instances.cleanup()
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def _shared_instance(_session_home):
    return _session_home.create(name="shared")


@pytest.fixture
def ln(_shared_instance):
    """lineagedb connected to the session's shared instance."""
    import lineagedb
    from lineagedb.core.context import set_run
    from lineagedb.core.instance import connect, current

    if current() is None or current().name != _shared_instance.name:
        connect(_shared_instance.name)
    set_run(None)
    yield lineagedb
    set_run(None)


@pytest.fixture
def make_instance(_session_home, _shared_instance):
    """Factory: ``inst = make_instance(modules="")`` creates, connects and returns a fresh instance."""
    yield _session_home.create
    from lineagedb.core.instance import connect

    connect(_shared_instance.name)


@pytest.fixture
def unique():
    """A short unique string for keys and names in the shared instance.

    It starts with a letter, so YAML, CSV and JSON readers never take it for a number.
    """
    return "u" + uuid.uuid4().hex[:7]
