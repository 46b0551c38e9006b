"""Example schemas to start from (saved on first use; calling again returns the saved ones).

>>> schema = ln.examples.schemas.valid_features()  # doctest: +SKIP
>>> curator = ln.curators.DataFrameCurator(df, schema)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any


def valid_features() -> Any:
    """A DataFrame schema: every column that is the name of a registered feature is validated against it.

    >>> ln.examples.schemas.valid_features().itype  # doctest: +SKIP
    'Feature'
    """
    import lineagedb as ln

    return ln.Schema(name="valid_features", itype=ln.Feature).save()


def _valid_ensembl_gene_ids() -> Any:
    """The schema of a ``var`` indexed by registered Ensembl gene ids (a slot of the composite schemas below)."""
    import lineagedb as ln
    import lineagedb.bio as bt

    return ln.Schema(name="valid_ensembl_gene_ids", itype=bt.Gene.ensembl_gene_id).save()


def anndata_ensembl_gene_ids_and_valid_features_in_obs() -> Any:
    """An AnnData schema: ``var`` indexed by Ensembl gene ids, ``obs`` columns validated as registered features.

    >>> ln.examples.schemas.anndata_ensembl_gene_ids_and_valid_features_in_obs().slots  # doctest: +SKIP
    {'obs': Schema(...), 'var.T': Schema(...)}
    """
    import lineagedb as ln

    var_t = _valid_ensembl_gene_ids()
    return ln.Schema(
        name="anndata_ensembl_gene_ids_and_valid_features_in_obs",
        otype="AnnData",
        slots={"obs": valid_features(), "var.T": var_t},
    ).save()


def mudata_rna_ensembl_gene_ids_and_valid_features_in_obs(modality: str = "rna") -> Any:
    """A MuData schema: the ``obs`` of the whole object and of one modality hold registered features, the
    modality's ``var`` is indexed by Ensembl gene ids (slots ``obs``, ``rna:obs``, ``rna:var.T``).

    >>> sorted(ln.examples.schemas.mudata_rna_ensembl_gene_ids_and_valid_features_in_obs().slots)  # doctest: +SKIP
    ['obs', 'rna:obs', 'rna:var.T']
    """
    import lineagedb as ln

    var_t = _valid_ensembl_gene_ids()
    obs = valid_features()
    return ln.Schema(
        name=f"mudata_{modality}_ensembl_gene_ids_and_valid_features_in_obs",
        otype="MuData",
        slots={"obs": obs, f"{modality}:obs": obs, f"{modality}:var.T": var_t},
    ).save()


def spatialdata_valid_features_in_attrs_and_table(table: str = "table") -> Any:
    """A SpatialData schema: ``attrs`` and the ``obs`` of one table hold registered features, the table's
    ``var`` is indexed by Ensembl gene ids (slots ``attrs``, ``table:obs``, ``table:var.T``).

    >>> sorted(ln.examples.schemas.spatialdata_valid_features_in_attrs_and_table().slots)  # doctest: +SKIP
    ['attrs', 'table:obs', 'table:var.T']
    """
    import lineagedb as ln

    var_t = _valid_ensembl_gene_ids()
    features = valid_features()
    return ln.Schema(
        name=f"spatialdata_valid_features_in_attrs_and_{table}",
        otype="SpatialData",
        slots={"attrs": features, f"{table}:obs": features, f"{table}:var.T": var_t},
    ).save()
