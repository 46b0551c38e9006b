"""S3-rooted instances: init (Python and CLI), the marker, the Storage registry and switching storages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lineagedb.errors import StorageError


def test_init_on_s3_writes_marker_and_keeps_sqlite_local(ln, s3, s3_instance, bucket, keys):
    assert s3_instance.storage_root == f"s3://{bucket}/inst"
    marker = json.loads(s3.get_object(Bucket=bucket, Key="inst/.lineagedb/instance.json")["Body"].read())
    assert marker["uid"] == s3_instance.uid and "password" not in json.dumps(marker)
    assert keys(bucket) == ["inst/.lineagedb/instance.json"]  # the write probe is gone
    if not s3_instance.db:
        home = Path(os.environ["LINEAGEDB_HOME"])
        assert s3_instance.sqlite_path == home / "instances" / s3_instance.name / "lineagedb.sqlite3"
        assert s3_instance.sqlite_path.exists()
    root = ln.Storage.get(root=f"s3://{bucket}/inst")
    assert (root.type, root.region, root.instance_uid) == ("s3", "us-east-1", s3_instance.uid)
    assert root.is_managed
    assert ln.settings.storage.root == f"s3://{bucket}/inst"


def test_reinit_and_connect_by_url_find_the_same_instance(ln, s3_instance, bucket):
    again = ln.setup.init(storage=f"s3://{bucket}/inst/")
    assert again.uid == s3_instance.uid
    assert ln.Storage.filter(root=f"s3://{bucket}/inst").count() == 1


def test_init_on_missing_bucket_fails_clearly_and_creates_nothing(ln, make_instance, s3_endpoint):
    from lineagedb.core.settings import known_instances

    before = known_instances()
    with pytest.raises(StorageError, match=r"bucket 'no-such-bucket-ldb'.*does not exist"):
        make_instance(name="nobucket", storage="s3://no-such-bucket-ldb/x", modules="")
    assert known_instances() == before


def test_init_on_read_only_bucket_says_access_denied(ln, make_instance, public_bucket):
    with pytest.raises(StorageError, match=r"cannot write s3://lamindata/inst.*access denied"):
        make_instance(name="readonly", storage=f"s3://{public_bucket}/inst", modules="")


def test_switch_default_storage_and_list_storages(ln, s3, s3_instance, bucket, keys, tmp_path):
    other = f"ldb-other-{bucket[-8:]}"
    s3.create_bucket(Bucket=other)
    ln.settings.storage = f"s3://{other}/x/"
    assert ln.settings.storage.root == f"s3://{other}/x"
    df = ln.Storage.to_dataframe()
    rows = df.set_index("root")
    assert rows.loc[f"s3://{other}/x", "instance_uid"] == s3_instance.uid
    assert rows.loc[f"s3://{other}/x", "type"] == "s3" and rows.loc[f"s3://{other}/x", "region"] == "us-east-1"
    assert {f"s3://{bucket}/inst", f"s3://{other}/x"} <= set(df["root"])
    src = tmp_path / "to-other.txt"
    src.write_bytes(os.urandom(32))
    artifact = ln.Artifact(src, key="to-other.txt").save()
    assert str(artifact.path) == f"s3://{other}/x/.lineagedb/{artifact.uid}.txt"
    assert keys(other) == [f"x/.lineagedb/{artifact.uid}.txt"]


def test_cli_init_with_s3_storage(s3_endpoint, bucket, tmp_path, db_url):
    env = {**os.environ, "LINEAGEDB_HOME": str(tmp_path / "home")}
    cmd = [sys.executable, "-m", "lineagedb.cli", "init", "--storage", f"s3://{bucket}/cli", "--name", "clis3"]
    url = db_url()
    if url is not None:
        cmd += ["--db", url]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert f"s3://{bucket}/cli" in out.stdout
    bad = subprocess.run([sys.executable, "-m", "lineagedb.cli", "init", "--storage", "s3://missing-bkt-ldb/x"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "missing-bkt-ldb" in bad.stderr and "Traceback" not in bad.stderr


def test_delete_instance_removes_only_its_managed_prefix(ln, s3, s3_instance, bucket, keys, tmp_path):
    s3.put_object(Bucket=bucket, Key="inst/user-file.csv", Body=b"mine")  # not managed: must stay
    src = tmp_path / "m.bin"
    src.write_bytes(os.urandom(64))
    artifact = ln.Artifact(src, key="m.bin").save()
    assert f"inst/.lineagedb/{artifact.uid}.bin" in keys(bucket)
    ln.setup.delete(s3_instance.name)
    assert keys(bucket) == ["inst/user-file.csv"]
