"""Creating and saving artifacts from files, folders and DataFrames; dedup; key validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from artifact_helpers import managed_entries, temp_entries, write  # noqa: F401 (fixture)
from upath import UPath

from lineagedb.core.hashing import hash_bytes


def test_file_is_copied_into_managed_storage(ln, write, unique):
    src = write("my_data.fcs", b"fcs-bytes-" + unique.encode())
    artifact = ln.Artifact(src, key=f"{unique}/my_data.fcs", description="flow data")
    assert artifact._state.adding and artifact.hash == hash_bytes(src.read_bytes())
    assert len(artifact.hash) >= 22 and artifact.hash_type == "blake3"
    assert artifact.save() is artifact
    stored = Path(str(artifact.path))
    assert stored == Path(ln.settings.storage.root) / ".lineagedb" / f"{artifact.uid}.fcs"
    assert stored.read_bytes() == src.read_bytes() and src.exists()
    row = ln.Artifact.get(key=f"{unique}/my_data.fcs")
    assert (row.uid, row.suffix, row.size, row.n_files, row.description) == (artifact.uid, ".fcs", src.stat().st_size, None, "flow data")
    assert row.storage == ln.settings.storage and row.created_by == ln.settings.user and row._real_key is None
    assert isinstance(row.path, UPath) and len(row.uid) == 20 and row.uid.endswith("0000")
    assert not temp_entries(ln)


def test_folder_keeps_its_tree(ln, tmp_path, unique):
    folder = tmp_path / "my_images"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.png").write_bytes(b"a" + unique.encode())
    (folder / "sub" / "b.png").write_bytes(b"b" + unique.encode())
    artifact = ln.Artifact(f"{folder}/", key=f"{unique}/my_images").save()
    assert artifact.n_files == 2 and artifact.size == 2 * (1 + len(unique)) and artifact.suffix == ""
    assert artifact.hash_type == "blake3-folder"
    stored = Path(str(artifact.path))
    assert stored.name == artifact.uid and (stored / "sub" / "b.png").read_bytes() == b"b" + unique.encode()
    assert artifact.cache() == stored
    (folder / "sub" / "b.png").rename(folder / "sub" / "c.png")  # renaming a file changes the folder hash
    assert ln.Artifact(folder, key=f"{unique}/my_images").hash != artifact.hash


def test_from_dataframe_roundtrip(ln, unique):
    import pandas as pd

    df = ln.examples.datasets.mini_immuno.get_dataset1(with_typo=True)
    artifact = ln.Artifact.from_dataframe(df, key=f"{unique}/rnaseq1.parquet", description="d").save()
    assert (artifact.otype, artifact.kind, artifact.suffix, artifact.n_observations) == ("DataFrame", "dataset", ".parquet", 3)
    loaded = ln.Artifact.get(key=f"{unique}/rnaseq1.parquet").load()
    pd.testing.assert_frame_equal(loaded, df)
    assert loaded.attrs["experiment"] == "Experiment 1"
    dataset = artifact.open()
    assert dataset.to_table(columns=["perturbation"]).num_rows == 3
    with pytest.raises(ln.errors.InvalidArgument, match="DataFrame"):
        ln.Artifact.from_dataframe([1, 2], key=f"{unique}/x.parquet")


def test_same_content_returns_existing_artifact(ln, write, unique, caplog):
    src = write("same.txt", b"same content " + unique.encode())
    first = ln.Artifact(src, key=f"{unique}/same.txt").save()
    again = ln.Artifact(src, key=f"{unique}/other.txt")
    assert again.uid == first.uid and again.pk == first.pk and not again._state.adding
    assert again.key == f"{unique}/same.txt"
    # a different key than the one passed: a warning names both keys
    assert f"existing artifact {first.uid}" in caplog.text and f"your key '{unique}/other.txt' was not used" in caplog.text
    again.save()  # saving the returned artifact changes nothing
    assert ln.Artifact.filter(hash=first.hash).count() == 1
    forced = ln.Artifact(src, key=f"{unique}/other.txt", skip_hash_lookup=True).save()
    assert forced.uid != first.uid and ln.Artifact.filter(hash=first.hash).count() == 2
    df = ln.examples.datasets.mini_immuno.get_dataset2()
    df["donor"] = unique
    d1 = ln.Artifact.from_dataframe(df, key=f"{unique}/d.parquet").save()
    before = managed_entries(ln)
    assert ln.Artifact.from_dataframe(df, key=f"{unique}/d2.parquet").uid == d1.uid
    assert managed_entries(ln) == before, "a duplicate leaves no staged copy behind"


def test_trashed_artifacts_are_not_deduplicated(ln, write, unique):
    src = write("t.txt", b"trash me " + unique.encode())
    first = ln.Artifact(src, key=f"{unique}/t.txt").save()
    first.delete()
    second = ln.Artifact(src, key=f"{unique}/t2.txt")
    assert second._state.adding and second.uid != first.uid


@pytest.mark.parametrize(
    "key",
    ["/abs/path.csv", "a/../b.csv", "..", "a//b.csv", "a/b/", "a\\b.csv", "a/\x07.csv", "", "./a.csv", "C:/x.csv"],
)
def test_invalid_keys_are_refused_and_nothing_is_written(ln, write, key):
    src = write("k.csv", b"x,y\n1,2\n")
    before, count = managed_entries(ln), ln.Artifact.filter().count()
    with pytest.raises(ln.errors.InvalidArgument, match="key"):
        ln.Artifact(src, key=key)
    df = ln.examples.datasets.mini_immuno.get_dataset2()
    with pytest.raises(ln.errors.InvalidArgument, match="key"):
        ln.Artifact.from_dataframe(df, key=key)
    assert managed_entries(ln) == before and ln.Artifact.filter().count() == count


def test_missing_source_and_bad_types(ln, tmp_path):
    with pytest.raises(ln.errors.InvalidArgument, match="no file or folder"):
        ln.Artifact(tmp_path / "nope.csv")
    with pytest.raises(ln.errors.InvalidArgument, match="revises"):
        ln.Artifact(tmp_path, revises="abc")
    with pytest.raises(ln.errors.InvalidArgument, match="needs data"):
        ln.Artifact(key="x.csv").save()


def test_source_inside_registered_storage_is_registered_in_place(ln, tmp_path, unique):
    root = Path(ln.settings.storage.root)
    (root / f"raw_{unique}").mkdir()
    (root / f"raw_{unique}" / "plate1.csv").write_text(f"a,b\n1,{unique}\n")
    artifact = ln.Artifact(root / f"raw_{unique}" / "plate1.csv").save()
    assert artifact.key == f"raw_{unique}/plate1.csv" and artifact._real_key == f"raw_{unique}/plate1.csv"
    assert Path(str(artifact.path)) == root / f"raw_{unique}" / "plate1.csv"
    assert list((root / ".lineagedb").glob(f"{artifact.uid}*")) == [], "registered in place: not copied"
    other = ln.Storage.register_root(str(tmp_path / "other_root"))
    (tmp_path / "other_root" / "imgs").mkdir(parents=True)
    (tmp_path / "other_root" / "imgs" / "x.png").write_bytes(unique.encode())
    folder = ln.Artifact(tmp_path / "other_root" / "imgs", key=f"{unique}/images").save()
    assert folder.storage == other and folder.key == f"{unique}/images" and folder._real_key == "imgs"
    assert folder.n_files == 1 and Path(str(folder.path)) == tmp_path / "other_root" / "imgs"
    with pytest.raises(ln.errors.InvalidArgument, match="managed folder"):
        ln.Artifact(root / ".lineagedb" / "instance.json")
    with pytest.raises(ln.errors.InvalidArgument, match="managed folder"):
        ln.Artifact(Path(str(ln.Artifact.from_dataframe(_df(unique), key=f"{unique}/m.parquet").save().path)))


def _df(unique):
    df = ln_examples().datasets.mini_immuno.get_dataset2()
    df["donor"] = unique
    return df


def ln_examples():
    from lineagedb import examples

    return examples


def test_run_defaults_to_the_current_run(ln, write, unique):
    from lineagedb.core.context import set_run

    transform = ln.Transform(key=f"{unique}.py", kind="script").save()
    run = ln.Run(transform=transform).save()
    set_run(run)
    try:
        artifact = ln.Artifact(write("r.txt"), key=f"{unique}/r.txt").save()
        assert artifact.run == run and artifact.transform == transform
        other = ln.Artifact(write("r2.txt"), key=f"{unique}/r2.txt", run=None).save()
        assert other.run == run
    finally:
        set_run(None)
    assert ln.Artifact(write("r3.txt"), key=f"{unique}/r3.txt").save().run is None


def test_taken_over_temporary_file_goes_on_a_bad_key(ln, unique):
    from lineagedb.models.artifact import staging_path

    before = managed_entries(ln)
    path = staging_path(".txt")
    path.write_text(unique)
    with pytest.raises(ln.errors.InvalidArgument, match="key"):
        ln.Artifact._from_local_file(path, ".txt", key="../bad.txt")
    assert not path.exists() and managed_entries(ln) == before
    path = staging_path(".txt")
    path.write_text(unique)
    artifact = ln.Artifact._from_local_file(path, ".txt", key=f"{unique}/tmp.txt", otype="Text", n_observations=1)
    assert artifact.save().otype == "Text" and artifact.path.read_text() == unique
    assert not path.exists(), "the staged file was renamed into place, not copied"


def test_bytes_are_readable_before_an_outer_transaction_commits(ln, write, unique):
    from django.db import transaction

    src = write("pending.txt", b"pending " + unique.encode())
    with transaction.atomic():
        artifact = ln.Artifact(src, key=f"{unique}/pending.txt").save()
        pending = Path(str(artifact.path))
        assert pending.read_bytes() == src.read_bytes()  # readable in the transaction, at a pending name
        assert pending.name != f"{artifact.uid}.txt" and pending.parent.name == ".lineagedb"
        again = ln.Artifact.get(uid=artifact.uid)  # another object of the same row: finds the bytes too
        assert Path(str(again.cache())).read_bytes() == src.read_bytes()
        assert Path(str(artifact.path)).read_bytes() == src.read_bytes()
    final = Path(str(artifact.path))
    assert final.name == f"{artifact.uid}.txt" and final.read_bytes() == src.read_bytes()
    assert not pending.exists()
