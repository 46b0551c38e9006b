"""AnnData validation against composite schemas: obs as a DataFrame, var.T as registry values, uns as metadata."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def parts(ln, unique):
    import anndata as ad

    import lineagedb.bio as bt

    u = unique
    genes = [f"ENSGTEST{u}{i}" for i in range(3)]
    ln.save([bt.Gene(ensembl_gene_id=g, symbol=f"SYM{u}{i}") for i, g in enumerate(genes)])
    ln.Record(name=f"DMSO_{u}").save()
    pert = ln.Feature(name=f"perturbation_{u}", dtype=ln.Record).save()
    obs_schema = ln.Schema(features=[pert]).save()
    var_schema = ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=int, maximal_set=True).save()
    schema = ln.Schema(otype="AnnData", slots={"obs": obs_schema, "var.T": var_schema}).save()
    obs = pd.DataFrame({f"perturbation_{u}": pd.Categorical([f"DMSO_{u}"] * 2)}, index=["c1", "c2"])
    adata = ad.AnnData(np.ones((2, 3), dtype=np.int64), obs=obs, var=pd.DataFrame(index=genes))
    return u, schema, adata


def test_valid_anndata(ln, parts):
    u, schema, adata = parts
    result = ln.curators.validate_for_artifact(adata, schema)
    assert result.otype == "AnnData" and [s.slot for s in result.slots] == ["obs", "var.T"]
    var = result.slots[1]
    assert sorted(var.members.records) == sorted(adata.var_names)
    ln.curators.AnnDataCurator(adata, schema).validate()


def test_unknown_gene_and_obs_typo_are_reported_per_slot(ln, parts):
    import anndata as ad

    u, schema, adata = parts
    bad = ad.AnnData(adata.X, obs=adata.obs.copy(), var=pd.DataFrame(index=[*adata.var_names[:2], f"ENSGNOPE{u}"]))
    bad.obs[f"perturbation_{u}"] = pd.Categorical([f"DMSO_{u}", f"DMS0_{u}"])
    with pytest.raises(ln.errors.ValidationError) as info:
        ln.curators.validate_for_artifact(bad, schema)
    msg = str(info.value)
    assert "slot 'obs'" in msg and "slot 'var.T'" in msg
    assert f"'DMS0_{u}'" in msg and f"did you mean 'DMSO_{u}'" in msg
    assert f"var index (Gene.ensembl_gene_id): 1 value not validated: 'ENSGNOPE{u}'" in msg
    assert f"bt.Gene(ensembl_gene_id=value) for value in ['ENSGNOPE{u}']" in msg
    curator = ln.curators.AnnDataCurator(bad, schema)
    assert curator.cat.non_validated == {f"obs:perturbation_{u}": [f"DMS0_{u}"], "var.T:var_index": [f"ENSGNOPE{u}"]}


def test_matrix_dtype_is_checked(ln, parts):
    import anndata as ad

    u, schema, adata = parts
    counts = ad.AnnData(adata.X.astype(np.float32), obs=adata.obs, var=adata.var)
    ln.curators.validate_for_artifact(counts, schema)  # whole numbers stored as float32 (scanpy) are ints
    floats = ad.AnnData(adata.X.astype(np.float32) + 0.5, obs=adata.obs, var=adata.var)  # whole-number floats would pass
    with pytest.raises(ln.errors.ValidationError, match=r"var.T.*\n.*dtype: values must be int, found \['float32'\]"):
        ln.curators.validate_for_artifact(floats, schema)


def test_uns_metadata_slot(ln, unique):
    import anndata as ad

    u = unique
    temp = ln.Feature(name=f"temperature_{u}", dtype=float).save()
    study = ln.Feature(name=f"study_{u}", dtype=str).save()
    meta = ln.Schema(features=[temp, study.with_config(optional=True)]).save()
    obs_schema = ln.Schema(itype=ln.Feature).save()
    schema = ln.Schema(otype="AnnData", slots={"obs": obs_schema, "uns": meta}).save()
    adata = ad.AnnData(np.ones((1, 1)), uns={f"temperature_{u}": 21.6})
    result = ln.curators.validate_for_artifact(adata, schema)
    assert result.slots[1].metadata == {f"temperature_{u}": 21.6}
    adata.uns[f"temperature_{u}"] = "warm"
    with pytest.raises(ln.errors.ValidationError, match=f"uns\\['temperature_{u}'\\]"):
        ln.curators.validate_for_artifact(adata, schema)
    del adata.uns[f"temperature_{u}"]
    with pytest.raises(ln.errors.ValidationError, match=f"missing required column\\(s\\): \\['temperature_{u}'\\]"):
        ln.curators.validate_for_artifact(adata, schema)


def test_dataframe_attrs_slot(ln, unique):
    u = unique
    temp = ln.Feature(name=f"temperature_{u}", dtype=float).save()
    schema = ln.Schema(otype="DataFrame", slots={"columns": ln.Schema(itype=ln.Feature).save(),
                                                  "attrs": ln.Schema(features=[temp]).save()}).save()
    df = pd.DataFrame({"x": [1]})
    df.attrs[f"temperature_{u}"] = 21.6
    result = ln.curators.validate_for_artifact(df, schema)
    assert result.slots[1].metadata == {f"temperature_{u}": 21.6}
    with pytest.raises(ln.errors.InvalidArgument, match="Slot 'obs' is not supported for DataFrameCurator"):
        ln.curators.validate_for_artifact(df, ln.Schema(otype="DataFrame", slots={"obs": schema.slots["columns"]}).save())


def test_unknown_genes_fail_only_with_maximal_set(ln, parts):
    import anndata as ad

    import lineagedb.bio as bt

    u, _, adata = parts
    open_var = ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=int).save()  # maximal_set=False: extra genes allowed
    schema = ln.Schema(otype="AnnData", slots={"var.T": open_var}).save()
    bad = ad.AnnData(adata.X, obs=adata.obs, var=pd.DataFrame(index=[*adata.var_names[:2], f"ENSGOPEN{u}"]))
    curator = ln.curators.AnnDataCurator(bad, schema)
    curator.validate()  # the unknown gene is reported, not an error; it is simply not linked
    assert curator.cat.non_validated == {"var_index": [f"ENSGOPEN{u}"]}
