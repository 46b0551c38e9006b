"""Helpers for artifact tests: files with unique content and a view of the managed folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def write(tmp_path):
    """write("name.csv", b"...") -> a file in a per-test folder (random content by default)."""

    def _write(name: str, data: bytes | None = None) -> Path:
        path = tmp_path / "src" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(256) if data is None else data)
        return path

    return _write
