"""Small AnnData objects with chosen genes, labels and values for the collection tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


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
