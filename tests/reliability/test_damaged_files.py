"""Guarantee: damaged settings, markers and database files give a clear error naming the file; `check` runs the
database's own integrity check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from reliability_helpers import sqlite_only

CLI = [sys.executable, "-m", "lineagedb.cli"]


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LINEAGEDB_INSTANCE"}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=120)


def _settings_file(name: str) -> Path:
    from lineagedb.core.settings import home

    return home() / "instances" / f"{name}.json"


def test_invalid_json_settings_file_names_the_file(ln, make_instance):
    from lineagedb.core.instance import disconnect

    inst = make_instance(modules="")
    disconnect()
    _settings_file(inst.name).write_text("{not json")
    with pytest.raises(ln.errors.InstanceError, match="damaged") as info:
        ln.connect(inst.name)
    assert str(_settings_file(inst.name)) in str(info.value)
    r = cli("info")
    assert r.returncode == 1 and "damaged" in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_unknown_module_in_settings_file_is_a_clear_error(ln, make_instance):
    from lineagedb.core.instance import disconnect

    inst = make_instance(modules="")
    disconnect()
    path = _settings_file(inst.name)
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "modules": ["nosuchmodule"]}))
    with pytest.raises(ln.errors.InstanceError, match="nosuchmodule"):
        ln.connect(inst.name)
    r = cli("connect", inst.name)  # a fresh process, which would try to import the module
    assert r.returncode == 1 and "nosuchmodule" in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_damaged_marker_names_the_file(ln, make_instance):
    from lineagedb.core.instance import disconnect

    inst = make_instance(modules="")
    disconnect()
    marker = Path(inst.storage_root) / ".lineagedb" / "instance.json"
    marker.write_text("[1, 2")
    with pytest.raises(ln.errors.InstanceError, match="damaged") as info:
        ln.connect(inst.storage_root + "/")
    assert str(marker) in str(info.value)


@sqlite_only
def test_garbage_database_file_is_a_clear_error(ln, make_instance):
    from lineagedb.core.instance import disconnect

    inst = make_instance(modules="")
    disconnect()
    inst.sqlite_path.write_bytes(b"this is not a database" * 500)
    with pytest.raises(ln.errors.InstanceError) as info:
        ln.connect(inst.name)
    assert str(inst.sqlite_path) in str(info.value)
    r = cli("check")
    assert r.returncode == 1 and "database" in r.stdout and "Traceback" not in r.stderr, r.stdout + r.stderr


@sqlite_only
def test_check_runs_sqlite_integrity_check_on_a_corrupted_page(ln, make_instance, tmp_path):
    from lineagedb.core.instance import disconnect

    inst = make_instance(modules="")
    for i in range(200):
        ln.Record(name=f"filler-{i}-" + "x" * 100, description="y" * 500).save()
    disconnect()
    import sqlite3

    with sqlite3.connect(inst.sqlite_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        n_pages = conn.execute("PRAGMA page_count").fetchone()[0]
    with open(inst.sqlite_path, "r+b") as f:  # scribble over the last pages (record data and indexes)
        for page in range(n_pages - 6, n_pages - 1):
            f.seek(page * page_size + 8)
            f.write(b"\xff\x13" * ((page_size - 16) // 2))
    r = cli("check")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stdout + r.stderr
    assert "database" in r.stdout and str(inst.sqlite_path) in r.stdout, r.stdout
