"""Guarantee: concurrent writers in separate processes lose nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

from reliability_helpers import BACKEND, managed_files, spawn, sqlite_only, wait_all

WRITERS = 4 if BACKEND == "sqlite" else 8
SAVES = 100 if BACKEND == "sqlite" else 30


def test_parallel_artifact_and_record_saves_lose_nothing(ln, make_instance):
    inst = make_instance(modules="")
    procs = [spawn(inst.name, "artifacts", f"w{w}", str(SAVES)) for w in range(WRITERS)]
    wait_all(procs)
    total = WRITERS * SAVES
    rows = list(ln.Artifact.filter().values_list("key", "uid", "suffix"))
    assert len(rows) == total
    assert {k for k, _, _ in rows} == {f"w{w}/{i}.txt" for w in range(WRITERS) for i in range(SAVES)}
    assert managed_files(inst.storage_root) == {f"{uid}{suffix}" for _, uid, suffix in rows}
    assert ln.setup.check(hashes=True).ok
    names = list(ln.Record.filter().values_list("name", flat=True))
    assert sorted(names) == sorted(f"w{w}-{i}" for w in range(WRITERS) for i in range(1, SAVES, 2))


def test_two_writers_versioning_one_key_end_with_one_latest(ln, make_instance):
    inst = make_instance(modules="")
    per_writer = 25
    procs = [spawn(inst.name, "versions", "shared/table.txt", str(per_writer)) for _ in range(2)]
    wait_all(procs)
    versions = list(ln.Artifact.filter(key="shared/table.txt").order_by("uid").values_list("uid", "is_latest"))
    assert len(versions) == 2 * per_writer
    assert len({uid[:16] for uid, _ in versions}) == 1, "all versions join one family"
    assert [latest for _, latest in versions].count(True) == 1
    assert versions[-1][1] is True, "the newest version is the latest"
    assert ln.Artifact.get(key="shared/table.txt").uid == versions[-1][0]


@sqlite_only
def test_sqlite_is_configured_for_concurrent_writers(ln, make_instance):
    """WAL lets readers run beside a writer; IMMEDIATE transactions take the write lock up front, and
    a busy timeout makes a second writer wait for it instead of failing."""
    from django.db import connection

    make_instance(modules="")
    with connection.cursor() as cur:
        cur.execute("PRAGMA journal_mode")
        assert cur.fetchone()[0] == "wal"
        cur.execute("PRAGMA busy_timeout")
        assert cur.fetchone()[0] >= 30_000
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
