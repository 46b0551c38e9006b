"""A gene schema with dtype=int accepts float arrays of whole numbers (how scanpy stores counts)."""

from __future__ import annotations

import uuid

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def gene_schema(ln):
    import lineagedb.bio as bt

    u = uuid.uuid4().hex[:6].upper()
    genes = [f"ENSGMX{u}{i}" for i in range(3)]
    ln.save([bt.Gene(ensembl_gene_id=g, symbol=f"MX{u}{i}") for i, g in enumerate(genes)])
    var_schema = ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=int).save()
    obs_schema = ln.Schema(itype=ln.Feature).save()
    return genes, ln.Schema(otype="AnnData", slots={"obs": obs_schema, "var.T": var_schema}).save()


@pytest.mark.parametrize("sparse", [False, True])
def test_float32_whole_numbers_pass_an_int_schema(ln, gene_schema, sparse):
    import anndata as ad
    import scipy.sparse as sp

    genes, schema = gene_schema
    counts = np.array([[1, 0, 3], [0, 2, 5]], dtype=np.float32)
    adata = ad.AnnData(sp.csr_matrix(counts) if sparse else counts, var=pd.DataFrame(index=genes))
    ln.curators.AnnDataCurator(adata, schema).validate()


def test_fractional_floats_fail_an_int_schema(ln, gene_schema):
    import anndata as ad

    genes, schema = gene_schema
    adata = ad.AnnData(np.array([[1.5, 0, 3]], dtype=np.float32), var=pd.DataFrame(index=genes))
    with pytest.raises(ln.errors.ValidationError, match="float32"):
        ln.curators.AnnDataCurator(adata, schema).validate()


def test_array_dtype_problems_directly(ln):
    from lineagedb.models._dtypes import array_dtype_problems

    assert array_dtype_problems("int", pd.DataFrame({"a": [1.0, 2.0], "b": [1, 2]})) == []
    assert array_dtype_problems("int", pd.DataFrame({"a": [1.5]})) == ["float64"]
    assert array_dtype_problems("int", np.array([np.nan])) == ["float64"]
    assert array_dtype_problems("float", np.array(["x"])) == ["<U1"]
