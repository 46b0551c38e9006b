"""The parts of LaminDB's Collection and MappedCollection API lineagedb follows: constructor rules,
skip_hash_lookup, run inputs, artifact querysets, and mapped() with obs_filter, weights and var checks."""

from __future__ import annotations

import anndata as ad
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp


def _adata(genes, values, labels, unique, name):
    obs = pd.DataFrame({"kind": pd.Categorical(labels)}, index=[f"{unique}{name}{i}" for i in range(len(labels))])
    return ad.AnnData(np.asarray(values, dtype=np.int64), obs=obs, var=pd.DataFrame(index=genes))


@pytest.fixture
def two(ln, unique):
    a = ln.Artifact.from_anndata(_adata(["MYC", "TCF7"], [[1, 2], [3, 4]], ["A", "B"], unique, "a"),
                                 key=f"api_{unique}/a.h5ad").save()
    b = ln.Artifact.from_anndata(_adata(["MYC", "TCF7"], [[5, 6], [7, 8]], ["A", "B"], unique, "b"),
                                 key=f"api_{unique}/b.h5ad").save()
    return a, b


def test_constructor_rules_and_skip_hash_lookup(ln, unique, two):
    a, b = two
    unsaved = ln.Artifact.from_dataframe(pd.DataFrame({"u": [unique]}), key=f"api_{unique}/u.parquet")
    with pytest.raises(ln.errors.InvalidArgument, match="Not all artifacts are yet saved"):
        ln.Collection([a, unsaved], key=f"api_{unique}")
    first = ln.Collection([a, b], key=f"api_{unique}").save()
    same = ln.Collection([a, b], key=f"api_{unique}-renamed")
    assert same == first and same.key == f"api_{unique}-renamed"  # found by members; the key follows on save
    fresh = ln.Collection([a, b], key=f"api_{unique}", skip_hash_lookup=True)
    assert fresh._state.adding and fresh.save() == first  # same key and members: the saved one


def test_uids_before_save_version_tags_and_taken_tags(ln, unique, two):
    a, b = two
    v1 = ln.Collection([a], key=f"tag_{unique}", version_tag="1")
    assert v1.uid.endswith("0000") and v1.version == v1.version_tag == "1"
    planned = v1.uid
    v1.save()
    assert v1.uid == planned
    with pytest.raises(ln.errors.InvalidArgument, match="'1' is already taken"):
        ln.Collection([b], revises=v1, version="1")
    with pytest.raises(TypeError, match="`revises` has to be of type `Collection`, not str"):
        ln.Collection(object(), revises="v1")  # the wrong revises is named first, before the members
    v2 = ln.Collection([b], key=f"tag_{unique}")
    assert v2.uid[:16] == v1.stem_uid and v2.uid.endswith("0001") and v2.version_tag is None
    assert v2.version == "0001"  # no tag: the uid suffix (as LaminDB's version)
    v2.save()
    v3 = ln.Collection([a, b], revises=v2, version_tag="3")
    assert v3.uid.endswith("0002") and v3.key == f"tag_{unique}"
    v3.save()
    assert ln.Collection.get(key=f"tag_{unique}", version="1") == v1
    assert ln.Collection.filter(key=f"tag_{unique}", version__in=["1", "3"]).count() == 2


def test_run_inputs_and_get_is_run_input(ln, unique, two):
    a, b = two
    transform = ln.Transform(key=f"api-{unique}").save()
    run = ln.Run(transform=transform).save()
    collection = ln.Collection([a, b], key=f"run_{unique}", run=run).save()
    assert set(run.input_artifacts.all()) == {a, b}
    reader = ln.Run(transform=transform).save()
    assert ln.Collection.get(key=f"run_{unique}", is_run_input=reader) == collection
    assert ln.Artifact.get(key=a.key, is_run_input=reader) == a
    assert list(reader.input_collections.all()) == [collection] and list(reader.input_artifacts.all()) == [a]


def test_querysets_and_unsaved_collections_read_members(ln, unique, two):
    a, b = two
    joined = ln.Artifact.filter(key__startswith=f"api_{unique}/").order_by("id").load()
    assert joined.n_obs == 4 and set(joined.obs["artifact_uid"].cat.categories) == {a.uid, b.uid}
    with ln.Collection([a, b], key=f"unsaved_{unique}").mapped() as ds:  # not saved: its members still read
        assert ds.shape == (4, 2)
    with ln.Artifact.filter(key__startswith=f"api_{unique}/").mapped(stream=True) as ds:
        assert len(ds) == 4
    assert ds.closed


def test_mapped_filters_weights_and_var_checks(ln, unique, two, caplog):
    a, b = two
    collection = ln.Collection([a, b], key=f"mapped_{unique}").save()
    with collection.mapped(obs_keys="kind", obs_filter={"kind": "B"}) as ds:
        assert ds.shape == (2, 2) and ds.original_shapes == [(1, 2), (1, 2)]
        np.testing.assert_array_equal(ds[1]["X"], [7, 8])
        np.testing.assert_array_equal(ds.get_batch([1, 0])["X"], [[7, 8], [3, 4]])
    ds = collection.mapped(obs_keys=["kind", "absent"], unknown_label="A", layers_keys=["X", "raw.X"])
    assert "absent" in caplog.text and "raw.X" in caplog.text  # keys no file has: left out, with a warning
    assert ds.encoders["kind"] == {"B": 0, "A": -1} and ds[0]["kind"] == -1 and "absent" not in ds[0]
    assert list(ds.get_label_weights("kind")) == [0.5] * 4
    assert ds.get_label_weights("kind", scaler=1.0, return_categories=True) == {"A": 1 / 3, "B": 1 / 3}
    assert ds.check_vars_sorted() is True and ds.check_vars_non_aligned(["TCF7", "MYC"]) == [0, 1]
    assert ds.join_vars == "inner" and not ds.closed
    ds.close()
    assert ds.closed
    with pytest.raises(ln.errors.InvalidArgument, match="unknown_label"):
        collection.mapped(obs_keys="kind", unknown_label={"other": "x"})


def test_mapped_refuses_csc_and_disjoint_inner_join(ln, unique):
    csc = _adata(["g1", "g2"], [[1, 0], [0, 2]], ["A", "B"], unique, "c")
    csc.X = sp.csc_matrix(csc.X)
    other = _adata(["h1", "h2"], [[1, 0], [0, 2]], ["A", "B"], unique, "d")
    a = ln.Artifact.from_anndata(csc, key=f"csc_{unique}/a.h5ad").save()
    b = ln.Artifact.from_anndata(other, key=f"csc_{unique}/b.h5ad").save()
    with pytest.raises(ln.errors.InvalidArgument, match="CSC"):
        ln.Collection([a], key=f"csc_{unique}").mapped()
    dense = ln.Artifact.from_anndata(_adata(["g1", "g2"], [[1, 0], [0, 3]], ["A", "B"], unique, "e"),
                                     key=f"csc_{unique}/c.h5ad").save()
    with pytest.raises(ln.errors.InvalidArgument, match="share no variables"):
        ln.Artifact.filter(key__in=[b.key, dense.key]).mapped(join="inner")
    with ln.Collection([b], key=f"disjoint_{unique}").mapped(join="outer") as ds:
        assert list(ds.var_joint) == ["h1", "h2"]
