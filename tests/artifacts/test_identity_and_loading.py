"""Which saved artifact a new one is (in-place paths, empty files, moved files, same key and content), key
suffixes, get(path=), the file loaders, parquet_kwargs, polars, otype hints, labels, schemas."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest
from artifact_helpers import write  # noqa: F401 (fixture)


@pytest.fixture
def registered_root(ln, tmp_path, unique):
    root = tmp_path / f"registered_{unique}"
    root.mkdir()
    return root, ln.Storage(root=str(root)).save()


def test_in_place_files_are_identified_by_path(ln, registered_root):
    root, storage = registered_root
    (root / "a.txt").write_text("same")
    (root / "b.txt").write_text("same")
    a = ln.Artifact(root / "a.txt").save()
    b = ln.Artifact(root / "b.txt", description="sibling with the same bytes")
    assert b._state.adding and b.hash == a.hash and b.uid != a.uid  # another path: another artifact
    b.save()
    assert (a.key, b.key) == ("a.txt", "b.txt") and a.storage == storage
    again = ln.Artifact(root / "a.txt")
    assert not again._state.adding and again.id == a.id
    assert ln.Artifact.get(path=root / "b.txt") == b
    assert ln.Artifact.get(path=a.path) == a
    forced = ln.Artifact(root / "b.txt", skip_hash_lookup=False)  # the content lookup finds the older one
    assert forced.id == a.id


def test_moved_in_place_file_is_followed_by_a_content_lookup(ln, registered_root, caplog):
    root, _ = registered_root
    (root / "old.txt").write_text("moving content")
    artifact = ln.Artifact(root / "old.txt").save()
    (root / "old.txt").rename(root / "new.txt")
    assert ln.Artifact(root / "new.txt").uid != artifact.uid  # by default: a new path is a new artifact
    caplog.clear()
    found = ln.Artifact(root / "new.txt", skip_hash_lookup=False)
    assert found.uid == artifact.uid and found.key == "new.txt" and found.path.exists()
    assert "updating previous key old.txt to new key new.txt" in caplog.text
    found.save()
    assert ln.Artifact.get(artifact.uid).key == "new.txt"


def test_two_empty_files_make_two_artifacts(ln, tmp_path, unique):
    (tmp_path / "e1.txt").write_text("")
    (tmp_path / "e2.txt").write_text("")
    first = ln.Artifact(tmp_path / "e1.txt", key=f"{unique}/e1.txt").save()
    second = ln.Artifact(tmp_path / "e2.txt", key=f"{unique}/e2.txt")
    assert second._state.adding and second.hash == first.hash and second.key == f"{unique}/e2.txt"
    assert second.save().id != first.id


def test_same_key_and_content_resolves_to_the_saved_artifact(ln, write, unique):
    src = write("s.txt", b"same key " + unique.encode())
    first = ln.Artifact(src, key=f"{unique}/s.txt").save()
    second = ln.Artifact(src, key=f"{unique}/s.txt", skip_hash_lookup=True)
    assert second._state.adding and second.uid != first.uid
    second.save()
    assert (second.id, second.uid) == (first.id, first.uid)
    assert ln.Artifact.filter(key=f"{unique}/s.txt").count() == 1


def test_key_suffix_must_match_and_other_content_warns(ln, write, unique, caplog):
    src = write("d.csv", b"a,b\n1," + unique.encode())
    with pytest.raises(ln.errors.InvalidArgument, match=r"path's suffix '\.csv' must match the passed key's suffix ''"):
        ln.Artifact(src, key=f"{unique}/nosuffix")
    df = pd.DataFrame({"u": [unique]})
    with pytest.raises(ln.errors.InvalidArgument, match=r"'\.parquet' must match .* '\.h5ad'"):
        ln.Artifact.from_dataframe(df, key=f"{unique}/x.h5ad")
    first = ln.Artifact.from_dataframe(df, key=f"{unique}/a.parquet").save()
    caplog.clear()
    again = ln.Artifact.from_dataframe(df, key=f"{unique}/b.parquet")
    assert again.id == first.id and f"your key '{unique}/b.parquet' was not used" in caplog.text


def test_file_loaders(ln, tmp_path, unique, caplog):
    files = {"c.yaml": "a: 1\nb: [2, 3]\nu: ", "p.png": "not really", "s.svg": "<svg/>", "h.html": "<html/>",
             "r.rds": "rds", "z.zip": "zip"}
    artifacts = {}
    for name, text in files.items():
        (tmp_path / name).write_text(text + unique)
        artifacts[name] = ln.Artifact(tmp_path / name, key=f"{unique}/{name}")
    assert artifacts["c.yaml"].load() == {"a": 1, "b": [2, 3], "u": unique}
    for name in ("p.png", "s.svg", "h.html"):
        assert Path(artifacts[name].load()).name == name  # unsaved: the user's own file
        saved = artifacts[name].save().load()
        assert Path(saved).read_text() == files[name] + unique
    caplog.clear()
    assert Path(artifacts["r.rds"].load()).name == "r.rds" and "laminr" in caplog.text
    with pytest.raises(NotImplementedError, match="cannot load .zip"):
        artifacts["z.zip"].load()


def test_parquet_kwargs_and_polars(ln, unique):
    import polars as pl
    import pyarrow.parquet as pq

    df = pd.DataFrame({"a": [1, 2, 3], "u": unique}).sort_values("a")
    sorting = [pq.SortingColumn(0)]
    artifact = ln.Artifact.from_dataframe(df, key=f"{unique}/sorted.parquet",
                                          parquet_kwargs={"sorting_columns": sorting}).save()
    fragment = next(artifact.open().get_fragments())
    assert list(fragment.metadata.row_group(0).sorting_columns) == sorting
    with pytest.raises(ln.errors.InvalidArgument, match="parquet_kwargs"):
        ln.Artifact(artifact.path, key=f"{unique}/x.parquet", parquet_kwargs={})
    frame = pl.DataFrame({"x": [1, 2, 3], "u": [unique] * 3})
    pa = ln.Artifact.from_dataframe(frame, key=f"{unique}/polars.parquet").save()
    assert (pa.otype, pa.n_observations, pa.kind) == ("DataFrame", 3, "dataset")
    loaded = pa.load(engine="polars")
    assert isinstance(loaded, pl.DataFrame) and loaded["x"].to_list() == [1, 2, 3]
    assert pa.load()["x"].tolist() == [1, 2, 3]  # pandas by default
    lazy = pa.open(engine="polars")
    assert isinstance(lazy, pl.LazyFrame) and lazy.filter(pl.col("x") > 1).collect().height == 2
    lazy_artifact = ln.Artifact.from_dataframe(frame.lazy().filter(pl.col("x") > 1), key=f"{unique}/lazy.parquet").save()
    assert lazy_artifact.load(engine="polars").height == 2
    with pytest.raises(ln.errors.InvalidArgument, match="engine"):
        pa.load(engine="spark")


def test_constructor_hints_at_from_methods(ln, tmp_path, unique, caplog):
    import anndata as ad
    import numpy as np

    df = pd.DataFrame({"u": [unique]})
    caplog.set_level(logging.WARNING, logger="lineagedb")
    artifact = ln.Artifact(df, key=f"{unique}/df.parquet")
    assert "data is a DataFrame, please use .from_dataframe()" in caplog.text
    assert (artifact.otype, artifact.kind) == ("DataFrame", None)
    path = tmp_path / "f.parquet"
    df.assign(v=1).to_parquet(path)
    caplog.clear()
    assert ln.Artifact(path, key=f"{unique}/f.parquet").otype == "DataFrame" and "from_dataframe" in caplog.text
    adata = ad.AnnData(np.ones((2, 2), dtype=np.float32) * len(unique))
    adata.obs_names = [f"{unique}-0", f"{unique}-1"]
    caplog.clear()
    made = ln.Artifact(adata, key=f"{unique}/a.h5ad")
    assert (made.otype, made.kind, made.suffix, made.n_observations) == ("AnnData", None, ".h5ad", 2)
    assert "please use .from_anndata()" in caplog.text
    with pytest.raises(ValueError, match="data has to be a MuData object or a path to MuData-like"):
        ln.Artifact.from_mudata(path, description="not mudata")


def test_labels_and_schemas(ln, write, unique):
    artifact = ln.Artifact(write("l.txt", unique.encode()), key=f"{unique}/l.txt").save()
    label = ln.Record(name=f"label_{unique}").save()
    artifact.labels.add(label)
    assert artifact.labels.get() == [label]
    artifact.labels.remove(label)
    assert artifact.labels.get() == []
    assert list(artifact.schemas.all()) == list(artifact.feature_sets.all()) == []


def test_from_dir_one_artifact_per_distinct_file(ln, tmp_path, unique):
    folder = tmp_path / "imgs"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("a" + unique)
    (folder / "sub" / "b.txt").write_text("b" + unique)
    (folder / "sub" / "copy.txt").write_text("a" + unique)  # same content as a.txt: left out
    (folder / ".hidden").write_text("h")
    artifacts = ln.Artifact.from_dir(folder, key=f"{unique}/imgs")
    assert sorted(a.key for a in artifacts) == [f"{unique}/imgs/a.txt", f"{unique}/imgs/sub/b.txt"]
    artifacts.save()
    assert all(not a._state.adding for a in ln.Artifact.from_dir(folder, key=f"{unique}/imgs"))
    with pytest.raises(ln.errors.InvalidArgument, match="not a folder"):
        ln.Artifact.from_dir(folder / "a.txt")
