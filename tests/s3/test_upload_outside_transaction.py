"""Saving to an S3 root uploads before the row's transaction: other writers are not held up by a transfer.

The upload goes to the artifact's final object name when its uid is known up front (the first version of a
new family), else to a ``.tmp-stage-*`` object renamed server-side inside the (short) transaction.
"""

from __future__ import annotations

import os
import threading
import time

import pytest
from django.db import connection


def _managed(keys, bucket):
    return [k for k in keys(bucket, "inst/.lineagedb/") if not k.endswith("instance.json")]


def test_another_writer_commits_while_a_large_upload_runs(s3_instance, s3, bucket, tmp_path, keys):
    import lineagedb as ln

    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(64 << 20))  # 64 MB: a multipart upload of several parts
    ln.settings.progress = False
    artifact = ln.Artifact(src, key="big/big.bin")
    errors: list[BaseException] = []

    def save() -> None:
        try:
            artifact.save()
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)
        finally:
            connection.close()  # this thread's own database connection

    writer = threading.Thread(target=save)
    writer.start()
    deadline = time.time() + 60
    while not s3.list_multipart_uploads(Bucket=bucket).get("Uploads"):  # the transfer has begun
        assert writer.is_alive() and time.time() < deadline, f"no multipart upload seen ({errors})"
        time.sleep(0.005)
    started = time.perf_counter()
    record = ln.Record(name="written during the upload").save()  # this thread's connection: another writer
    took = time.perf_counter() - started
    in_flight = bool(s3.list_multipart_uploads(Bucket=bucket).get("Uploads"))
    writer.join(120)
    assert not errors, errors
    # with the upload inside the transaction, the Record waits for the whole transfer (SQLite's write lock)
    assert in_flight, f"the Record only committed after the upload finished ({took:.2f} s)"
    assert took < 1.0
    assert ln.Record.get(pk=record.pk).name == "written during the upload"
    saved = ln.Artifact.get(key="big/big.bin")
    assert _managed(keys, bucket) == [f"inst/.lineagedb/{saved.uid}.bin"]
    assert s3.head_object(Bucket=bucket, Key=f"inst/.lineagedb/{saved.uid}.bin")["ContentLength"] == 64 << 20


def test_new_version_is_uploaded_to_a_stage_object_and_renamed(s3_instance, bucket, tmp_path, keys):
    import lineagedb as ln

    for i in range(3):
        (tmp_path / f"v{i}.txt").write_text(f"version {i}\n")
    v1 = ln.Artifact(tmp_path / "v0.txt", key="fam/data.txt").save()
    v2 = ln.Artifact(tmp_path / "v1.txt", key="fam/data.txt").save()
    v3 = ln.Artifact(tmp_path / "v2.txt", revises=v2).save()
    assert v1.stem_uid == v2.stem_uid == v3.stem_uid and v3.is_latest
    assert _managed(keys, bucket) == sorted(f"inst/.lineagedb/{a.uid}.txt" for a in (v1, v2, v3))
    assert [a.cache().read_text() for a in (v1, v2, v3)] == [f"version {i}\n" for i in range(3)]


def test_folder_upload_before_the_transaction(s3_instance, bucket, tmp_path, keys):
    import lineagedb as ln

    folder = tmp_path / "imgs.zarr"
    (folder / "a").mkdir(parents=True)
    (folder / "a" / "x.bin").write_bytes(b"x" * 100)
    (folder / "y.bin").write_bytes(b"y" * 10)
    first = ln.Artifact(folder, key="f/imgs.zarr").save()  # uploaded to .tmp-<uid>.zarr/, renamed after commit
    (folder / "y.bin").write_bytes(b"z" * 10)
    second = ln.Artifact(folder, key="f/imgs.zarr").save()  # a new version: via a .tmp-stage-* folder
    assert second.stem_uid == first.stem_uid and second.uid != first.uid
    assert _managed(keys, bucket) == sorted(f"inst/.lineagedb/{a.uid}.zarr/{name}" for a in (first, second)
                                            for name in ("a/x.bin", "y.bin"))
    assert (second.cache() / "y.bin").read_bytes() == b"z" * 10


def _refuse_key_trigger(key: str) -> tuple[str, str]:
    """SQL that makes the database itself refuse an artifact row with ``key`` (and SQL to undo it)."""
    from lineagedb.models.artifact import Artifact

    table = connection.ops.quote_name(Artifact._meta.db_table)
    if connection.vendor == "sqlite":
        return (f"CREATE TRIGGER refuse_key BEFORE INSERT ON {table} WHEN NEW.key = '{key}' "
                "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END",
                "DROP TRIGGER refuse_key")
    return (f"CREATE FUNCTION refuse_key() RETURNS trigger AS $$ BEGIN IF NEW.key = '{key}' THEN "
            f"RAISE EXCEPTION 'refused by test trigger'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql; "
            f"CREATE TRIGGER refuse_key BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_key()",
            f"DROP TRIGGER refuse_key ON {table}; DROP FUNCTION refuse_key()")


@pytest.mark.parametrize("existing_family", [False, True])
def test_a_row_that_does_not_commit_takes_its_uploaded_object_away(s3_instance, bucket, tmp_path, keys,
                                                                  existing_family):
    import lineagedb as ln

    src = tmp_path / "refused.txt"
    src.write_bytes(os.urandom(200))
    if existing_family:
        first = tmp_path / "first.txt"
        first.write_text("first")
        ln.Artifact(first, key="ok/first.txt").save()
    key = "ok/first.txt" if existing_family else "refused/refused.txt"
    before = _managed(keys, bucket)
    create, drop = _refuse_key_trigger(key)
    with connection.cursor() as cur:
        cur.execute(create)
    try:
        with pytest.raises(Exception, match="refused by test trigger"):
            ln.Artifact(src, key=key).save()
    finally:
        with connection.cursor() as cur:
            cur.execute(drop)
    assert _managed(keys, bucket) == before  # no object without its row, no stage object left
    assert ln.Artifact.filter(key=key).count() == (1 if existing_family else 0)
    again = ln.Artifact(src, key=key).save()
    assert again.cache().read_bytes() == src.read_bytes()


def _hold_write_lock(key: str):  # noqa: ANN202
    """Block other writers of ``key`` (SQLite: the database write lock; PostgreSQL: the family key lock)."""
    from lineagedb.models.artifact import Artifact

    if connection.vendor == "sqlite":
        import sqlite3

        holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        return lambda: (holder.execute("ROLLBACK"), holder.close())
    token = f"{Artifact._meta.db_table}:key:{key}"
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [token])

    def release() -> None:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [token])

    return release


def test_a_crash_between_upload_and_commit_leaves_an_orphan_that_check_quarantines(s3_instance, s3, bucket,
                                                                                    tmp_path, keys):
    import subprocess
    import sys

    import lineagedb as ln
    from lineagedb.core.integrity import check

    src = tmp_path / "crash.bin"
    src.write_bytes(os.urandom(1 << 20))
    script = (f"import lineagedb as ln; ln.connect({s3_instance.name!r}); "
              f"ln.Artifact({str(src)!r}, key='crash/crash.bin').save()")
    release = _hold_write_lock("crash/crash.bin")
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while not [k for k in _managed(keys, bucket) if k.endswith(".bin")]:  # uploaded; now waits for the lock
            assert child.poll() is None and time.time() < deadline, child.stdout.read() if child.poll() else "timeout"
            time.sleep(0.02)
        child.kill()  # SIGKILL before the row's transaction could begin
        child.wait(30)
    finally:
        release()
    assert ln.Artifact.filter(key="crash/crash.bin").count() == 0
    [orphan] = [k for k in _managed(keys, bucket) if k.endswith(".bin")]
    report = check(fix=True, grace_s=0)
    assert [(p.kind, p.path.rsplit("/", 1)[-1]) for p in report.problems] == [("orphan", orphan.rsplit("/", 1)[-1])]
    assert not [k for k in _managed(keys, bucket) if k.endswith(".bin") and "/quarantine/" not in k]
    assert [k for k in keys(bucket, "inst/.lineagedb/quarantine/") if k.endswith(orphan.rsplit("/", 1)[-1])]
