"""Guarantee: moving, renaming, re-initialising and switching instances never loses or misdirects data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from reliability_helpers import BACKEND, create_pg_database, drop_pg_database, pg_url

CLI = [sys.executable, "-m", "lineagedb.cli"]


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LINEAGEDB_INSTANCE"}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=120)


def test_moved_instance_folder_is_an_error_never_a_new_database(ln, make_instance, tmp_path):
    from lineagedb.core.instance import disconnect

    inst = make_instance(modules="", storage=str(tmp_path / "old"))
    src = tmp_path / "a.txt"
    src.write_text("hello")
    ln.Artifact(src, key="moved/a.txt").save()
    disconnect()
    (tmp_path / "old").rename(tmp_path / "new")
    with pytest.raises(ln.errors.InstanceError, match="lineagedb connect NEW_FOLDER"):
        ln.connect(inst.name)  # a process with the old settings
    assert not (tmp_path / "old").exists()  # no stand-in folder or empty database was created
    r = cli("info")
    assert r.returncode == 1 and "Traceback" not in r.stderr and "is gone" in r.stderr, r.stderr
    assert not (tmp_path / "old").exists()


def test_connecting_to_a_moved_instance_relocates_its_storage(ln, make_instance, tmp_path):
    from lineagedb.core.instance import disconnect

    inst = make_instance(modules="", storage=str(tmp_path / "before"))
    src = tmp_path / "b.txt"
    src.write_text("intact")
    ln.Artifact(src, key="moved/b.txt").save()
    disconnect()
    shutil.move(str(tmp_path / "before"), str(tmp_path / "after"))
    again = ln.connect(str(tmp_path / "after"))
    assert again.uid == inst.uid and again.storage_root == str(tmp_path / "after")
    assert ln.settings.storage.root == str(tmp_path / "after")
    assert ln.Storage.filter(root=str(tmp_path / "before")).count() == 0
    assert Path(ln.Artifact.get(key="moved/b.txt").cache()).read_text() == "intact"
    report = ln.setup.check(hashes=True)
    assert report.ok, str(report)
    assert ln.connect(inst.name).storage_root == str(tmp_path / "after")  # the name follows the folder


def test_check_never_advises_deleting_rows_whose_bytes_it_finds(ln, make_instance, tmp_path):
    inst = make_instance(modules="", storage=str(tmp_path / "home"))
    src = tmp_path / "c.txt"
    src.write_text("still here")
    artifact = ln.Artifact(src, key="stale/c.txt").save()
    ln.Storage.filter(root=inst.storage_root).update(root=str(tmp_path / "gone"))  # a stale storage record
    report = ln.setup.check()
    kinds = {p.kind for p in report.problems}
    assert kinds == {"moved"}, str(report)
    assert artifact.uid in str(report) and "delete" not in str(report).replace("do not delete", "")


def test_init_with_a_taken_name_is_refused(ln, make_instance, tmp_path):
    first = make_instance(modules="", storage=str(tmp_path / "proj"))
    with pytest.raises(ln.errors.InstanceError, match="already exists") as info:
        ln.setup.init(storage=str(tmp_path / "proj2"), name=first.name)
    assert str(tmp_path / "proj") in str(info.value)
    r = cli("init", "--storage", str(tmp_path / "proj3"), "--name", first.name)
    assert r.returncode == 1 and "already exists" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert ln.connect(first.name).storage_root == str(tmp_path / "proj")  # still the first folder
    assert not (tmp_path / "proj3" / ".lineagedb").exists()


def test_init_while_tracked_ends_the_run_in_its_own_instance(ln, make_instance, unique, capsys):
    from lineagedb.core.context import get_run

    first = make_instance(modules="")
    ln.track(ln.Transform(key=f"switch-{unique}", kind="pipeline"))
    run = get_run()
    assert run is not None and run.status == "started"
    second = make_instance(modules="")  # no FOREIGN KEY error, no half-made instance
    assert "marked aborted" in capsys.readouterr().err
    assert get_run() is None
    record = ln.Record(name=f"after-switch-{unique}").save()
    assert record.run_id is None
    assert ln.settings.storage.root == second.storage_root
    ln.connect(first.name)
    ended = ln.Run.get(uid=run.uid)
    assert ended.status == "aborted" and ended.finished_at is not None


def test_connect_while_tracked_ends_the_run(ln, make_instance, unique):
    from lineagedb.core.context import get_run

    first = make_instance(modules="")
    second = make_instance(modules="")
    ln.connect(first.name)
    ln.track(ln.Transform(key=f"switch2-{unique}", kind="pipeline"))
    run = get_run()
    ln.connect(second.name)
    assert get_run() is None and ln.Record(name=f"r-{unique}").save().run_id is None
    ln.connect(first.name)
    assert ln.Run.get(uid=run.uid).status == "aborted"


@pytest.mark.skipif(BACKEND != "postgresql", reason="a PostgreSQL URL")
def test_moved_postgres_instance_relocates(ln, tmp_path):
    from lineagedb.core.instance import disconnect

    dbname = create_pg_database()
    try:
        inst = ln.setup.init(storage=str(tmp_path / "pgold"), db=pg_url(dbname), name=f"pgmove-{dbname[-6:]}")
        src = tmp_path / "d.txt"
        src.write_text("pg")
        ln.Artifact(src, key="d.txt").save()
        disconnect()
        (tmp_path / "pgold").rename(tmp_path / "pgnew")
        with pytest.raises(ln.errors.InstanceError, match="is gone"):
            ln.connect(inst.name)
        ln.connect(str(tmp_path / "pgnew"))
        assert ln.setup.check(hashes=True).ok
        ln.setup.delete(inst.name)
    finally:
        disconnect()
        drop_pg_database(dbname)


def test_a_copy_of_a_registered_instance_is_not_silently_repointed(ln, make_instance, tmp_path):
    from lineagedb.core.instance import disconnect

    inst = make_instance(modules="", storage=str(tmp_path / "orig"))
    disconnect()
    shutil.copytree(tmp_path / "orig", tmp_path / "copy")
    with pytest.raises(ln.errors.InstanceError, match="copies of one instance") as info:
        ln.connect(str(tmp_path / "copy"))
    assert str(tmp_path / "orig") in str(info.value)
    assert ln.connect(inst.name).storage_root == str(tmp_path / "orig")
