"""Cloud primitives against the real S3-compatible server: options, errors, checksums, transfers, trees."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from lineagedb.core import _cache, _cloud, _tree
from lineagedb.errors import StorageError


def test_endpoint_comes_from_the_aws_environment(s3_endpoint):
    opts = _cloud.storage_options("s3://any/x")
    assert opts["endpoint_url"] == s3_endpoint
    assert _cloud.storage_options("gs://any/x") == {}
    assert _cloud.storage_options("s3://any/x", anon=True)["anon"] is True


def test_registered_options_apply_under_their_root(s3_endpoint):
    _cloud.set_storage_options("s3://opt-bucket", anon=True)
    try:
        assert _cloud.storage_options("s3://opt-bucket/a/b")["anon"] is True
        assert "anon" not in _cloud.storage_options("s3://opt-bucket2/a")
    finally:
        _cloud._OPTIONS.pop("s3://opt-bucket")


def test_missing_bucket_error_names_bucket_and_what_to_check(s3_endpoint):
    with pytest.raises(StorageError, match=r"bucket 'no-such-bucket-x'.*does not exist.*AWS_ENDPOINT_URL"):
        _cloud.provider_hash("s3://no-such-bucket-x/data.csv")


def test_write_to_read_only_bucket_says_access_denied(public_bucket, tmp_path):
    f = tmp_path / "x.txt"
    f.write_bytes(b"hello")
    with pytest.raises(StorageError, match=r"cannot write .*lamindata.*access denied"):
        _cloud.upload_file(f, f"s3://{public_bucket}/x.txt")


def test_unreachable_endpoint_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # discard port: nothing listens
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(StorageError, match=r"bucket 'bkt'.*127\.0\.0\.1:9"):
        _cloud.provider_hash("s3://bkt/x", config_kwargs={"connect_timeout": 1, "retries": {"max_attempts": 0}})


def test_provider_hash_of_object_is_its_md5_etag(s3, bucket):
    body = os.urandom(1000)
    s3.put_object(Bucket=bucket, Key="a.bin", Body=body)
    hashed = _cloud.provider_hash(f"s3://{bucket}/a.bin")
    assert hashed.hash_type == "md5-etag"
    assert hashed.hash == _cloud.encode(hashlib.md5(body).digest())
    assert hashed.size == 1000 and hashed.n_files is None


def test_folder_hash_changes_with_content_and_names(s3, bucket):
    for i in range(3):
        s3.put_object(Bucket=bucket, Key=f"f/{i}.txt", Body=f"v{i}".encode())
    first = _cloud.provider_hash(f"s3://{bucket}/f/")
    assert (first.hash_type, first.n_files, first.size) == ("etag-folder", 3, 6)
    s3.put_object(Bucket=bucket, Key="f/1.txt", Body=b"changed")
    second = _cloud.provider_hash(f"s3://{bucket}/f")
    assert second.hash != first.hash
    s3.copy_object(Bucket=bucket, Key="f/9.txt", CopySource={"Bucket": bucket, "Key": "f/1.txt"})
    s3.delete_object(Bucket=bucket, Key="f/1.txt")
    assert _cloud.provider_hash(f"s3://{bucket}/f").hash not in {first.hash, second.hash}


def test_large_upload_is_multipart_and_leaves_nothing_on_failure(s3, bucket, tmp_path, monkeypatch):
    monkeypatch.setattr(_cloud, "MULTIPART_CHUNK", 5 << 20)
    monkeypatch.setattr(_cloud, "MULTIPART_MIN_BYTES", 10 << 20)
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(11 << 20))
    _cloud.upload_file(big, f"s3://{bucket}/big.bin")
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ContentLength"] == 11 << 20
    assert head["ETag"].strip('"').endswith("-3")  # three parts
    assert _cloud.provider_hash(f"s3://{bucket}/big.bin").hash_type == "s3-multipart-etag"


def test_failed_folder_upload_removes_what_it_uploaded(s3, bucket, tmp_path, keys):
    folder = tmp_path / "imgs"
    folder.mkdir()
    for name in ("0.png", "1.png", "zz.png"):
        (folder / name).write_bytes(os.urandom(100))
    deny_last = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/up/imgs/zz.png"}]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(deny_last))  # the last file of the upload is refused
    with pytest.raises(StorageError, match=r"cannot write s3://.*/up/imgs/zz.png.*access denied"):
        _cloud.upload_folder(folder, f"s3://{bucket}/up/imgs")
    assert keys(bucket, "up/") == []


def test_progress_bar_only_for_large_transfers_and_can_be_silenced(capsys):
    from fsspec.callbacks import NoOpCallback

    import lineagedb as ln

    with _cloud.progress("x", 10) as cb:
        assert isinstance(cb, NoOpCallback)
    with _cloud.progress("x", 100 << 20) as cb:
        assert not isinstance(cb, NoOpCallback)
    ln.settings.progress = False
    try:
        with _cloud.progress("x", 100 << 20) as cb:
            assert isinstance(cb, NoOpCallback)
    finally:
        ln.settings.progress = True


def test_cache_redownloads_only_changed_objects(s3, bucket, tmp_path, monkeypatch):
    monkeypatch.setenv("LINEAGEDB_CACHE_DIR", str(tmp_path / "cache"))
    from lineagedb.core.user_settings import settings

    monkeypatch.setattr(settings, "_cache_dir", tmp_path / "cache")
    s3.put_object(Bucket=bucket, Key="d/a.txt", Body=b"a1")
    s3.put_object(Bucket=bucket, Key="d/sub/b.txt", Body=b"b1")
    local = _cache.cache(f"s3://{bucket}/d")
    assert local == tmp_path / "cache" / "s3" / bucket / "d"
    assert (local / "a.txt").read_bytes() == b"a1" and (local / "sub" / "b.txt").read_bytes() == b"b1"
    mtime = (local / "sub" / "b.txt").stat().st_mtime_ns
    s3.put_object(Bucket=bucket, Key="d/a.txt", Body=b"a2-new")
    s3.delete_object(Bucket=bucket, Key="d/sub/b.txt")
    s3.put_object(Bucket=bucket, Key="d/c.txt", Body=b"c")
    local = _cache.cache(f"s3://{bucket}/d")
    assert sorted(p.relative_to(local).as_posix() for p in local.rglob("*") if p.is_file()) == ["a.txt", "c.txt"]
    assert (local / "a.txt").read_bytes() == b"a2-new"
    # an unchanged file is not downloaded again
    s3.put_object(Bucket=bucket, Key="one.txt", Body=b"x")
    f = _cache.cache(f"s3://{bucket}/one.txt")
    before = f.stat().st_mtime_ns
    assert _cache.cache(f"s3://{bucket}/one.txt").stat().st_mtime_ns == before
    f.write_bytes(b"y")  # a local edit of the cache is detected by size/fingerprint and repaired
    f.write_bytes(b"yy")
    assert _cache.cache(f"s3://{bucket}/one.txt").read_bytes() == b"x"
    assert mtime  # the folder's first copy existed


def test_view_tree_is_bounded_and_counts(public_bucket, capsys, tmp_path):
    from lineagedb.core.storage import UPath

    UPath(f"s3://{public_bucket}/iris_studies", anon=True).view_tree()
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"s3://{public_bucket}/iris_studies: 3 sub-directories & 15 files with suffixes '.csv', '.jpg'"
    assert "├── study0_raw_images/" in out and "    └── meta.csv" in out
    UPath(f"s3://{public_bucket}/iris_studies", anon=True).view_tree(level=1)
    out = capsys.readouterr().out.splitlines()
    assert out[1:] == ["├── study0_raw_images/", "├── study1_raw_images/", "└── study2_raw_images/"]
    lines = _tree.tree_lines(UPath(f"s3://{public_bucket}/iris_studies", anon=True), level=2, limit=4)
    assert len(lines) == 1 + 4 + 1 and "14 more entries" in lines[-1]  # 3 folders + 15 files, 4 shown
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.csv").write_text("1")
    UPath(tmp_path / "a").view_tree()
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("a: 1 sub-directory & 1 file with suffixes '.csv'") and out[1:] == ["└── b/", "    └── x.csv"]
    with pytest.raises(ValueError, match="level"):
        UPath(tmp_path).view_tree(level=0)


@pytest.fixture
def no_credentials(monkeypatch, tmp_path):
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return tmp_path


def test_without_credentials_public_buckets_are_read_anonymously(public_bucket, no_credentials):
    assert _cloud.storage_options(f"s3://{public_bucket}/x")["anon"] is True
    hashed = _cloud.provider_hash(f"s3://{public_bucket}/iris_studies/study2_raw_images")
    assert hashed.n_files == 5


def test_credentials_from_a_profile(public_bucket, bucket, no_credentials, tmp_path, monkeypatch):
    creds = no_credentials / "credentials"
    creds.write_text("[ldbtest]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    monkeypatch.setenv("AWS_PROFILE", "ldbtest")
    opts = _cloud.storage_options(f"s3://{bucket}/x")
    assert opts["profile"] == "ldbtest" and "anon" not in opts
    f = tmp_path / "p.txt"
    f.write_bytes(b"via profile")
    _cloud.upload_file(f, f"s3://{bucket}/p.txt")
    assert _cloud.provider_hash(f"s3://{bucket}/p.txt").size == len(b"via profile")
