"""Guarantee: a PostgreSQL password, in any DSN form libpq accepts, is masked everywhere it is shown."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from reliability_helpers import BACKEND, create_pg_database, drop_pg_database, pg_url

SECRET = "Qw3rty-Hidden-77"
CLI = [sys.executable, "-m", "lineagedb.cli"]


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LINEAGEDB_INSTANCE"}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("dsn", [
    f"postgresql://u:{SECRET}@h:5432/db",
    f"postgresql://u@h/db?password={SECRET}",
    f"postgresql://u@h/db?sslmode=disable&password={SECRET}&application_name=x",
    f"postgres://u:{SECRET}@h/db?password={SECRET}",
    f"host=h user=u password={SECRET} dbname=db",
    f"host=h password='{SECRET} x' dbname=db",
])
def test_every_dsn_form_is_masked(dsn):
    from lineagedb.core.settings import InstanceSettings, mask_password

    assert SECRET not in mask_password(dsn) and "***" in mask_password(dsn)
    assert SECRET not in mask_password(f"error: cannot connect to {dsn} (refused)")
    inst = InstanceSettings(name="x", uid="u" * 12, storage_root="/tmp/x", db=dsn)
    assert SECRET not in repr(inst) and SECRET not in inst.db_display and SECRET not in str(inst.marker())


@pytest.mark.parametrize("form", ["query", "keyword"])
def test_connection_errors_mask_query_and_keyword_passwords(ln, tmp_path, form):
    dsn = (f"postgresql://someone@127.0.0.1:1/nowhere?password={SECRET}" if form == "query"
           else f"host=127.0.0.1 port=1 user=someone password={SECRET} dbname=nowhere")
    with pytest.raises(ln.errors.InstanceError) as info:
        ln.setup.init(storage=str(tmp_path / f"unreachable-{form}"), db=dsn)
    assert SECRET not in str(info.value)
    r = cli("init", "--storage", str(tmp_path / f"cli-{form}"), "--db", dsn)
    assert r.returncode == 1 and SECRET not in r.stdout + r.stderr and "Traceback" not in r.stderr, r.stderr


def test_marker_and_settings_files_are_owner_only(ln, make_instance):
    from lineagedb.core.settings import home

    inst = make_instance(modules="")
    marker = Path(inst.storage_root) / ".lineagedb" / "instance.json"
    for path in (marker, home() / "instances" / f"{inst.name}.json", home() / "current.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@pytest.mark.skipif(BACKEND != "postgresql", reason="needs the PostgreSQL server (it trusts any password here)")
@pytest.mark.parametrize("form", ["query", "keyword"])
def test_query_and_keyword_dsn_work_and_stay_private(ln, tmp_path, form):
    from lineagedb.core.settings import home

    dbname = create_pg_database()
    base = pg_url(dbname)
    dsn = (f"{base}?password={SECRET}" if form == "query"
           else f"host=127.0.0.1 port=5432 user=postgres dbname={dbname} password={SECRET}")
    name = f"dsn-{form}-{dbname[-6:]}"
    try:
        r = cli("init", "--storage", str(tmp_path / name), "--db", dsn, "--name", name)
        assert r.returncode == 0, r.stderr
        info = cli("info")
        assert info.returncode == 0 and "***" in info.stdout, info.stderr
        assert SECRET not in r.stdout + r.stderr + info.stdout + info.stderr
        marker = tmp_path / name / ".lineagedb" / "instance.json"
        assert SECRET not in marker.read_text() and stat.S_IMODE(marker.stat().st_mode) == 0o600
        assert SECRET in (home() / "instances" / f"{name}.json").read_text()
        assert cli("delete", name, "--force").returncode == 0
    finally:
        drop_pg_database(dbname)
