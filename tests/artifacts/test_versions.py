"""Versions: by key and by revises, is_latest, version tags, get(key=, version=), concurrent writers."""

from __future__ import annotations

import multiprocessing as mp
import os

import pytest
from artifact_helpers import write  # noqa: F401 (fixture)


def test_same_key_makes_a_new_version(ln, write, unique):
    key = f"{unique}/table.csv"
    v1 = ln.Artifact(write("a.csv", f"a,b\n1,x{unique}\n".encode()), key=key).save()
    v2 = ln.Artifact(write("b.csv", f"a,b\n3,y{unique}\n".encode()), key=key, version="1.2").save()
    assert v2.uid[:16] == v1.uid[:16] and v1.uid.endswith("0000") and v2.uid.endswith("0001")
    v1.refresh_from_db()
    assert v2.is_latest and not v1.is_latest
    assert ln.Artifact.get(key=key).uid == v2.uid
    assert ln.Artifact.get(key=key, version="1.2").uid == v2.uid
    assert ln.Artifact.get(key=key, is_latest=False).uid == v1.uid
    assert [a.uid for a in v2.versions] == [v1.uid, v2.uid]
    assert list(v1.versions.to_dataframe()["uid"]) == [v1.uid, v2.uid]
    assert v2.path != v1.path and v1.load()["b"].tolist() == [f"x{unique}"]


def test_revises_without_key(ln, unique):
    df = ln.examples.datasets.mini_immuno.get_dataset1()
    df["donor"] = unique
    v1 = ln.Artifact.from_dataframe(df, description="Just a description").save()
    df2 = df.copy()
    df2["treatment_time_h"] = [1, 2, 3]
    v2 = ln.Artifact.from_dataframe(df2, revises=v1).save()
    v1.refresh_from_db()
    assert v2.stem_uid == v1.stem_uid and v2.is_latest and not v1.is_latest
    assert v2.key is None and v2.description == "Just a description"
    v3 = ln.Artifact.from_dataframe(df2.iloc[:2], revises=v1).save()  # revising an old version still appends
    assert v3.uid.endswith("0002") and v3.versions.count() == 3
    other = ln.Artifact.from_dataframe(df.iloc[:1], key=f"{unique}/other.parquet").save()
    with pytest.raises(ln.errors.InvalidArgument, match="another Artifact family"):
        ln.Artifact.from_dataframe(df.iloc[:2], key=f"{unique}/other.parquet", revises=v1).save()
    assert other.versions.count() == 1


def test_deleting_latest_promotes_previous_and_restore(ln, write, unique):
    key = f"{unique}/p.txt"
    v1 = ln.Artifact(write("1.txt"), key=key).save()
    v2 = ln.Artifact(write("2.txt"), key=key).save()
    v2.delete()
    assert ln.Artifact.get(key=key).uid == v1.uid
    assert ln.Artifact.filter(key=key).count() == 1
    assert [a.uid for a in ln.Artifact.filter(branch=-1, key=key)] == [v2.uid]
    v2.restore()
    assert v2.is_latest and ln.Artifact.get(key=key).uid == v2.uid
    v1.refresh_from_db()
    assert not v1.is_latest
    v3 = ln.Artifact(write("3.txt"), key=key).save()
    v3.delete(permanent=True)
    assert ln.Artifact.get(key=key).uid == v2.uid
    assert ln.Artifact.filter(key=key, is_latest=True).count() == 1


def test_key_update_keeps_bytes_and_refuses_a_foreign_key(ln, write, unique):
    a = ln.Artifact(write("u.txt"), key=f"{unique}/u.txt").save()
    b = ln.Artifact(write("w.txt"), key=f"{unique}/w.txt").save()
    path = a.path
    a.key, a.description = f"{unique}/renamed.txt", "new description"
    a.save()
    row = ln.Artifact.get(key=f"{unique}/renamed.txt")
    assert row.description == "new description" and row.path == path and path.exists()
    a.key = b.key
    with pytest.raises(ln.errors.InvalidArgument, match="another artifact family"):
        a.save()
    a.key = "../escape"
    with pytest.raises(ln.errors.InvalidArgument, match="key"):
        a.save()


def _save_versions(name: str, key: str, worker: int, n: int, queue) -> None:  # noqa: ANN001
    try:
        import lineagedb as ln

        ln.connect(name)
        tmp = f"{os.environ['LINEAGEDB_HOME']}/../w{worker}-{key.replace('/', '_')}"
        os.makedirs(tmp, exist_ok=True)
        for i in range(n):
            path = f"{tmp}/{i}.txt"
            with open(path, "wb") as f:
                f.write(os.urandom(64))
            ln.Artifact(path, key=key).save()
        queue.put("ok")
    except BaseException as e:  # noqa: BLE001
        queue.put(repr(e))


def test_concurrent_writers_leave_one_latest(ln, unique):
    from lineagedb.core.instance import current

    key = f"{unique}/race.txt"
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_save_versions, args=(current().name, key, w, 6, queue)) for w in range(2)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert results == ["ok"] * 2, results
    rows = list(ln.Artifact.filter(key=key).order_by("uid"))
    assert len(rows) == 12 and len({r.stem_uid for r in rows}) == 1
    assert [r.uid[-4:] for r in rows][-1] == "000B"  # suffixes 0000..000B, none skipped or repeated
    assert sum(r.is_latest for r in rows) == 1 and rows[-1].is_latest
