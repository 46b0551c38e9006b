"""Helpers for the reliability tests: worker processes and a view of managed folders."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ldb_testing import BACKEND, create_pg_database, drop_pg_database, pg_url  # noqa: F401 - re-exported


def sqlite_only(test):  # noqa: ANN001, ANN201
    """Mark a SQLite-specific test (deselected by the PostgreSQL run; skipped there if run anyway)."""
    return pytest.mark.sqlite_only(pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite-specific")(test))


WORKER = str(Path(__file__).with_name("rel_worker.py"))


def spawn(instance: str, *args: str, stdin: bool = False) -> subprocess.Popen:
    """Start ``rel_worker.py`` in its own process (same LINEAGEDB_HOME as the tests)."""
    return subprocess.Popen(
        [sys.executable, WORKER, instance, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
    )


def wait_all(procs: list[subprocess.Popen], timeout: float = 120) -> None:
    """Wait for every worker; fail with its stderr if one did not finish cleanly."""
    for p in procs:
        out, err = p.communicate(timeout=timeout)
        assert p.returncode == 0 and out.strip().endswith("done"), f"worker failed ({p.returncode}):\n{err[-3000:]}"


def managed_files(root: str | Path) -> set[str]:
    """Artifact entries of a managed folder (no database, marker, temp or quarantine entries)."""
    folder = Path(root) / ".lineagedb"
    skip = ("lineagedb.sqlite3", "instance.json", ".tmp-", "quarantine")
    return {p.name for p in folder.iterdir() if not p.name.startswith(skip)}


def temp_files(root: str | Path) -> set[str]:
    return {p.name for p in (Path(root) / ".lineagedb").iterdir() if p.name.startswith(".tmp-")}

