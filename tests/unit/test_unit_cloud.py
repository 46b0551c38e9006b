"""core._cloud's pure parts (no request is made): URL anatomy, options, error hints, provider checksums;
and core._cache's mapping of remote URLs to local paths."""

from __future__ import annotations

import base64
import hashlib

import pytest

from lineagedb import errors
from lineagedb.core import _cache, _cloud
from lineagedb.core.hashing import encode


@pytest.mark.parametrize(("url", "protocol", "remote"), [("s3://b/k.csv", "s3", True), ("gs://b", "gs", True),
                                                         ("hf://datasets/x", "hf", True), ("/tmp/x", "file", False),
                                                         ("rel/x", "file", False), ("local://x", "local", False)])
def test_protocol_and_remoteness(url, protocol, remote):
    assert _cloud.protocol_of(url) == protocol
    assert _cloud.is_remote(url) is remote


@pytest.mark.parametrize(("url", "root"), [("s3://bkt/a/b.csv", "s3://bkt"), ("gs://bkt/", "gs://bkt"),
                                           ("s3://bkt", "s3://bkt"), ("s3:///bkt//a", "s3://bkt")])
def test_root_and_bucket(url, root):
    assert _cloud.root_of(url) == root
    assert _cloud.bucket_of(url) == "bkt"


@pytest.fixture
def no_registered_options(monkeypatch):
    monkeypatch.setattr(_cloud, "_OPTIONS", {})
    for var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "AWS_ACCESS_KEY_ID"):
        monkeypatch.delenv(var, raising=False)


def test_registered_options_apply_below_their_root_only(no_registered_options):
    _cloud.set_storage_options("gs://data/", token="anon")
    _cloud.set_storage_options("gs://data/private", token="secret-file")
    assert _cloud.storage_options("gs://data/x.csv") == {"token": "anon"}
    assert _cloud.storage_options("gs://data/private/x.csv") == {"token": "secret-file"}
    assert _cloud.storage_options("gs://database/x.csv") == {}
    assert _cloud.storage_options("gs://data/x.csv", token="override") == {"token": "override"}


def test_s3_options_come_from_the_aws_environment(no_registered_options, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000")
    assert _cloud.storage_options("s3://b/k", key="K", secret="S") == {
        "endpoint_url": "http://127.0.0.1:9000", "key": "K", "secret": "S"}
    monkeypatch.setenv("AWS_PROFILE", "lab")
    assert _cloud.storage_options("s3://b/k")["profile"] == "lab"
    assert "profile" not in _cloud.storage_options("s3://b/k", anon=True)  # anonymous reads need no profile


@pytest.mark.parametrize(("exc", "hint"), [
    (Exception("Unable to locate credentials"), "no credentials found"),
    (OSError("An error occurred (InvalidAccessKeyId)"), "credentials were rejected"),
    (OSError("NoSuchBucket"), "bucket does not exist"),
    (PermissionError("denied"), "access denied: check that your credentials may write to"),
    (OSError("Could not connect to the endpoint URL"), "endpoint cannot be reached"),
    (FileNotFoundError("x"), "nothing exists at this path"),
    (ValueError("strange\nsecond line"), "ValueError: strange"),
])
def test_storage_errors_name_the_bucket_and_what_to_check(exc, hint):
    error = _cloud.storage_error("s3://my-bucket/a/b.csv", "write", exc)
    assert isinstance(error, errors.StorageError)
    message = str(error)
    assert message.startswith("cannot write s3://my-bucket/a/b.csv (bucket 'my-bucket')")
    assert hint in message and "second line" not in message


def test_translated_turns_remote_failures_into_storage_errors():
    with pytest.raises(errors.StorageError, match="bucket 'b'") as info:
        with _cloud.translated("s3://b/x", "read"):
            raise FileNotFoundError("gone")
    assert isinstance(info.value.__cause__, FileNotFoundError)
    with pytest.raises(FileNotFoundError):  # local paths pass through unchanged
        with _cloud.translated("/tmp/x", "read"):
            raise FileNotFoundError("gone")
    with pytest.raises(KeyError):  # not a storage failure: unchanged
        with _cloud.translated("s3://b/x", "read"):
            raise KeyError("k")


def test_provider_checksums():
    md5 = hashlib.md5(b"content").hexdigest()
    assert _cloud._checksum({"ETag": f'"{md5}"'}) == (encode(bytes.fromhex(md5)), "md5-etag")
    multipart = _cloud._checksum({"ETag": f"{md5}-3"})
    assert multipart[1] == "s3-multipart-etag" and multipart[0] != encode(bytes.fromhex(md5))
    gcs = base64.b64encode(hashlib.md5(b"content").digest()).decode()
    assert _cloud._checksum({"md5Hash": gcs}) == (encode(bytes.fromhex(md5)), "md5")  # same content, same hash
    assert _cloud._checksum({"lfs": {"sha256": "abc"}})[1] == "sha256"
    assert _cloud._checksum({"size": 3}) is None


def test_remote_fingerprint_changes_with_size_checksum_or_time():
    base = {"size": 3, "ETag": '"e1"', "LastModified": "2024-01-01"}
    same = _cloud.remote_fingerprint(dict(base))
    assert same == {"size": 3, "etag": '"e1"', "mtime": "2024-01-01"}
    for change in ({"size": 4}, {"ETag": '"e2"'}, {"LastModified": "2024-01-02"}):
        assert _cloud.remote_fingerprint({**base, **change}) != same


def test_cache_paths_mirror_the_url_and_never_leave_the_cache(tmp_path, monkeypatch):
    from lineagedb.core.user_settings import settings

    monkeypatch.setattr(settings, "_cache_dir", tmp_path)
    assert _cache.cache_path("s3://bkt/a/b.csv") == tmp_path / "s3" / "bkt" / "a" / "b.csv"
    assert _cache.cache_path("s3://bkt/../../etc/./passwd") == tmp_path / "s3" / "bkt" / "etc" / "passwd"
    assert _cache.cache_path("gs://bkt//x/") == tmp_path / "gs" / "bkt" / "x"
