"""Crash safety: no row without its file, no file without its row; recovery of interrupted saves."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from artifact_helpers import managed_entries, temp_entries, write  # noqa: F401 (fixture)

from lineagedb.core import hashing, storage


def test_failed_insert_leaves_nothing(ln, write, unique):
    unsaved_run = ln.Run(transform=ln.Transform(key=f"{unique}.py").save())  # not saved: the insert fails
    before = managed_entries(ln)
    artifact = ln.Artifact(write("f.txt"), key=f"{unique}/f.txt", run=unsaved_run)
    assert temp_entries(ln), "the copy is staged under a .tmp- name"
    with pytest.raises(ValueError):
        artifact.save()
    assert managed_entries(ln) == before and not ln.Artifact.filter(key=f"{unique}/f.txt").exists()
    with pytest.raises(ln.errors.InvalidArgument, match="create it again"):
        artifact.save()


def test_unsaved_artifact_removes_its_staged_copy(ln, write):
    before = managed_entries(ln)
    artifact = ln.Artifact(write("g.txt"))
    assert managed_entries(ln) != before
    del artifact
    assert managed_entries(ln) == before


def test_failed_rename_takes_the_row_back(ln, write, unique):
    key = f"{unique}/r.txt"
    v1 = ln.Artifact(write("1.txt"), key=key).save()
    blocker = Path(ln.settings.storage.root) / ".lineagedb" / f"{v1.stem_uid}0001.txt"
    blocker.mkdir()
    (blocker / "occupied").write_text("x")  # the final name is taken by a non-empty folder
    try:
        with pytest.raises(ln.errors.StorageError):
            ln.Artifact(write("2.txt"), key=key).save()
        assert [a.uid for a in ln.Artifact.filter(key=key)] == [v1.uid]
        assert ln.Artifact.get(key=key).is_latest and not temp_entries(ln)
    finally:
        (blocker / "occupied").unlink()
        blocker.rmdir()


def test_crash_between_commit_and_rename_rolls_forward(ln, write, unique):
    artifact = ln.Artifact(write("c.csv", f"a\nx{unique}\n".encode()), key=f"{unique}/c.csv").save()
    final = Path(str(artifact.path))
    pending = final.with_name(f".tmp-{artifact.uid}.csv")
    final.rename(pending)  # as if the process died after the commit
    assert ln.Artifact.get(key=f"{unique}/c.csv").load()["a"].tolist() == [f"x{unique}"]
    assert final.exists() and not pending.exists()


def test_clean_temp_rolls_forward_or_removes(ln, write, unique):
    root = ln.settings.storage.root
    artifact = ln.Artifact(write("k.txt"), key=f"{unique}/k.txt").save()
    final = Path(str(artifact.path))
    pending = final.with_name(f".tmp-{artifact.uid}.txt")
    final.rename(pending)
    orphan = final.with_name(f".tmp-stage-{unique}.txt")
    orphan.write_text("garbage")
    fresh = final.with_name(f".tmp-stage-{unique}fresh.txt")
    fresh.write_text("in progress")
    old = time.time() - 7200
    os.utime(pending, (old, old))
    os.utime(orphan, (old, old))

    def has_row(uid: str) -> bool:
        return ln.Artifact.filter(uid=uid).exists()

    acted = storage.clean_temp(root, has_row, min_age_s=3600)
    assert set(acted) >= {pending.name, orphan.name} and fresh.name not in acted
    assert final.exists() and not orphan.exists() and fresh.exists()
    fresh.unlink()


def test_delete_managed_refuses_outside_the_managed_folder(tmp_path):
    with pytest.raises(ln_errors().StorageError):
        storage.delete_managed(str(tmp_path), "../escape", "")


def ln_errors():
    from lineagedb import errors

    return errors


def test_hashing(tmp_path):
    data = os.urandom(3 * hashing._SMALL + 123)  # above the in-memory size: the kernel-copy + mmap path
    src = tmp_path / "big.bin"
    src.write_bytes(data)
    copied = hashing.copy_file_hashed(src, tmp_path / "copy.bin")
    assert copied == hashing.hash_file(src) and copied.hash == hashing.hash_bytes(data)
    assert (tmp_path / "copy.bin").read_bytes() == data and copied.size == len(data)
    assert len(copied.hash) == 22 and set(copied.hash) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert hashing.hash_bytes(b"a") != hashing.hash_bytes(b"b")
    assert hashing.folder_hash([("b", "2"), ("a", "1")]) == hashing.folder_hash([("a", "1"), ("b", "2")])
    assert hashing.folder_hash([("a", "1")]) != hashing.folder_hash([("c", "1")])
    folder = tmp_path / "f"
    (folder / "s").mkdir(parents=True)
    (folder / "s" / "x").write_bytes(b"x")
    copied_folder = hashing.copy_folder_hashed(folder, tmp_path / "f2")
    assert copied_folder == hashing.hash_folder(folder) == hashing.hash_folder(tmp_path / "f2")
    assert copied_folder.n_files == 1 and copied_folder.hash_type == "blake3-folder"


def test_default_storage_through_fsspec(ln, write, unique):
    """A non-local default storage (fsspec's memory file system) goes the same way as S3 would."""
    default = ln.settings.storage
    ln.settings.storage = f"memory://bucket-{unique}"
    try:
        artifact = ln.Artifact(write("m.csv", f"a\nx{unique}\n".encode()), key=f"{unique}/m.csv").save()
        assert str(artifact.path) == f"memory://bucket-{unique}/.lineagedb/{artifact.uid}.csv"
        assert artifact.path.exists() and artifact.storage.root == f"memory://bucket-{unique}"
        assert artifact.load()["a"].tolist() == [f"x{unique}"]
        assert not [p for p in artifact.path.parent.iterdir() if p.name.startswith(".tmp-")]
        artifact.delete(permanent=True)
        assert not artifact.path.exists()
        df = ln.examples.datasets.mini_immuno.get_dataset2()
        df["donor"] = unique
        table = ln.Artifact.from_dataframe(df, key=f"{unique}/t.parquet")
        serialized = table._placement.source
        assert serialized.exists()
        table.save()
        assert not serialized.exists(), "the temporary parquet file goes once uploaded"
        assert table.load()["donor"].tolist() == [unique] * 3
    finally:
        ln.settings.storage = default


def test_failed_copy_leaves_nothing(ln):
    before = managed_entries(ln)
    with pytest.raises(OSError):
        ln.Artifact("/proc/self/mem", key="unreadable.bin")  # every read of it fails
    assert managed_entries(ln) == before


def test_view_tree_lists_a_folder(tmp_path, capsys):
    from lineagedb.core.storage import UPath

    (tmp_path / "study0").mkdir()
    (tmp_path / "study0" / "img.jpg").write_bytes(b"x")
    UPath(str(tmp_path)).view_tree()
    out = capsys.readouterr().out
    assert "study0/" in out and "img.jpg" in out


def test_ln_upath_wraps_the_library_path_without_patching_it(ln, tmp_path, unique, capsys):
    import os

    import pandas as pd
    import upath

    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "a.csv").write_text(f"x\n{unique}\n")
    folder = ln.UPath(tmp_path) / "t"
    assert isinstance(folder, upath.UPath) and not hasattr(upath.UPath(tmp_path), "view_tree")
    folder.parent.view_tree(level=1)  # derived paths keep the helper
    assert "└── t/" in capsys.readouterr().out
    assert os.fspath(folder / "a.csv") == str(tmp_path / "t" / "a.csv")
    assert pd.read_csv(folder / "a.csv")["x"].tolist() == [unique]  # local ones are os.PathLike
    artifact = ln.Artifact(folder / "a.csv", key=f"{unique}/a.csv").save()
    assert artifact.load()["x"].tolist() == [unique] and not hasattr(artifact.path, "view_tree")
