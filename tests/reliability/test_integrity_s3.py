"""``check`` on an S3 storage root (moto's S3 server): missing objects, orphans, quarantine by move."""

from __future__ import annotations

import os

from s3.conftest import bucket, s3, s3_endpoint, s3_instance  # noqa: F401 - the S3 fixtures


def test_check_and_fix_on_s3(ln, s3_instance, s3, bucket, tmp_path):  # noqa: F811
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes(os.urandom(64))
    b.write_bytes(os.urandom(64))
    kept = ln.Artifact(a, key="a.txt").save()
    gone = ln.Artifact(b, key="b.txt").save()
    assert ln.setup.check(hashes=True).ok
    s3.delete_object(Bucket=bucket, Key=f"inst/.lineagedb/{gone.uid}.txt")
    s3.put_object(Bucket=bucket, Key="inst/.lineagedb/DDDDDDDDDDDDDDDDDDDD.csv", Body=b"orphan")
    s3.put_object(Bucket=bucket, Key=f"inst/.lineagedb/{kept.uid}.txt", Body=b"changed")
    report = ln.setup.check(fix=True, hashes=True)
    kinds = sorted((p.kind, p.uid or p.path.rsplit("/", 1)[-1]) for p in report.problems)
    assert kinds == [("hash_mismatch", kept.uid), ("missing", gone.uid), ("orphan", "DDDDDDDDDDDDDDDDDDDD.csv")], str(report)
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="inst/.lineagedb/")["Contents"]]
    assert not any(k.endswith("/DDDDDDDDDDDDDDDDDDDD.csv") and "quarantine" not in k for k in listed)
    moved = [k for k in listed if "/quarantine/" in k]
    assert len(moved) == 1 and moved[0].endswith("/DDDDDDDDDDDDDDDDDDDD.csv")
    body = s3.get_object(Bucket=bucket, Key=moved[0])["Body"].read()
    assert body == b"orphan"
