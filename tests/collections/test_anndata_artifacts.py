"""Artifact.from_anndata / from_mudata and AnnData formats: h5ad and zarr, load, backed open, dedup."""

from __future__ import annotations

import numpy as np
import pytest
from collection_helpers import make_adata


@pytest.mark.parametrize("fmt", ["h5ad", "zarr"])
def test_from_anndata_roundtrip_and_backed_open(ln, unique, fmt):
    adata = make_adata(["g1", "g2", "g3"], 4, 0, ["T", "B", "T", "B"], sparse=(fmt == "h5ad"), prefix=unique)
    artifact = ln.Artifact.from_anndata(adata, key=f"ad_{unique}/x.{fmt}", format=fmt, description="cells").save()
    assert artifact.otype == "AnnData" and artifact.n_observations == 4 and artifact.suffix == f".{fmt}"
    assert artifact.description == "cells" and artifact.hash
    loaded = artifact.load()
    assert loaded.shape == (4, 3) and list(loaded.obs["cell_type"]) == ["T", "B", "T", "B"]
    opened = artifact.open()
    assert list(opened.obs_names) == list(adata.obs_names)
    view = opened[1:3].X
    rows = view.toarray() if hasattr(view, "toarray") else np.asarray(view)
    want = adata.X[1:3]
    np.testing.assert_array_equal(rows, want.toarray() if hasattr(want, "toarray") else want)
    if fmt == "h5ad":
        assert opened.isbacked
        opened.file.close()


def test_same_anndata_is_deduplicated(ln, unique):
    adata = make_adata(["g1", "g2"], 2, 0, prefix=unique)
    first = ln.Artifact.from_anndata(adata, key=f"dedup_{unique}/x.h5ad").save()
    again = ln.Artifact.from_anndata(adata, key=f"dedup_{unique}/x.h5ad")
    assert again.pk == first.pk


def test_format_follows_key_and_must_agree(ln, unique):
    adata = make_adata(["g1"], 2, 0, prefix=unique)
    artifact = ln.Artifact.from_anndata(adata, key=f"fmt_{unique}/x.zarr")
    assert artifact.suffix == ".zarr"
    with pytest.raises(ln.errors.InvalidArgument, match="format"):
        ln.Artifact.from_anndata(adata, key=f"fmt_{unique}/x.h5ad", format="zarr")
    with pytest.raises(ln.errors.InvalidArgument, match="format must be"):
        ln.Artifact.from_anndata(adata, key=f"fmt_{unique}/x.h5ad", format="loom")
    with pytest.raises(ln.errors.InvalidArgument, match="AnnData"):
        ln.Artifact.from_anndata(adata.obs, key=f"fmt_{unique}/x.h5ad")


def test_from_anndata_new_version_with_same_key(ln, unique):
    v1 = ln.Artifact.from_anndata(make_adata(["g1"], 2, 0, prefix=unique), key=f"ver_{unique}/x.h5ad").save()
    v2 = ln.Artifact.from_anndata(make_adata(["g1"], 3, 0, prefix=unique), key=f"ver_{unique}/x.h5ad").save()
    assert v2.stem_uid == v1.stem_uid and v2.n_observations == 3 and v2.is_latest


def test_from_anndata_validates_with_schema_before_writing(ln, unique):
    import pandas as pd

    feature = ln.Feature(name=f"cell_type_{unique}", dtype=int).save()
    schema = ln.Schema(otype="AnnData", slots={"obs": ln.Schema(features=[feature]).save()}).save()
    adata = make_adata(["g1"], 2, 0, prefix=unique)
    adata.obs[f"cell_type_{unique}"] = pd.Series(["x", "y"], index=adata.obs_names)
    with pytest.raises(ln.errors.ValidationError):
        ln.Artifact.from_anndata(adata, key=f"val_{unique}/x.h5ad", schema=schema)
    assert not ln.Artifact.filter(key=f"val_{unique}/x.h5ad").exists()
    adata.obs[f"cell_type_{unique}"] = [1, 2]
    artifact = ln.Artifact.from_anndata(adata, key=f"val_{unique}/x.h5ad", schema=schema).save()
    assert artifact.schema == schema


def test_from_mudata(ln, unique):
    try:
        import mudata
    except ImportError:
        with pytest.raises(ln.errors.InvalidArgument, match="pip install mudata"):
            ln.Artifact.from_mudata(object(), key=f"mu_{unique}.h5mu")
        return
    mdata = mudata.MuData({"rna": make_adata(["g1", "g2"], 3, 0, prefix=unique)})
    artifact = ln.Artifact.from_mudata(mdata, key=f"mu_{unique}.h5mu").save()
    assert artifact.otype == "MuData" and artifact.n_observations == 3
    assert artifact.load().n_obs == 3
