"""Guarantee: instance files keep other OS users out; credentials never reach the database, logs or describe()."""

from __future__ import annotations

import io
import logging
import stat
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from click.testing import CliRunner
from reliability_helpers import BACKEND, create_pg_database, drop_pg_database, pg_url, sqlite_only

SECRET = "S3cr3t-Pa55word-x9"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_settings_folder_and_instance_files_are_private(ln, make_instance):
    from lineagedb.core.settings import home

    inst = make_instance(modules="")
    assert _mode(home()) == 0o700
    assert _mode(home() / "instances") == 0o700
    assert _mode(home() / "instances" / f"{inst.name}.json") == 0o600


@sqlite_only
def test_sqlite_database_wal_and_backup_are_private(ln, make_instance, tmp_path):
    inst = make_instance(modules="")
    src = tmp_path / "f.txt"
    src.write_text("x")
    ln.Artifact(src, key="f.txt").save()  # the connection stays open: -wal and -shm exist now
    folder = Path(inst.storage_root) / ".lineagedb"
    db_files = sorted(folder.glob("lineagedb.sqlite3*"))
    assert {p.name for p in db_files} >= {"lineagedb.sqlite3", "lineagedb.sqlite3-wal", "lineagedb.sqlite3-shm"}
    assert {p.name: _mode(p) for p in db_files} == {p.name: 0o600 for p in db_files}
    assert _mode(folder) == 0o700


def _everything_in_the_database() -> str:
    """Every value of every table of the connected database, as one string."""
    from django.db import connection

    chunks = []
    with connection.cursor() as cur:
        for table in connection.introspection.table_names(cur):
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            chunks.extend(repr(row) for row in cur.fetchall())
    return "\n".join(chunks)


@pytest.mark.skipif(BACKEND != "postgresql", reason="needs the PostgreSQL server (it trusts any password here)")
def test_postgres_password_stays_in_the_private_settings_file(ln, tmp_path):
    from lineagedb.cli.main import cli
    from lineagedb.core.settings import home

    dbname = create_pg_database()
    try:
        url = pg_url(dbname).replace("postgres@", f"postgres:{SECRET}@")
        assert SECRET in url
        logs = io.StringIO()
        handler = logging.StreamHandler(logs)
        root_logger = logging.getLogger()
        root_logger.addHandler(handler)
        old_level = root_logger.level
        root_logger.setLevel(logging.DEBUG)
        out = io.StringIO()
        try:
            with redirect_stdout(out), redirect_stderr(out):
                inst = ln.setup.init(storage=str(tmp_path / "pgsecret"), db=url, name=f"pgsecret-{dbname[-6:]}")
                src = tmp_path / "f.txt"
                src.write_text("x")
                artifact = ln.Artifact(src, key="f.txt", description="secret test").save()
                ln.Record(name="r").save()
                text = artifact.describe(return_str=True)
                print(repr(ln.settings), inst.db_display)
        finally:
            root_logger.removeHandler(handler)
            root_logger.setLevel(old_level)
        info = CliRunner().invoke(cli, ["info"])
        assert info.exit_code == 0 and "***" in info.output, info.output
        assert SECRET not in info.output + out.getvalue() + logs.getvalue() + (text or "")
        assert SECRET not in _everything_in_the_database()
        marker = Path(inst.storage_root) / ".lineagedb" / "instance.json"
        assert SECRET not in marker.read_text() and "***" in marker.read_text()
        private = home() / "instances" / f"{inst.name}.json"
        assert SECRET in private.read_text() and _mode(private) == 0o600  # the only place it is kept
        ln.setup.delete(inst.name)
    finally:
        drop_pg_database(dbname)


def test_connection_errors_do_not_echo_passwords(ln, tmp_path):
    with pytest.raises(ln.errors.InstanceError) as info:
        ln.setup.init(storage=str(tmp_path / "unreachable"), db=f"postgresql://someone:{SECRET}@127.0.0.1:1/nowhere")
    assert SECRET not in str(info.value) and "***" in str(info.value)
    from lineagedb.core.settings import known_instances

    assert "unreachable" not in known_instances()
