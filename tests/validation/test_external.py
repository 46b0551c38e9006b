"""Dataset-level values passed as ``features=`` are validated against a schema's ``__external__`` slot."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture
def external(ln, unique):
    a = ln.Feature(name=f"ext_a_{unique}", dtype=str).save()
    b = ln.Feature(name=f"ext_b_{unique}", dtype=str).save()
    return unique, ln.Schema(features=[a, b], maximal_set=True).save()


def test_any_file_with_an_external_only_schema(ln, external, tmp_path):
    u, ext = external
    schema = ln.Schema(name=f"external only {u}", slots={"__external__": ext}).save()
    path = tmp_path / "reads.fastq"
    path.write_text(f"@read {u}\nACGT\n+\n!!!!\n")
    with pytest.raises(ln.errors.ValidationError, match="no external features were provided"):
        ln.Artifact(path, key=f"ext/{u}.fastq", schema=schema)
    with pytest.raises(ln.errors.ValidationError, match=f"ext_a_{u}"):  # wrong dtype
        ln.Artifact(path, key=f"ext/{u}.fastq", schema=schema, features={f"ext_a_{u}": 1, f"ext_b_{u}": "y"})
    ln.Feature(name=f"ext_extra_{u}", dtype=str).save()
    with pytest.raises(ln.errors.ValidationError, match="not in the schema"):  # maximal_set
        ln.Artifact(path, key=f"ext/{u}.fastq", schema=schema,
                    features={f"ext_a_{u}": "x", f"ext_b_{u}": "y", f"ext_extra_{u}": "z"})
    artifact = ln.Artifact(path, key=f"ext/{u}.fastq", schema=schema,
                           features={f"ext_a_{u}": "x", f"ext_b_{u}": "y"}).save()
    assert artifact.schema == schema
    values = artifact.features.get_values()
    assert values[f"ext_a_{u}"] == "x" and values[f"ext_b_{u}"] == "y"
    with pytest.raises(ln.errors.InvalidArgument, match="Cannot add values if artifact has external schema"):
        artifact.features.add_values({f"ext_a_{u}": "other"})  # would bypass the schema's validation
    with pytest.raises(ln.errors.InvalidArgument, match="Cannot remove values if artifact has external schema"):
        artifact.features.remove_values(f"ext_a_{u}")
    assert artifact.features.get_values()[f"ext_a_{u}"] == "x"
    artifact.features.set_values({f"ext_a_{u}": "x2", f"ext_b_{u}": "y2"})
    assert artifact.features.get_values() == {f"ext_a_{u}": "x2", f"ext_b_{u}": "y2"}


def test_dataframe_and_curator_with_external_features(ln, external):
    u, ext = external
    col = ln.Feature(name=f"ext_col_{u}", dtype=int).save()
    schema = ln.Schema(slots={"columns": ln.Schema(features=[col]).save(), "__external__": ext},
                       otype="DataFrame").save()
    df = pd.DataFrame({f"ext_col_{u}": [1, 2]})
    with pytest.raises(ln.errors.ValidationError, match="no external features"):
        ln.Artifact.from_dataframe(df, key=f"ext/{u}.parquet", schema=schema)
    values = {f"ext_a_{u}": "x", f"ext_b_{u}": "y"}
    curator = ln.curators.DataFrameCurator(df, schema, features=values)
    artifact = curator.save_artifact(key=f"ext/{u}.parquet")
    assert artifact.features.get_values()[f"ext_b_{u}"] == "y"


def test_set_values_fits_the_external_schema_as_a_whole(ln, external, tmp_path):
    u, ext = external
    schema = ln.Schema(name=f"external whole {u}", slots={"__external__": ext}).save()
    extra = ln.Feature(name=f"ext_other_{u}", dtype=str).save()
    path = tmp_path / "reads.fastq"
    path.write_text(f"@read whole {u}\n")
    values = {f"ext_a_{u}": "x", f"ext_b_{u}": "y"}
    artifact = ln.Artifact(path, key=f"ext/whole-{u}.fastq", schema=schema, features=values).save()
    with pytest.raises(ln.errors.ValidationError, match=f"ext_other_{u}.*not in the provided schema"):
        artifact.features.set_values({**values, extra: "z"})  # maximal_set
    with pytest.raises(ln.errors.ValidationError, match=f"requires feature.*ext_b_{u}"):
        artifact.features.set_values({f"ext_a_{u}": "x"})  # minimal_set
    assert artifact.features.get_values() == values  # nothing changed
    # the same file again without values: the saved artifact supplies them
    again = ln.Artifact(path, key=f"ext/whole-{u}.fastq", schema=schema).save()
    assert again.uid == artifact.uid and again.features.get_values() == values
    other = tmp_path / "other.fastq"
    other.write_text(f"@read other {u}\n")
    with pytest.raises(ln.errors.ValidationError, match="no external features were provided"):
        ln.Artifact(other, key=f"ext/other-{u}.fastq", schema=schema)


def test_missing_columns_are_reported_before_missing_external_values(ln, external):
    u, ext = external
    col = ln.Feature(name=f"ext_needed_{u}", dtype=int).save()
    schema = ln.Schema(features=[col], slots={"__external__": ext}, otype="DataFrame").save()
    df = pd.DataFrame({f"other_{u}": [1]})
    with pytest.raises(ln.errors.ValidationError) as error:
        ln.curators.DataFrameCurator(df, schema).validate()
    message = str(error.value)
    assert "COLUMN_NOT_IN_DATAFRAME" in message and f"ext_needed_{u}" in message
    assert message.index("COLUMN_NOT_IN_DATAFRAME") < message.index("no external features were provided")


def test_features_describe_lists_dataset_features_per_slot(ln, external):
    import anndata as ad
    import numpy as np

    u, ext = external
    obs_feature = ln.Feature(name=f"ext_obs_{u}", dtype=str).save()
    obs = ln.Schema(features=[obs_feature]).save()
    schema = ln.Schema(otype="AnnData", slots={"obs": obs, "__external__": ext}).save()
    adata = ad.AnnData(np.array([[1.0, 2.0], [3.0, float(len(u))]]), obs=pd.DataFrame({f"ext_obs_{u}": ["a", "b"]}))
    artifact = ln.Artifact.from_anndata(adata, key=f"ext/{u}.h5ad", schema=schema,
                                        features={f"ext_a_{u}": "x", f"ext_b_{u}": "y"}).save()
    text = artifact.features.describe(return_str=True)
    assert "Dataset features" in text and "obs (1)" in text and f"ext_obs_{u}" in text
    assert "External features" in text and text.index("Dataset features") < text.index("External features")


def test_curating_a_saved_artifact_replaces_or_keeps_its_external_values(ln, external):
    u, ext = external
    col = ln.Feature(name=f"ext_n_{u}", dtype=int).save()
    schema = ln.Schema(features=[col], slots={"__external__": ext}, otype="DataFrame").save()
    df = pd.DataFrame({f"ext_n_{u}": [1, len(u)]})
    values = {f"ext_a_{u}": "x", f"ext_b_{u}": "y"}
    artifact = ln.curators.DataFrameCurator(df, schema, features=values).save_artifact(key=f"ext/cur-{u}.parquet")
    assert [link.slot for link in artifact.links_schema.all()] == ["columns"]  # no feature set for dataset-level values
    assert artifact.features.describe(return_str=True) == (
        f"Artifact: ext/cur-{u}.parquet ({artifact.uid[16:]})\n"
        "├── Dataset features\n"
        "│   └── columns (1)\n"
        f"│       {f'ext_n_{u}':<20}int\n"
        "└── External features\n"
        f"    └── {f'ext_a_{u}':<20}{'str':<25}x\n"
        f"        {f'ext_b_{u}':<20}{'str':<25}y"
    )
    changed = {f"ext_a_{u}": "z", f"ext_b_{u}": "y"}
    artifact = ln.curators.DataFrameCurator(artifact, schema, features=changed).save_artifact()
    assert artifact.features.get_values() == changed  # replaced, not added
    artifact = ln.curators.DataFrameCurator(artifact, schema).save_artifact()  # the artifact's own values
    assert artifact.features.get_values() == changed


def test_a_bare_cat_feature_takes_external_values_as_they_are(ln, unique, tmp_path):
    """``dtype="cat"`` names no registry: a value is stored as given (it once crashed looking the registry up)."""
    flavour = ln.Feature(name=f"ext_flavour_{unique}", dtype="cat").save()
    schema = ln.Schema(features=[flavour], itype=ln.Feature).save()
    path = tmp_path / "notes.txt"
    path.write_text(f"bare cat {unique}\n")
    artifact = ln.Artifact(path, key=f"ext/{unique}.txt", schema=schema, features={f"ext_flavour_{unique}": "mint"}).save()
    assert artifact.features.get_values() == {f"ext_flavour_{unique}": "mint"}
