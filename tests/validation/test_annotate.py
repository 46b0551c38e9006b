"""Validated artifacts: nothing written on failure; on save, schema, feature sets, labels, bio records, metadata."""

from __future__ import annotations

import pandas as pd
import pytest


def _suffix(df: pd.DataFrame, u: str) -> pd.DataFrame:
    """The tutorial's DataFrame with feature columns renamed ``<name>_<u>`` (the shared instance stays clean)."""
    out = df.rename(columns=lambda c: c if c.startswith("ENSG") else f"{c}_{u}")
    out.attrs = {f"{k}_{u}": v for k, v in df.attrs.items()}
    return out


@pytest.fixture
def tutorial(ln, unique):
    """The tutorial's features (suffixed), labels DMSO/IFNG, and its schema."""
    import lineagedb.bio as bt

    u = unique
    ln.save([ln.Record(name=f"{n}_{u}") for n in ("DMSO", "IFNG")])
    ln.Feature(name=f"perturbation_{u}", dtype=ln.Record).save()
    ln.Feature(name=f"cell_type_by_model_{u}", dtype=bt.CellType).save()
    ln.Feature(name=f"cell_type_by_expert_{u}", dtype=bt.CellType).save()
    ln.Feature(name=f"assay_oid_{u}", dtype=bt.ExperimentalFactor.ontology_id).save()
    ln.Feature(name=f"donor_{u}", dtype=str, nullable=True).save()
    ln.Feature(name=f"sample_note_{u}", dtype=str, nullable=True).save()
    ln.Feature(name=f"concentration_{u}", dtype=str).save()
    ln.Feature(name=f"treatment_time_h_{u}", dtype="num", coerce=True).save()
    schema = ln.Schema(itype=ln.Feature).save()

    def dataset(**kwargs):
        df = _suffix(ln.examples.datasets.mini_immuno.get_dataset1(**kwargs), u)
        col = f"perturbation_{u}"
        df[col] = df[col].cat.rename_categories(lambda c: f"{c}_{u}")
        return df

    return u, schema, dataset


def test_failure_writes_nothing(ln, tutorial):
    u, schema, dataset = tutorial
    df = dataset(with_typo=True)
    key = f"validation/{u}/typo.parquet"
    with pytest.raises(ln.errors.ValidationError, match=f"IFNJ_{u}") as info:
        ln.Artifact.from_dataframe(df, key=key, schema=schema)
    assert f"did you mean 'IFNG_{u}'" in str(info.value)
    assert ln.Artifact.filter(key=key).count() == 0


def test_validated_dataframe_is_annotated_on_save(ln, tutorial):
    import lineagedb.bio as bt

    u, schema, dataset = tutorial
    df = dataset()
    artifact = ln.Artifact.from_dataframe(df, key=f"validation/{u}/ok.parquet", schema=schema).save()
    assert artifact.schema == schema
    (link,) = ln.models.ArtifactSchema.objects.filter(artifact=artifact)
    assert link.slot == "columns"
    assert {f.name for f in link.schema.members} == {c for c in df.columns if not c.startswith("ENSG")}
    assert artifact in ln.Artifact.filter(feature_sets=link.schema)
    # labels under their features; the bio records came from the public ontology
    pert = ln.Feature.get(name=f"perturbation_{u}")
    linked = ln.models.ArtifactRecord.objects.filter(artifact=artifact, feature=pert)
    assert sorted(r.record.name for r in linked) == [f"DMSO_{u}", f"IFNG_{u}"]
    b_cell = bt.CellType.get(name="B cell")
    assert b_cell.ontology_id == "CL:0000236"
    by_model = ln.Feature.get(name=f"cell_type_by_model_{u}")
    model_types = bt.models.ArtifactCellType.objects.filter(artifact=artifact, feature=by_model)
    assert sorted(x.cell_type.name for x in model_types) == ["B cell", "T cell"]
    assert artifact.experimental_factors.get().ontology_id == "EFO:0008913"
    text = artifact.describe(return_str=True)
    assert "Schema" in text and f"perturbation_{u}" in text and "cat[bio.CellType]" in text


def test_new_version_with_schema(ln, tutorial):
    u, schema, dataset = tutorial
    key = f"validation/{u}/versions.parquet"
    v1 = ln.Artifact.from_dataframe(dataset(with_typo=True), key=key).save()
    df = dataset(with_typo=True)
    with pytest.raises(ln.errors.ValidationError):
        ln.Artifact.from_dataframe(df, key=key, schema=schema)
    col = f"perturbation_{u}"
    df[col] = df[col].cat.rename_categories({f"IFNJ_{u}": f"IFNG_{u}"})
    v2 = ln.Artifact.from_dataframe(df, key=key, schema=schema).save()
    assert v2.uid[:16] == v1.uid[:16] and v2.is_latest and v2.schema == schema
    assert len(v2.versions.to_dataframe()) == 2
    assert ln.Artifact.filter(key=key, is_latest=False).get().schema is None


def test_synonyms_validate_and_standardize(ln, tutorial):
    u, schema, dataset = tutorial
    df = dataset(with_cell_type_synonym=True)  # "B-cell"
    curator = ln.curators.DataFrameCurator(df, schema)
    with pytest.raises(ln.errors.ValidationError) as info:  # a synonym must be standardized first
        curator.validate()
    assert "'B-cell' -> 'B cell'" in str(info.value) and "curator.cat.standardize(" in str(info.value)
    curator.standardize()
    assert "B cell" in set(df[f"cell_type_by_model_{u}"]) and "B-cell" not in set(df[f"cell_type_by_model_{u}"])
    curator.validate()


def test_bio_typo_fails_with_suggestion(ln, tutorial):
    import lineagedb.bio as bt

    u, schema, dataset = tutorial
    bt.CellType.from_source(name="T cell").save()
    df = dataset(with_cell_type_typo=True)  # "T cel"
    with pytest.raises(ln.errors.ValidationError) as info:
        ln.curators.validate_for_artifact(df, schema)
    msg = str(info.value)
    assert f"column 'cell_type_by_model_{u}'" in msg and "'T cel'" in msg and "did you mean 'T cell'" in msg
    assert "bt.CellType(name=value) for value in ['T cel']" in msg


def test_anndata_genes_from_source_and_query_by_gene(ln, tutorial):
    import anndata as ad

    import lineagedb.bio as bt

    u, schema, dataset = tutorial
    df = dataset()
    var_schema = ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=int).save()
    anndata_schema = ln.Schema(otype="AnnData", slots={"obs": schema, "var.T": var_schema}).save()
    adata = ad.AnnData(df.iloc[:, :3], obs=df.iloc[:, 3:-1])
    artifact = ln.Artifact.from_anndata(adata, key=f"validation/{u}/x.h5ad", schema=anndata_schema).save()
    assert artifact.schema == anndata_schema
    slots = {link.slot: link.schema for link in ln.models.ArtifactSchema.objects.filter(artifact=artifact)}
    assert set(slots) == {"obs", "var.T"}
    assert sorted(slots["var.T"].genes.values_list("symbol", flat=True)) == ["CD14", "CD4", "CD8A"]
    assert slots["var.T"].n == 3 and slots["var.T"].itype == "bio.Gene.ensembl_gene_id"
    feature_sets = ln.Schema.filter(genes__symbol="CD8A").all()
    assert artifact in ln.Artifact.filter(feature_sets__in=feature_sets)
    text = artifact.describe(return_str=True)
    assert "var.T" in text and "ENSG00000153563 (CD8A)" in text
    bad = ad.AnnData(dataset(with_gene_typo=True).iloc[:, :3], obs=df.iloc[:, 3:-1])
    strict_var = ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=int, maximal_set=True).save()
    strict = ln.Schema(otype="AnnData", slots={"obs": schema, "var.T": strict_var}).save()
    with pytest.raises(ln.errors.ValidationError, match="ENSG00000153563X"):  # unknown genes fail with maximal_set
        ln.Artifact.from_anndata(bad, key=f"validation/{u}/bad.h5ad", schema=strict)


def test_attrs_slot_becomes_feature_values(ln, tutorial):
    u, schema, dataset = tutorial
    ln.Feature(name=f"temperature_{u}", dtype=float).save()
    ln.Feature(name=f"experiment_{u}", dtype=ln.Record).save()
    ln.Record(name="Experiment 1").save() if not ln.Record.filter(name="Experiment 1").exists() else None
    meta = ln.Schema(features=[ln.Feature.get(name=f"temperature_{u}"), ln.Feature.get(name=f"experiment_{u}")]).save()
    composite = ln.Schema(otype="DataFrame", slots={"columns": schema, "attrs": meta}).save()
    df = dataset()
    artifact = ln.Artifact.from_dataframe(df, key=f"validation/{u}/attrs.parquet", schema=composite).save()
    values = artifact.features.get_values()
    assert values[f"temperature_{u}"] == 21.6 and values[f"experiment_{u}"] == "Experiment 1"
    df.attrs[f"temperature_{u}"] = "hot"
    with pytest.raises(ln.errors.ValidationError, match=f"attrs\\['temperature_{u}'\\]"):
        ln.Artifact.from_dataframe(df, key=f"validation/{u}/attrs2.parquet", schema=composite)


def test_curator_save_artifact_after_add_new_from(ln, tutorial):
    u, schema, dataset = tutorial
    df = dataset(with_typo=True)
    curator = ln.curators.DataFrameCurator(df, schema)
    with pytest.raises(ln.errors.ValidationError):
        curator.validate()
    curator.cat.add_new_from(f"perturbation_{u}")
    artifact = curator.save_artifact(key=f"validation/{u}/curated.parquet")
    assert artifact.schema == schema and artifact.records.filter(name=f"IFNJ_{u}").exists()


def test_thousands_of_genes_are_created_in_bulk(ln, unique):
    import anndata as ad
    import numpy as np
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import lineagedb.bio as bt

    table = bt.Gene.public(organism="human").to_dataframe()
    ids = table["ensembl_gene_id"].dropna().drop_duplicates().iloc[5000:7000].tolist()
    schema = ln.Schema(otype="AnnData", slots={"var.T": ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=int).save()}).save()
    adata = ad.AnnData(np.zeros((2, len(ids)), dtype=np.int32), var=pd.DataFrame(index=ids))
    artifact = ln.Artifact.from_anndata(adata, key=f"validation/{unique}/genes.h5ad", schema=schema)
    with CaptureQueriesContext(connection) as queries:
        artifact.save()
    assert bt.Gene.filter(ensembl_gene_id__in=ids).count() == len(ids)
    (link,) = ln.models.ArtifactSchema.objects.filter(artifact=artifact)
    assert link.slot == "var.T" and link.schema.n == len(ids) and link.schema.genes.count() == len(ids)
    assert len(queries) < 60, [q["sql"][:80] for q in queries.captured_queries]


def test_curating_a_saved_artifact_annotates_it(ln, tutorial):
    u, schema, dataset = tutorial
    artifact = ln.Artifact.from_dataframe(dataset(), key=f"validation/{u}/later.parquet").save()
    assert artifact.schema is None
    curator = ln.curators.DataFrameCurator(artifact, schema)
    assert curator.save_artifact() == artifact
    assert ln.Artifact.get(uid=artifact.uid).schema == schema
