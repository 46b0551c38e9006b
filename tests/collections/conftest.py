"""Helpers for collection tests: small AnnData objects with chosen genes, labels and values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def make_adata(genes: list[str], n: int, start: int = 0, labels: list[str] | None = None, sparse: bool = False,
               prefix: str = "c"):
    """cells ``prefix{start}..``; X[i, j] = 1000 * (start + i) + gene number (so every value says where it is from)."""
    import anndata as ad
    import scipy.sparse as sp

    gene_numbers = np.array([int(g.lstrip("g")) for g in genes], dtype=np.float32)
    X = (1000 * (start + np.arange(n, dtype=np.float32)))[:, None] + gene_numbers[None, :]
    if sparse:
        X[:, ::2] = 0  # leave every other gene unstored
        X = sp.csr_matrix(X)
    labels = labels or ["A"] * n
    obs = pd.DataFrame({"cell_type": pd.Categorical(labels), "batch": [f"b{start}"] * n},
                       index=[f"{prefix}{start + i}" for i in range(n)])
    return ad.AnnData(X, obs=obs, var=pd.DataFrame(index=genes))


@pytest.fixture
def h5ad_files(tmp_path):
    """Two h5ad files with overlapping genes (g1..g4 and g2, g4, g5) and labels; returns (paths, adatas)."""
    a = make_adata(["g1", "g2", "g3", "g4"], 5, 0, ["T", "B", "T", "NK", "T"], sparse=True)
    b = make_adata(["g2", "g4", "g5"], 4, 100, ["B", "B", "Mono", "T"])
    paths = [str(tmp_path / "a.h5ad"), str(tmp_path / "b.h5ad")]
    a.write_h5ad(paths[0])
    b.write_h5ad(paths[1])
    return paths, [a, b]
