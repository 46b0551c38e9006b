"""lineagedb.core.settings and _django's pure parts: the settings folder, instance files, secrets masked.

The unit guard points ``LINEAGEDB_HOME`` at an empty temp folder, so these tests write only there.
"""

from __future__ import annotations

import json
import os
import stat

import pytest

from lineagedb import errors
from lineagedb.core import _django
from lineagedb.core import settings as s


def make(name="inst1", db=None, root="/data/inst1", modules=("bio",)):
    return s.InstanceSettings(name=name, uid="abcdEFGH1234", storage_root=root, db=db, modules=list(modules))


def test_home_is_the_env_folder_created_owner_only(unit_guard):
    home = s.home()
    assert home == unit_guard.home.resolve()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


def test_a_fresh_home_knows_no_instance():
    assert s.known_instances() == []
    assert s.current_instance_name() is None


def test_instance_settings_round_trip_in_a_private_file():
    inst = make(db="postgresql://user:secret@host:5432/db")
    inst.save()
    path = s.home() / "instances" / "inst1.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert s.InstanceSettings.load("inst1") == inst
    assert s.known_instances() == ["inst1"]


def test_current_instance_is_remembered_and_forgotten():
    make("a").save()
    make("b").save()
    s.set_current_instance("b")
    assert s.current_instance_name() == "b"
    s.forget_instance("a")
    assert s.known_instances() == ["b"] and s.current_instance_name() == "b"
    s.forget_instance("b")
    assert s.known_instances() == [] and s.current_instance_name() is None


def test_loading_an_unknown_instance_names_the_known_ones_and_the_fix():
    make("present").save()
    with pytest.raises(errors.InstanceNotSetup) as info:
        s.InstanceSettings.load("absent")
    message = str(info.value)
    assert "'absent'" in message and "present" in message and "lineagedb init" in message


@pytest.mark.parametrize(("text", "problem"), [
    ("{not json", "damaged"),
    ("[1, 2]", "not a JSON object"),
    ('{"name": "x"}', "damaged (fields ['name'])"),
    ('{"name": "x", "uid": "u", "storage_root": "/r", "modules": "bio"}', "modules 'bio'"),
])
def test_a_damaged_settings_file_raises_naming_it(text, problem):
    folder = s.home() / "instances"
    folder.mkdir()
    (folder / "x.json").write_text(text)
    with pytest.raises(errors.InstanceError) as info:
        s.InstanceSettings.load("x")
    assert problem in str(info.value)
    assert str(folder / "x.json") in str(info.value)


def test_a_damaged_current_instance_file_raises():
    (s.home() / "current.json").write_bytes(b"\xff\xfe")
    with pytest.raises(errors.InstanceError, match="current-instance file"):
        s.current_instance_name()


def test_write_private_replaces_atomically_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "f.json"
    s.write_private(path, "one")
    s.write_private(path, "two")
    assert path.read_text() == "two"
    assert os.listdir(tmp_path) == ["f.json"]


@pytest.mark.parametrize(("text", "masked"), [
    ("postgresql://u:secret@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:secret@h/db?password=other&sslmode=require", "postgresql://u:***@h/db?password=***&sslmode=require"),
    ("host=h password='a b c' dbname=d", "host=h password=*** dbname=d"),
    ("PASSWORD = hunter2 user=x", "PASSWORD = *** user=x"),
    ("failed: connect to postgresql://u:p%40ss@h:5432/db refused", "failed: connect to postgresql://u:***@h:5432/db refused"),
    ("postgresql://u@h/db", "postgresql://u@h/db"),
    ("s3://bucket/key:with:colons", "s3://bucket/key:with:colons"),
])
def test_mask_password(text, masked):
    assert s.mask_password(text) == masked


def test_secrets_never_reach_repr_marker_or_display():
    inst = make(db="postgresql://u:topsecret@h/db")
    assert "topsecret" not in repr(inst)
    assert "topsecret" not in json.dumps(inst.marker())
    assert "topsecret" not in inst.db_display
    assert inst.dialect == "postgresql"


def test_sqlite_file_lives_in_a_local_root_and_next_to_settings_for_a_cloud_root():
    local = make(root="/data/x")
    assert local.dialect == "sqlite"
    assert str(local.sqlite_path) == "/data/x/.lineagedb/lineagedb.sqlite3"
    cloud = make(name="c", root="s3://bucket/x")
    assert cloud.sqlite_path == s.home() / "instances" / "c" / "lineagedb.sqlite3"


@pytest.mark.parametrize(("root", "cloud"), [("s3://b/x", True), ("gs://b", True), ("file:///tmp/x", False),
                                             ("/tmp/x", False), ("rel/x", False)])
def test_is_cloud(root, cloud):
    assert s.is_cloud(root) is cloud


def test_postgres_dsn_forms_give_the_same_django_settings():
    url = _django._postgres_config("postgresql://alice:pw@db.example:6543/lab?sslmode=require")
    pairs = _django._postgres_config("host=db.example port=6543 dbname=lab user=alice password=pw sslmode=require")
    assert url == pairs
    assert (url["NAME"], url["USER"], url["PASSWORD"], url["HOST"], url["PORT"]) == ("lab", "alice", "pw", "db.example", "6543")
    assert url["OPTIONS"]["sslmode"] == "require"


def test_a_malformed_postgres_dsn_raises_without_its_password():
    with pytest.raises(errors.InstanceError) as info:
        _django._postgres_config("postgresql://u:topsecret@h/db?nonsense_option=1")
    assert "topsecret" not in str(info.value)


def test_a_missing_sqlite_file_is_not_created_when_connecting(tmp_path):
    inst = make(root=str(tmp_path / "gone"))
    with pytest.raises(errors.InstanceError, match="storage folder is gone"):
        _django.database_config(inst)
    assert not (tmp_path / "gone").exists()


def test_init_creates_the_sqlite_file_owner_only(tmp_path):
    inst = make(root=str(tmp_path / "new"))
    config = _django.database_config(inst, create=True)
    assert stat.S_IMODE(inst.sqlite_path.stat().st_mode) == 0o600
    assert config["ENGINE"] == "lineagedb.core._sqlitebackend" and config["NAME"].endswith("?mode=rw")
