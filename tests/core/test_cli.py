"""The set-up commands, run as real subprocesses against real databases."""

import json
import os
import subprocess
import sys

import pytest
from ldb_testing import BACKEND, create_pg_database, drop_pg_database, pg_url

CLI = [sys.executable, "-m", "lineagedb.cli"]


def run(args, home, input=None, check=True):
    env = {**os.environ, "LINEAGEDB_HOME": str(home)}
    env.pop("LINEAGEDB_INSTANCE", None)
    r = subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, input=input, timeout=120)
    if check:
        assert r.returncode == 0, r.stdout + r.stderr
    return r


@pytest.fixture
def db_args():
    if BACKEND != "postgresql":
        yield []
        return
    name = create_pg_database()
    yield ["--db", pg_url(name)]
    drop_pg_database(name)


def test_init_info_connect_delete(tmp_path, db_args):
    home = tmp_path / "home"
    storage = tmp_path / "proj" / "mydata"
    r = run(["init", "--storage", str(storage), "--modules", "bio", *db_args], home)
    assert "'mydata' is ready" in r.stdout
    assert (storage / ".lineagedb" / "instance.json").exists()
    assert json.loads((home / "current.json").read_text())["instance"] == "mydata"
    # settings are private to the user
    assert oct((home / "instances" / "mydata.json").stat().st_mode)[-3:] == "600"
    info = run(["info"], home).stdout
    assert "instance: mydata" in info and str(storage) in info and "modules:  bio" in info
    assert ("postgresql" if db_args else "sqlite") in info
    # re-running init connects instead of failing
    again = run(["init", "--storage", str(storage), *db_args], home)
    assert "'mydata' is ready" in again.stdout
    # connect by name and by folder
    assert "connected to 'mydata'" in run(["connect", "mydata"], home).stdout
    assert "connected to 'mydata'" in run(["connect", str(storage)], home).stdout
    # a file the instance does not own survives deletion; declining the prompt deletes nothing
    (storage / "keep.txt").write_text("mine")
    r = run(["delete", "mydata"], home, input="n\n")
    assert "aborted" in r.stdout and (storage / ".lineagedb").exists()
    run(["delete", "mydata", "--force"], home)
    assert not (storage / ".lineagedb").exists()
    assert (storage / "keep.txt").read_text() == "mine"
    r = run(["info"], home, check=False)
    assert r.returncode == 1 and "lineagedb init" in r.stderr


def test_name_option_and_unknown_instance(tmp_path, db_args):
    home = tmp_path / "home"
    run(["init", "--storage", str(tmp_path / "x"), "--name", "custom", *db_args], home)
    assert "instance: custom" in run(["info"], home).stdout
    r = run(["connect", "nope"], home, check=False)
    assert r.returncode == 1 and "custom" in r.stderr  # lists the known instances


def test_unknown_module_is_refused(tmp_path):
    r = run(["init", "--storage", str(tmp_path / "y"), "--modules", "pertdb"], tmp_path / "home", check=False)
    assert r.returncode == 1 and "unknown module 'pertdb'" in r.stderr
    assert not (tmp_path / "home" / "instances" / "y.json").exists()


def test_postgres_unreachable_gives_clear_error(tmp_path):
    r = run(["init", "--storage", str(tmp_path / "z"), "--db", "postgresql://postgres@127.0.0.1:1/nodb"],
            tmp_path / "home", check=False)
    assert r.returncode == 1 and "cannot connect" in r.stderr


def test_password_is_never_written_to_the_storage_marker(tmp_path):
    from lineagedb.core.settings import InstanceSettings, mask_password

    inst = InstanceSettings(name="p", uid="x" * 12, storage_root=str(tmp_path), db="postgresql://u:s3cret@h:5432/d")
    assert "s3cret" not in json.dumps(inst.marker())
    assert mask_password("postgresql://u:s3cret@h:5432/d") == "postgresql://u:***@h:5432/d"
    assert "s3cret" not in inst.db_display
