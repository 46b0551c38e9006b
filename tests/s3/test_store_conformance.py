"""Both stores keep one contract (``lineagedb.core.store``): a local folder and a real (moto) S3 bucket.

Each test runs once per store: bytes are placed and hashed, wait under temporary names while "the row commits",
and end at ``<root>/.lineagedb/<uid><suffix>`` on commit, or leave nothing behind on discard.
"""

from __future__ import annotations

import os

import pytest

from lineagedb.core import hashing
from lineagedb.core import storage as st
from lineagedb.core.store import store_for
from lineagedb.core.uids import base62


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        root = tmp_path / "root"
        root.mkdir()
        return store_for(str(root))
    bucket = request.getfixturevalue("bucket")  # starts moto only for the S3 run
    return store_for(f"s3://{bucket}/inst")


def _uid() -> str:
    return base62(16) + "0000"


def _entries(store) -> list[str]:
    """Every file below ``<root>/.lineagedb/``, as paths relative to it."""
    folder = st.managed_dir(store.root)
    if st.is_local(folder):
        base = st.local_path(folder)
        return sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file()) if base.exists() else []
    folder.fs.invalidate_cache()
    return sorted(f[len(folder.path.rstrip("/")) + 1:] for f in folder.fs.find(folder.path))


def _read(path) -> bytes:
    return st.upath(path).read_bytes()


def _file(tmp_path, name: str = "data.csv") -> tuple:
    data = b"a,b\n" + os.urandom(256).hex().encode() + b"\n"
    path = tmp_path / name
    path.write_bytes(data)
    return path, data


def _folder(tmp_path):
    folder = tmp_path / "images.zarr"
    (folder / "sub").mkdir(parents=True)
    files = {"sub/x.bin": os.urandom(100), "y.bin": os.urandom(10)}
    for rel, data in files.items():
        (folder / rel).write_bytes(data)
    return folder, files


def test_place_then_commit_a_file(store, tmp_path):
    source, data = _file(tmp_path)
    placement = store.place(source)
    assert placement.hashed == hashing.hash_file(source)  # hashed on the way in
    assert placement.suffix == ".csv" and placement.store is store
    uid = _uid()
    assert placement.prepare(lambda: None) is None  # no uid known before the transaction: a stage name
    staged = _entries(store)
    assert all(name.startswith(st.STAGE_PREFIX) for name in staged), staged
    placement.assign(uid)
    assert _read(placement.path) == data  # pending bytes are readable before the commit
    assert placement.path.name in {f"{st.TEMP_PREFIX}{uid}.csv", f"{uid}.csv"}
    final = placement.commit()
    assert str(final) == str(store.final_path(uid, ".csv"))
    assert _read(store.final_path(uid, ".csv")) == data
    assert _entries(store) == [f"{uid}.csv"]  # no stage or pending name left
    assert placement.path is None  # committed: readers use the final path
    assert source.read_bytes() == data  # the caller's file is untouched
    assert placement.discard() is False and _entries(store) == [f"{uid}.csv"]  # committed bytes stay


def test_place_then_discard_leaves_nothing(store, tmp_path):
    source, data = _file(tmp_path)
    placement = store.place(source)
    placement.prepare(lambda: None)
    placement.assign(_uid())
    assert _entries(store)
    placement.discard()
    assert _entries(store) == []
    assert placement.path is None
    assert source.read_bytes() == data
    untouched = store.place(source)  # discarded before the transaction began
    untouched.discard()
    assert _entries(store) == []


def test_a_planned_uid_and_a_different_assigned_one(store, tmp_path):
    """A new family's uid is planned before the transaction; a concurrent writer can make it another."""
    source, data = _file(tmp_path, "t.txt")
    planned, assigned = _uid(), _uid()
    placement = store.place(source)
    assert placement.prepare(lambda: planned) in {planned, None}  # None: the store needed no name up front
    placement.assign(assigned)
    placement.commit()
    assert _entries(store) == [f"{assigned}.txt"]
    assert _read(store.final_path(assigned, ".txt")) == data


def test_folder_placement(store, tmp_path):
    folder, files = _folder(tmp_path)
    placement = store.place(folder)
    assert placement.suffix == ".zarr"
    assert placement.hashed == hashing.hash_folder(folder) and placement.hashed.n_files == 2
    uid = _uid()
    placement.prepare(lambda: uid)
    placement.assign(uid)
    assert _read(placement.path / "sub" / "x.bin") == files["sub/x.bin"]  # readable while pending
    assert not st.entry_exists(store.final_path(uid, ".zarr"))  # a folder appears only after the commit
    placement.commit()
    assert _entries(store) == sorted(f"{uid}.zarr/{rel}" for rel in files)
    for rel, data in files.items():
        assert _read(store.final_path(uid, ".zarr") / rel) == data


def test_folder_discard_leaves_nothing(store, tmp_path):
    folder, _ = _folder(tmp_path)
    placement = store.place(folder)
    placement.prepare(lambda: None)
    placement.assign(_uid())
    placement.discard()
    assert _entries(store) == []
    assert sorted(p.name for p in folder.rglob("*")) == ["sub", "x.bin", "y.bin"]


def test_a_reader_may_finish_a_pending_placement_first(store, tmp_path):
    """Between the row's commit and the rename, a reader moves the bytes into place; the commit accepts that."""
    folder, files = _folder(tmp_path)
    placement = store.place(folder)
    uid = _uid()
    placement.prepare(lambda: None)
    placement.assign(uid)
    assert store.roll_forward(uid, ".zarr") is True  # what a reader does when it finds the row
    placement.commit()
    assert _entries(store) == sorted(f"{uid}.zarr/{rel}" for rel in files)


def test_a_taken_over_source_is_removed_once_committed_or_discarded(store, tmp_path):
    for keep in (True, False):
        scratch = store.scratch_path(".txt")
        scratch.write_bytes(os.urandom(64))
        data = scratch.read_bytes()
        placement = store.place(scratch, move=True)
        assert placement.hashed.hash == hashing.hash_bytes(data)
        uid = _uid()
        placement.prepare(lambda uid=uid: uid)
        placement.assign(uid)
        if keep:
            placement.commit()
            assert _read(store.final_path(uid, ".txt")) == data
        else:
            assert placement.discard() is False  # nothing left to place it from
            assert not st.entry_exists(store.final_path(uid, ".txt"))
        assert not scratch.exists()
    assert len(_entries(store)) == 1


def test_a_discarded_placement_says_whether_it_can_be_placed_again(store, tmp_path):
    source, data = _file(tmp_path)
    placement = store.place(source)
    placement.prepare(lambda: None)
    placement.assign(_uid())
    if placement.discard():  # its bytes still come from the caller's file (an upload): try again
        uid = _uid()
        placement.prepare(lambda: None)
        placement.assign(uid)
        placement.commit()
        assert _entries(store) == [f"{uid}.csv"] and _read(store.final_path(uid, ".csv")) == data
    else:
        assert _entries(store) == []


def test_hide_and_remove_pending_for_a_delete(store, tmp_path):
    source, data = _file(tmp_path)
    placement = store.place(source)
    uid = _uid()
    placement.prepare(lambda: uid)
    placement.assign(uid)
    placement.commit()
    undo = store.hide(uid, ".csv")  # inside the delete's transaction
    assert _entries(store) == [f"{st.TEMP_PREFIX}{uid}.csv"]
    undo()  # the delete rolled back
    assert _read(store.final_path(uid, ".csv")) == data
    store.hide(uid, ".csv")
    store.remove_pending(uid, ".csv")  # the delete committed
    assert _entries(store) == []
    assert store.hide(uid, ".csv") is None  # nothing left to hide
