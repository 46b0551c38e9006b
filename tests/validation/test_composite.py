"""Composite slots: nested uns keys, MuData modalities, per-slot curators, errors for slots the data lacks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def parts(ln, unique):
    import anndata as ad

    u = unique
    note = ln.Feature(name=f"note_{u}", dtype=str).save()
    temp = ln.Feature(name=f"temp_{u}", dtype=float).save()
    obs_schema = ln.Schema(features=[note]).save()
    meta_schema = ln.Schema(features=[temp]).save()
    adata = ad.AnnData(np.ones((2, 1)), obs=pd.DataFrame({f"note_{u}": ["a", "b"]}, index=["c1", "c2"]),
                       var=pd.DataFrame(index=["g1"]))
    adata.uns["study"] = {"site": {f"temp_{u}": 21.5}}
    return u, obs_schema, meta_schema, adata


def test_nested_uns_slots_and_component_curators(ln, parts):
    u, obs_schema, meta_schema, adata = parts
    schema = ln.Schema(otype="AnnData", slots={"obs": obs_schema, "uns:study:site": meta_schema}).save()
    curator = ln.curators.AnnDataCurator(adata, schema)
    assert sorted(curator.slots) == ["obs", "uns:study:site"]
    assert type(curator.slots["uns:study:site"]).__name__ == "ComponentCurator"
    curator.slots["obs"].validate()
    artifact = curator.save_artifact(key=f"composite/{u}.h5ad")
    assert artifact.features.get_values()[f"temp_{u}"] == 21.5
    slots = {link.slot for link in ln.models.ArtifactSchema.objects.filter(artifact=artifact)}
    assert slots == {"obs", "uns:study:site"}

    missing = ln.Schema(otype="AnnData", slots={"uns:nonexistent": meta_schema}).save()
    with pytest.raises(ln.errors.InvalidArgument, match=r"requires keys uns\['nonexistent'\] but key 'nonexistent' not found"):
        ln.curators.AnnDataCurator(adata, missing)
    too_deep = ln.Schema(otype="AnnData", slots={f"uns:study:site:temp_{u}:x": meta_schema}).save()
    with pytest.raises(ln.errors.InvalidArgument, match=r"Available keys at this level: none \(not a dict\)"):
        ln.curators.AnnDataCurator(adata, too_deep)
    with pytest.raises(ln.errors.InvalidArgument, match=r"needs a\(n\) AnnData"):
        ln.curators.AnnDataCurator(pd.DataFrame(), schema)


def test_one_schema_in_two_slots(ln, parts):
    u, obs_schema, _, adata = parts
    adata.uns["meta"] = {f"note_{u}": "whole dataset"}
    schema = ln.Schema(otype="AnnData", slots={"obs": obs_schema, "uns:meta": obs_schema}).save()
    artifact = ln.Artifact.from_anndata(adata, key=f"composite/{u}-shared.h5ad", schema=schema).save()
    links = ln.models.ArtifactSchema.objects.filter(artifact=artifact)
    assert {link.slot for link in links} == {"obs", "uns:meta"}


def test_mudata_modalities(ln, parts):
    mudata = pytest.importorskip("mudata")
    import lineagedb.bio as bt

    u, obs_schema, meta_schema, adata = parts
    adata.var_names = [f"ENSGMU{u}"]
    mdata = mudata.MuData({"rna": adata})
    mdata.uns["study"] = {f"temp_{u}": 20.0}
    var_schema = ln.Schema(itype=bt.Gene.ensembl_gene_id, maximal_set=True).save()
    schema = ln.Schema(otype="MuData", slots={"rna:obs": obs_schema, "rna:var.T": var_schema,
                                              "uns:study": meta_schema, "rna:uns:study:site": meta_schema}).save()
    curator = ln.curators.MuDataCurator(mdata, schema)
    assert sorted(curator.slots) == ["rna:obs", "rna:uns:study:site", "rna:var.T", "uns:study"]
    with pytest.raises(ln.errors.ValidationError, match=f"ENSGMU{u}"):
        curator.validate()
    assert curator.slots["rna:var.T"].cat.non_validated == {"var_index": [f"ENSGMU{u}"]}
    curator.slots["rna:var.T"].cat.add_new_from("var_index")
    curator.validate()
    artifact = curator.save_artifact(key=f"composite/{u}.h5mu")
    assert artifact.otype == "MuData" and artifact.schema == schema
    with pytest.raises(ln.errors.InvalidArgument, match="no modality 'prot'"):
        ln.curators.MuDataCurator(mdata, ln.Schema(otype="MuData", slots={"prot:obs": obs_schema}).save())
    with pytest.raises(ln.errors.InvalidArgument, match=r"needs a\(n\) MuData"):
        ln.curators.MuDataCurator(adata, schema)


def test_tiledbsoma_is_refused_clearly(ln):
    with pytest.raises(ln.errors.InvalidArgument, match="not supported"):
        ln.curators.TiledbsomaExperimentCurator(None, None)
