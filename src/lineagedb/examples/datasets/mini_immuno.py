"""Two tiny immunology data sets with fixed values (three samples each).

>>> df = ln.examples.datasets.mini_immuno.get_dataset1(with_typo=True)   # doctest: +SKIP
>>> adata = ln.examples.datasets.mini_immuno.get_dataset1(otype="AnnData")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any, Literal

GENES = ["ENSG00000153563", "ENSG00000010610", "ENSG00000170458"]  # CD8A, CD4, CD14
GENES2 = ["ENSG00000153563", "ENSG00000010610", "ENSG00000004468"]  # CD8A, CD4, CD38
CD8_AB_T = "CD8-positive, alpha-beta T cell"


def _check_otype(otype: str) -> None:
    if otype not in ("DataFrame", "AnnData"):
        from ...errors import InvalidArgument

        raise InvalidArgument(f"otype must be 'DataFrame' or 'AnnData', not {otype!r}")


def _to_anndata(df: Any, genes: list[str]) -> Any:
    import anndata as ad
    import pandas as pd

    X = df[genes].to_numpy()
    obs = df.drop(columns=genes)
    var = pd.DataFrame(index=pd.Index(genes, name=None))
    adata = ad.AnnData(X=X, obs=obs, var=var)
    adata.uns = dict(df.attrs)
    return adata


def get_dataset1(
    otype: Literal["DataFrame", "AnnData"] = "DataFrame",
    with_typo: bool = False,
    with_cell_type_synonym: bool = False,
    with_cell_type_typo: bool = False,
    with_gene_typo: bool = False,
    with_index_type_mismatch: bool = False,
) -> Any:
    """Samples 1-3: three gene columns plus perturbation, notes, cell types, assay, dose and donor.

    ``with_typo`` writes ``IFNJ`` for ``IFNG``; ``with_cell_type_synonym`` uses ``B-cell`` for
    ``B cell``; ``with_cell_type_typo`` misspells a cell type; ``with_gene_typo`` breaks a gene id.
    Dataset-level metadata are in ``df.attrs`` (``adata.uns`` for AnnData).
    """
    import pandas as pd

    _check_otype(otype)
    genes = list(GENES)
    if with_gene_typo:
        genes[0] = "ENSG00000153563X"
    b_cell = "B-cell" if with_cell_type_synonym else "B cell"
    t_cell = "T cel" if with_cell_type_typo else "T cell"
    df = pd.DataFrame(
        {
            genes[0]: [1, 2, 3],
            genes[1]: [3, 4, 5],
            genes[2]: [5, 6, 7],
            "perturbation": pd.Categorical(["DMSO", "IFNJ" if with_typo else "IFNG", "DMSO"]),
            "sample_note": ["was ok", "looks naah", "pretty! 🤩"],
            "cell_type_by_expert": pd.Categorical([b_cell, CD8_AB_T, CD8_AB_T]),
            "cell_type_by_model": pd.Categorical([b_cell, t_cell, t_cell]),
            "assay_oid": pd.Categorical(["EFO:0008913"] * 3),
            "concentration": ["0.1%", "200 nM", "0.1%"],
            "treatment_time_h": [24, 24, 6],
            "donor": ["D0001", "D0002", None],
        },
        index=["sample1", "sample2", "sample3"],
    )
    df.attrs = {
        "temperature": 21.6,
        "experiment": "Experiment 1",
        "date_of_study": "2024-12-01",
        "study_note": "We had a great time performing this study and the results look compelling.",
    }
    if with_index_type_mismatch:
        df.index = [0, 1, 2]
    return df if otype == "DataFrame" else _to_anndata(df, genes)


def get_dataset2(otype: Literal["DataFrame", "AnnData"] = "DataFrame") -> Any:
    """Samples 4-6: CD8A, CD4 and CD38 counts with perturbation, cell type, dose and donor."""
    import pandas as pd

    _check_otype(otype)
    df = pd.DataFrame(
        {
            GENES2[0]: [2, 3, 3],
            GENES2[1]: [3, 4, 5],
            GENES2[2]: [4, 2, 3],
            "perturbation": pd.Categorical(["DMSO", "IFNG", "IFNG"]),
            "cell_type_by_model": pd.Categorical(["B cell", "T cell", "T cell"]),
            "concentration": ["0.1%", "200 nM", "0.1%"],
            "treatment_time_h": [24, 24, 6],
            "donor": ["D0003", "D0003", "D0004"],
        },
        index=["sample4", "sample5", "sample6"],
    )
    df.attrs = {"temperature": 22.6, "experiment": "Experiment 2", "date_of_study": "2025-02-13"}
    return df if otype == "DataFrame" else _to_anndata(df, GENES2)
