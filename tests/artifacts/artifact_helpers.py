"""Shared helpers for artifact tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def managed_entries(ln) -> set[str]:
    """Names inside the default storage's managed folder (artifacts and temp files)."""
    root = Path(ln.settings.storage.root) / ".lineagedb"
    return {p.name for p in root.iterdir() if not p.name.startswith(("lineagedb.sqlite3", "instance.json"))}


def temp_entries(ln) -> set[str]:
    return {n for n in managed_entries(ln) if n.startswith(".tmp-")}


@pytest.fixture
def write(tmp_path):
    """write("name.csv", b"...") -> a file in a per-test folder (random content by default)."""

    def _write(name: str, data: bytes | None = None) -> Path:
        path = tmp_path / "src" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(256) if data is None else data)
        return path

    return _write
