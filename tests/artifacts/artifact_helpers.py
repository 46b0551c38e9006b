"""Shared helpers for artifact tests."""

from __future__ import annotations

from pathlib import Path


def managed_entries(ln) -> set[str]:
    """Names inside the default storage's managed folder (artifacts and temp files)."""
    root = Path(ln.settings.storage.root) / ".lineagedb"
    return {p.name for p in root.iterdir() if not p.name.startswith(("lineagedb.sqlite3", "instance.json"))}


def temp_entries(ln) -> set[str]:
    return {n for n in managed_entries(ln) if n.startswith(".tmp-")}
