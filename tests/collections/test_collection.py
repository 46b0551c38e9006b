"""Collections of artifacts: members in order, hash dedup, versions, loading, streaming, lineage inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from collection_helpers import make_adata


@pytest.fixture
def adata_artifacts(ln, unique):
    a = ln.Artifact.from_anndata(make_adata(["g1", "g2", "g3", "g4"], 3, 0, ["T", "B", "T"], prefix=unique),
                                 key=f"coll_{unique}/a.h5ad").save()
    b = ln.Artifact.from_anndata(make_adata(["g2", "g4", "g5"], 3, 100, ["B", "NK", "T"], prefix=unique),
                                 key=f"coll_{unique}/b.h5ad").save()
    return a, b


@pytest.fixture
def frame_artifacts(ln, unique):
    a = ln.Artifact.from_dataframe(pd.DataFrame({"x": [1, 2], "y": ["a", "b"], "u": unique}), key=f"df_{unique}/a.parquet").save()
    b = ln.Artifact.from_dataframe(pd.DataFrame({"x": [3], "z": [0.5], "u": unique}), key=f"df_{unique}/b.parquet").save()
    return a, b


def test_create_members_in_order(ln, unique, adata_artifacts):
    a, b = adata_artifacts
    collection = ln.Collection([b, a], key=f"c_{unique}", description="two").save()
    assert len(collection.uid) == 20 and collection.is_latest and collection.version_tag is None
    assert collection.version == collection.uid[-4:]  # no tag: the uid suffix, as for transforms
    assert [x.uid for x in collection.ordered_artifacts] == [b.uid, a.uid]
    assert collection.artifacts.all().count() == 2
    df = collection.artifacts.to_dataframe()
    assert set(df["uid"]) == {a.uid, b.uid}
    assert ln.Collection.get(key=f"c_{unique}") == collection
    assert collection in a.collections.all()
    text = collection.describe(return_str=True)
    assert f"c_{unique}" in text and a.key in text and text.index(b.key) < text.index(a.key) and "AnnData" in text


def test_same_members_return_the_saved_collection(ln, unique, adata_artifacts):
    a, b = adata_artifacts
    first = ln.Collection([a, b], key=f"same_{unique}").save()
    again = ln.Collection([a, b], key=f"same_{unique}")
    assert again.pk == first.pk and again.uid == first.uid and not again._state.adding
    again.save()
    assert ln.Collection.filter(key=f"same_{unique}").count() == 1
    other_order = ln.Collection([b, a], key=f"same_{unique}").save()
    assert other_order.hash != first.hash
    assert other_order.stem_uid == first.stem_uid  # same key: a new version of the family


def test_versions_by_key_revises_and_append(ln, unique, adata_artifacts, frame_artifacts):
    a, b = adata_artifacts
    v1 = ln.Collection([a], key=f"v_{unique}").save()
    v2 = ln.Collection([a, b], key=f"v_{unique}").save()
    v1.refresh_from_db()
    assert v2.stem_uid == v1.stem_uid and v2.uid != v1.uid
    assert v2.is_latest and not v1.is_latest
    assert ln.Collection.get(key=f"v_{unique}", is_latest=True) == v2
    v3 = v2.append(frame_artifacts[0]).save()
    assert v3.stem_uid == v1.stem_uid and v3.key == f"v_{unique}"
    assert [x.uid for x in v3.ordered_artifacts] == [a.uid, b.uid, frame_artifacts[0].uid]
    assert [x.uid for x in v3.versions] == [v1.uid, v2.uid, v3.uid]
    v4 = ln.Collection([b], revises=v3).save()
    assert v4.stem_uid == v1.stem_uid and v4.key == v3.key
    v4.delete()
    v3.refresh_from_db()
    assert v3.is_latest and ln.Collection.filter(uid=v4.uid).one().branch == -1
    assert v4.uid not in {c.uid for c in ln.Collection.filter(key=f"v_{unique}")}
    v4.restore()
    assert v4.is_latest
    v4.delete(permanent=True)
    assert not ln.Collection.filter(uid__startswith=v1.stem_uid, branch=-1).exists()
    assert a.pk is not None and ln.Artifact.filter(uid=b.uid).exists()  # members survive


def test_deleting_a_member_for_good_takes_it_out_of_its_collections(ln, unique, adata_artifacts, frame_artifacts, caplog):
    a, b = adata_artifacts
    live = ln.Collection([a, b, frame_artifacts[0]], key=f"del_{unique}").save()
    trashed = ln.Collection([b, a], key=f"del_trash_{unique}").save()
    trashed.delete()
    b.delete()  # to the trash: still a member
    assert [x.uid for x in live.ordered_artifacts] == [a.uid, b.uid, frame_artifacts[0].uid]
    b.delete(permanent=True)
    assert not ln.Artifact.filter(uid=b.uid, branch=None).exists()
    assert live.uid in caplog.text and trashed.uid in caplog.text and "2 left" in caplog.text
    live.refresh_from_db()
    assert [x.uid for x in live.ordered_artifacts] == [a.uid, frame_artifacts[0].uid]
    assert [x.uid for x in ln.Collection.filter(uid=trashed.uid, branch=-1).one().ordered_artifacts] == [a.uid]
    # the hash follows the members: the old member list no longer finds it, the remaining one does
    assert ln.Collection([a, frame_artifacts[0]], key=f"del_{unique}") == live
    assert ln.Collection([a], key=f"other_{unique}")._state.adding


def test_bad_members_are_refused(ln, unique, adata_artifacts):
    a, _ = adata_artifacts
    with pytest.raises(ln.errors.InvalidArgument, match="at least one"):
        ln.Collection([], key=f"bad_{unique}")
    with pytest.raises(ln.errors.InvalidArgument, match="twice"):
        ln.Collection([a, a], key=f"bad_{unique}")
    with pytest.raises(ln.errors.InvalidArgument, match="got a str"):
        ln.Collection([a, "x"], key=f"bad_{unique}")
    with pytest.raises(ln.errors.InvalidArgument, match="Artifact or list"):
        ln.Collection(1, key=f"bad_{unique}")
    with pytest.raises(ln.errors.InvalidArgument, match="you passed: colour"):
        ln.Collection([a], key=f"bad_{unique}", colour="red")
    with pytest.raises(ln.errors.InvalidArgument, match="Only one non-keyword arg"):
        ln.Collection(a, a)
    assert not ln.Collection.filter(key=f"bad_{unique}").exists()


@pytest.mark.parametrize("join", ["inner", "outer"])
def test_load_anndata_joins_genes_and_tags_rows(ln, unique, adata_artifacts, join):
    a, b = adata_artifacts
    collection = ln.Collection([a, b], key=f"load_{unique}").save()
    adata = collection.load(join=join)
    assert adata.n_obs == 6
    assert list(adata.var_names) == (["g2", "g4"] if join == "inner" else ["g1", "g2", "g3", "g4", "g5"])
    assert list(adata.obs["artifact_uid"]) == [a.uid] * 3 + [b.uid] * 3
    x = adata.X.toarray() if hasattr(adata.X, "toarray") else np.asarray(adata.X)
    assert x[4, list(adata.var_names).index("g4")] == 101004


def test_load_and_open_dataframes(ln, unique, frame_artifacts):
    a, b = frame_artifacts
    collection = ln.Collection([a, b], key=f"frames_{unique}").save()
    outer = collection.load()
    assert list(outer["x"]) == [1, 2, 3] and list(outer["artifact_uid"]) == [a.uid, a.uid, b.uid]
    assert outer["z"].isna().sum() == 2
    inner = collection.load(join="inner")
    assert set(inner.columns) == {"x", "u", "artifact_uid"}
    dataset = collection.open()
    table = dataset.to_table(columns=["x"])
    assert sorted(table.column("x").to_pylist()) == [1, 2, 3]
    paths = collection.cache()
    assert len(paths) == 2 and all(p.exists() for p in map(__import__("pathlib").Path, paths))


def test_open_refuses_non_parquet_and_load_mixed_types(ln, unique, adata_artifacts, frame_artifacts):
    collection = ln.Collection([adata_artifacts[0], frame_artifacts[0]], key=f"mixed_{unique}").save()
    with pytest.raises(ln.errors.InvalidArgument, match="parquet"):
        collection.open()
    with pytest.raises(ln.errors.InvalidArgument, match="same suffix"):
        collection.load()


def test_mapped_from_collection_and_run_inputs(ln, unique, adata_artifacts):
    from lineagedb.core.context import set_run

    a, b = adata_artifacts
    collection = ln.Collection([a, b], key=f"mapped_{unique}").save()
    transform = ln.Transform(key=f"train_{unique}.py", kind="script").save()
    run = ln.Run(transform=transform).save()
    set_run(run)
    try:
        dataset = collection.mapped(obs_keys=["cell_type"], join="outer")
    finally:
        set_run(None)
    assert collection in run.input_collections.all()
    assert len(dataset) == 6 and dataset.shape == (6, 5)
    weights = dataset.get_label_weights("cell_type")
    assert len(weights) == 6 and weights[0] == pytest.approx(1 / 3)  # T appears 3 times
    assert dataset[3]["_store_idx"] == 1
    dataset.close()
