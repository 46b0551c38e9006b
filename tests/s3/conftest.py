"""A real S3-compatible server for the cloud tests: moto's server mode on a free loopback port.

Fixtures:
- ``s3_endpoint`` (session): starts ``python -m moto.server`` and points the standard AWS environment
  (``AWS_ENDPOINT_URL``, test credentials, region) at it; restored at the end of the session.
- ``s3``: a boto3 client of that server (to arrange and inspect buckets outside lineagedb).
- ``bucket``: a fresh, empty, writable bucket per test.
- ``public_bucket`` (session): ``lamindata``, a public bucket anyone may list and read but nobody may
  write to (a bucket policy denies PutObject/DeleteObject), holding ``iris_studies/study{0,1,2}_raw_images``
  with 4 ``.jpg`` files and one ``meta.csv`` each.
- ``keys``: lists a bucket's object keys; ``db_url``: a fresh database URL of the session's backend.
- ``s3_instance``: a fresh instance rooted at ``s3://<bucket>/inst`` (backend from ``LINEAGEDB_TEST_DB``).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid

import pytest

PUBLIC_BUCKET = "lamindata"
READ_ONLY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": [f"arn:aws:s3:::{PUBLIC_BUCKET}", f"arn:aws:s3:::{PUBLIC_BUCKET}/*"]},
        {"Sid": "NoWrites", "Effect": "Deny", "Principal": "*", "Action": ["s3:PutObject", "s3:DeleteObject"],
         "Resource": f"arn:aws:s3:::{PUBLIC_BUCKET}/*"},
    ],
}
_ENV = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_PROFILE")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    saved = {k: os.environ.get(k) for k in _ENV}
    try:
        deadline = time.time() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail("moto's S3 server exited at once; install it with pip install 'moto[server]'")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.time() > deadline:
                    pytest.fail("moto's S3 server did not start within 30 s")
                time.sleep(0.1)
        endpoint = f"http://127.0.0.1:{port}"
        os.environ.pop("AWS_PROFILE", None)
        os.environ.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                          AWS_DEFAULT_REGION="us-east-1")
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(10)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="session")
def s3(s3_endpoint):
    import boto3

    return boto3.client("s3", endpoint_url=s3_endpoint)


@pytest.fixture
def bucket(s3):
    name = f"ldb-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def keys(s3):
    """``keys(bucket, prefix="")``: every object key in ``bucket`` under ``prefix`` (sorted)."""

    def list_keys(bucket: str, prefix: str = "") -> list[str]:
        out = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            out += [o["Key"] for o in page.get("Contents", [])]
        return sorted(out)

    return list_keys


@pytest.fixture
def db_url():
    """``db_url()``: None on SQLite; a fresh PostgreSQL database URL (dropped afterwards) on PostgreSQL."""
    admin = os.environ.get("LINEAGEDB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    made: list[str] = []

    def make() -> str | None:
        if os.environ.get("LINEAGEDB_TEST_DB", "sqlite") != "postgresql":
            return None
        import psycopg

        made.append(f"ldbtest_s3_{uuid.uuid4().hex[:10]}")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{made[-1]}"')
        return admin.rsplit("/", 1)[0] + "/" + made[-1]

    yield make
    if made:
        import psycopg

        with psycopg.connect(admin, autocommit=True) as conn:
            for name in made:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def public_bucket(s3):
    s3.create_bucket(Bucket=PUBLIC_BUCKET)
    for study in range(3):
        prefix = f"iris_studies/study{study}_raw_images"
        for i in range(4):
            s3.put_object(Bucket=PUBLIC_BUCKET, Key=f"{prefix}/iris{i:07d}.jpg", Body=os.urandom(256))
        s3.put_object(Bucket=PUBLIC_BUCKET, Key=f"{prefix}/meta.csv", Body=b"file,species\niris0000000.jpg,setosa\n")
    s3.put_bucket_policy(Bucket=PUBLIC_BUCKET, Policy=json.dumps(READ_ONLY_POLICY))
    return PUBLIC_BUCKET


@pytest.fixture
def s3_instance(make_instance, bucket):
    return make_instance(storage=f"s3://{bucket}/inst", modules="")
