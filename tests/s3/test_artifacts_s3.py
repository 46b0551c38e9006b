"""Artifacts on an S3-rooted instance (and the same behaviours on a local one), plus in-place cloud registration."""

from __future__ import annotations

import json
import os
import uuid

import pytest

from lineagedb.errors import StorageError


@pytest.fixture(scope="module")
def _roots(_session_home, _shared_instance, s3):
    """The session's shared (local) instance and one S3-rooted instance for this module (bio mounted)."""
    bucket = f"ldb-art-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    made = {"local": _shared_instance,
            "s3": _session_home.create(name=f"art-s3-{uuid.uuid4().hex[:6]}", storage=f"s3://{bucket}/inst")}
    return bucket, made


@pytest.fixture(params=["local", "s3"])
def inst(request, _roots, _shared_instance):
    """lineagedb connected to the shared local instance or to the module's ``s3://<bucket>/inst`` instance."""
    import lineagedb as ln
    from lineagedb.core.instance import connect

    connect(_roots[1][request.param].name)
    yield ln
    connect(_shared_instance.name)


@pytest.fixture
def s3ln(_roots, _shared_instance):
    """lineagedb connected to the module's S3-rooted instance."""
    import lineagedb as ln
    from lineagedb.core.instance import connect

    connect(_roots[1]["s3"].name)
    yield ln
    connect(_shared_instance.name)


@pytest.fixture
def art_bucket(_roots):
    return _roots[0]


def _managed_keys(keys, bucket):
    return [k for k in keys(bucket, "inst/.lineagedb/") if not k.endswith("instance.json")]


def test_file_save_places_bytes_and_cache_returns_them(inst, tmp_path, keys, art_bucket):
    ln = inst
    src = tmp_path / "data.csv"
    src.write_text(f"a,b\n1,{uuid.uuid4().hex}\n")
    artifact = ln.Artifact(src, key=f"s3test/{uuid.uuid4().hex[:6]}.csv").save()
    root = ln.settings.storage.root
    assert str(artifact.path) == f"{root}/.lineagedb/{artifact.uid}.csv"
    assert artifact.hash_type == "blake3" and artifact.size == src.stat().st_size
    if root.startswith("s3://"):
        assert f"inst/.lineagedb/{artifact.uid}.csv" in keys(art_bucket)
        assert not [k for k in keys(art_bucket) if "/.tmp-" in k]
    local = artifact.cache()
    assert local.read_bytes() == src.read_bytes()
    again = ln.Artifact.get(key=artifact.key)
    assert list(again.load().columns) == ["a", "b"]


def test_dataframe_roundtrip_and_dedup(inst, unique):
    import pandas as pd

    ln = inst
    df = pd.DataFrame({"gene": ["a", "b"], "value": [1.5, unique.count("a")]})
    artifact = ln.Artifact.from_dataframe(df, key=f"s3test/{unique}.parquet").save()
    pd.testing.assert_frame_equal(artifact.load(), df)
    same = ln.Artifact.from_dataframe(df, key=f"s3test/{unique}.parquet")
    assert same.uid == artifact.uid


def test_folder_keeps_its_tree_and_caches_it(inst, tmp_path):
    ln = inst
    folder = tmp_path / "imgs"
    (folder / "sub").mkdir(parents=True)
    for name in ("a.png", "b.png", "sub/c.png"):
        (folder / name).write_bytes(os.urandom(100))
    artifact = ln.Artifact(folder, key=f"s3test/{uuid.uuid4().hex[:6]}_imgs").save()
    assert artifact.n_files == 3
    local = artifact.cache()
    assert sorted(p.relative_to(local).as_posix() for p in local.rglob("*") if p.is_file()) == ["a.png", "b.png", "sub/c.png"]
    assert (local / "sub" / "c.png").read_bytes() == (folder / "sub" / "c.png").read_bytes()


def test_new_version_under_the_same_key_keeps_both(inst, tmp_path, unique):
    ln = inst
    key = f"s3test/versioned-{unique}.txt"
    src = tmp_path / "v.txt"
    src.write_text("one")
    v1 = ln.Artifact(src, key=key).save()
    src.write_text("two!")
    v2 = ln.Artifact(src, key=key).save()
    assert v2.uid[:16] == v1.uid[:16] and v2.uid != v1.uid
    assert ln.Artifact.get(key=key).uid == v2.uid
    v1 = ln.Artifact.get(uid=v1.uid)
    assert v1.cache().read_text() == "one" and v2.cache().read_text() == "two!"


def test_permanent_delete_removes_the_managed_object(inst, tmp_path, keys, art_bucket):
    ln = inst
    src = tmp_path / "gone.bin"
    src.write_bytes(os.urandom(128))
    artifact = ln.Artifact(src, key=f"s3test/{uuid.uuid4().hex[:6]}.bin").save()
    path = artifact.path
    assert path.exists()
    artifact.delete(permanent=True)
    assert not path.exists()
    assert not ln.Artifact.filter(uid=artifact.uid).exists()
    if str(path).startswith("s3://"):
        assert not [k for k in keys(art_bucket) if artifact.uid in k]


def test_failed_upload_leaves_no_row_no_object_and_save_can_be_retried(s3ln, s3, art_bucket, keys, tmp_path):
    ln, bucket = s3ln, art_bucket
    src = tmp_path / "retry.txt"
    src.write_bytes(os.urandom(300))
    deny = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/inst/.lineagedb/*"}]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(deny))
    artifact = ln.Artifact(src, key="retry/retry.txt")
    with pytest.raises(StorageError, match=rf"cannot write s3://{bucket}/inst/.lineagedb/.*access denied"):
        artifact.save()
    assert ln.Artifact.filter(key="retry/retry.txt").count() == 0
    assert not [k for k in keys(bucket, "inst/.lineagedb/") if "/.tmp-" in k or artifact.uid in k]
    s3.delete_bucket_policy(Bucket=bucket)
    artifact.save()
    assert ln.Artifact.get(key="retry/retry.txt").cache().read_bytes() == src.read_bytes()
    assert [k for k in keys(bucket, "inst/.lineagedb/") if "/.tmp-" in k or artifact.uid in k] == [
        f"inst/.lineagedb/{artifact.uid}.txt"]


def test_register_public_folder_in_place_without_writing(ln, public_bucket, keys):
    before = keys(public_bucket)
    artifact = ln.Artifact(f"s3://{public_bucket}/iris_studies/study1_raw_images").save()
    assert str(artifact.path).startswith(f"s3://{public_bucket}/iris_studies/study1_raw_images")
    assert (artifact.n_files, artifact.hash_type, artifact.key) == (5, "etag-folder", "iris_studies/study1_raw_images")
    storage = ln.Storage.get(root=f"s3://{public_bucket}")
    assert storage.instance_uid is None and not storage.is_managed and storage.type == "s3"
    assert f"s3://{public_bucket}" in set(ln.Storage.to_dataframe()["root"])
    local = artifact.cache()
    assert sorted(p.name for p in local.iterdir()) == [f"iris{i:07d}.jpg" for i in range(4)] + ["meta.csv"]
    # permanent delete of an in-place artifact removes the row, never the objects
    artifact.delete(permanent=True)
    assert keys(public_bucket) == before


def test_register_cloud_file_in_place_uses_its_etag(ln, s3, keys):
    other = f"ldb-inplace-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=other)
    s3.put_object(Bucket=other, Key="raw/my_data.fcs", Body=b"fcs" * 100)
    artifact = ln.Artifact(f"s3://{other}/raw/my_data.fcs", description="in place").save()
    assert (artifact.key, artifact.suffix, artifact.hash_type, artifact.size) == ("raw/my_data.fcs", ".fcs", "md5-etag", 300)
    assert artifact.cache().read_bytes() == b"fcs" * 100
    s3.put_object(Bucket=other, Key="raw/my_data.fcs", Body=b"new content")  # changed remotely: cache follows
    assert artifact.cache().read_bytes() == b"new content"
    artifact.delete(permanent=True)
    assert keys(other) == ["raw/my_data.fcs"]


def test_registering_a_missing_cloud_path_is_a_clear_error(ln, bucket):
    with pytest.raises((StorageError, ln.errors.InvalidArgument), match=rf"s3://{bucket}/nothing/here"):
        ln.Artifact(f"s3://{bucket}/nothing/here")
    with pytest.raises(StorageError, match=r"bucket 'no-such-bucket-ldb2'.*does not exist"):
        ln.Artifact("s3://no-such-bucket-ldb2/x.csv")
    assert not ln.Storage.filter(root__in=[f"s3://{bucket}", "s3://no-such-bucket-ldb2"]).exists()


def test_anonymous_upath_stays_anonymous_for_later_reads(ln, public_bucket):
    from lineagedb.core import _cloud

    # a folder: moto answers anonymous HeadObject with 403 even where the policy allows GetObject
    artifact = ln.Artifact(ln.UPath(f"s3://{public_bucket}/iris_studies/study2_raw_images", anon=True))
    assert _cloud.storage_options(str(artifact.path)).get("anon") is True
    assert artifact.n_files == 5
    assert (artifact.cache() / "meta.csv").read_bytes().startswith(b"file,species")


def test_open_streams_parquet_from_s3(s3ln, unique):
    import pandas as pd

    df = pd.DataFrame({"x": range(5), "tag": [unique] * 5})
    artifact = s3ln.Artifact.from_dataframe(df, key=f"stream/{unique}.parquet").save()
    assert str(artifact.path).startswith("s3://")
    dataset = artifact.open()
    assert dataset.to_table().to_pandas()["tag"].tolist() == [unique] * 5


def test_other_fsspec_protocols_take_the_same_path(ln, unique):
    """memory:// stands in for gs://, hf://...: no provider checksum in its listing, so the bytes are hashed."""
    import fsspec

    fs = fsspec.filesystem("memory")
    fs.pipe(f"/mem-{unique}/data/table.csv", b"a,b\n1,2\n")
    artifact = ln.Artifact(f"memory://mem-{unique}/data/table.csv").save()
    assert (artifact.key, artifact.hash_type) == ("data/table.csv", "blake3")
    assert ln.Storage.get(root=f"memory://mem-{unique}").type == "memory"
    assert artifact.load()["b"].tolist() == [2]
    fs.pipe(f"/mem-{unique}/data/table.csv", b"a,b\n1,3\n")
    assert artifact.load()["b"].tolist() == [3]  # the cache notices the changed size/mtime
