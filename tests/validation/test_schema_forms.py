"""Schema's constructor forms: positional features, coerce=, suffix=, types, formats, optionals, bad kwargs."""

from __future__ import annotations

import pytest


def _features(ln, unique, n=2):
    return [ln.Feature(name=f"sf{i}_{unique}", dtype=str).save() for i in range(n)]


def test_positional_features_and_coerce(ln, unique):
    f1, f2 = _features(ln, unique)
    schema = ln.Schema([f1, f2], coerce=True, n_members=2).save()
    assert schema.itype == "Feature" and schema.n == 2 == schema.n_members
    assert schema.coerce is True and schema.coerce_dtype is True
    assert ln.Schema(features=[f1, f2], coerce=True).save().id == schema.id
    with pytest.raises(ValueError, match="not a single feature"):
        ln.Schema(f1)
    with pytest.raises(ValueError, match="Only one non-keyword arg allowed: features"):
        ln.Schema([f1], 1)


def test_unknown_kwargs_and_bad_suffix(ln, unique):
    (f1,) = _features(ln, unique, 1)
    with pytest.raises(ln.errors.FieldValidationError, match="'x'"):
        ln.Schema(x="1", features=[])
    with pytest.raises(ln.errors.FieldValidationError, match="Invalid suffix '.nope'"):
        ln.Schema(features=[f1], suffix=".nope")
    plain = ln.Schema(features=[f1]).save()
    parquet = ln.Schema(features=[f1], suffix=".parquet").save()
    assert plain.suffix is None and parquet.suffix == ".parquet" and plain.id != parquet.id
    assert ln.Schema(features=[f1], suffix=".parquet").save().id == parquet.id


def test_schema_types(ln, unique):
    sample = ln.Schema(name=f"Sample{unique}", is_type=True).save()
    assert sample.hash is None
    bio = ln.Schema(name=f"BioSample{unique}", is_type=True, type=sample).save()
    assert bio.type == sample and bio.is_type
    with pytest.raises(ln.errors.InvalidArgument, match="Please pass features or slots or itype or set is_type=True"):
        ln.Schema(name=f"Tech{unique}", type=sample)
    with pytest.raises(ln.errors.InvalidArgument, match="must be saved before describing"):
        ln.Schema(name="unsaved", is_type=True).describe()


def test_formats_do_not_change_the_hash_and_optionals(ln, unique):
    req, opt = _features(ln, unique)
    schema = ln.Schema([req, opt.with_config(optional=True)], suffix=".zarr").save()
    first_hash = schema.hash
    schema.formats.zarr = {"zarr_format": 3}
    schema.save()
    again = ln.Schema.get(id=schema.id)
    assert again.formats.zarr == {"zarr_format": 3} and again.hash == first_hash
    assert again.optionals.get_uids() == [opt.uid]
    same = ln.Schema([req, opt.with_config(optional=True)], suffix=".zarr").save()
    assert same.uid == schema.uid and same.formats.zarr == {"zarr_format": 3}
    with pytest.raises(TypeError, match="must be a dict or None"):
        schema.formats.zarr = "zarr"


def test_describe_keeps_brackets_in_names(ln, unique):
    f = ln.Feature(name=f"characteristics[organism]{unique}", dtype=str).save()
    text = ln.Schema([f]).save().describe(return_str=True)
    assert f"characteristics[organism]{unique}" in text and "Features" in text


def test_example_schemas(ln):
    valid = ln.examples.schemas.valid_features()
    assert valid.itype == "Feature" and valid.flexible and ln.examples.schemas.valid_features().id == valid.id
    adata = ln.examples.schemas.anndata_ensembl_gene_ids_and_valid_features_in_obs()
    assert adata.otype == "AnnData" and set(adata.slots) == {"obs", "var.T"}
    assert adata.slots["var.T"].itype == "bio.Gene.ensembl_gene_id"
    mdata = ln.examples.schemas.mudata_rna_ensembl_gene_ids_and_valid_features_in_obs()
    assert mdata.otype == "MuData" and set(mdata.slots) == {"obs", "rna:obs", "rna:var.T"}
    sdata = ln.examples.schemas.spatialdata_valid_features_in_attrs_and_table()
    assert sdata.otype == "SpatialData" and set(sdata.slots) == {"attrs", "table:obs", "table:var.T"}


def test_features_with_an_external_slot(ln, unique):
    internal, external = _features(ln, unique)
    ext = ln.Schema(features=[external]).save()
    schema = ln.Schema(features=[internal], slots={"__external__": ext}, otype="DataFrame").save()
    assert [f for f, _ in schema.feature_links()] == [internal] and schema.n == 1
    assert schema.slots == {"__external__": ext}


def test_optionals_add_on_a_saved_schema(ln, unique):
    import pandas as pd

    required = ln.Feature(name=f"oa_req_{unique}", dtype=int).save()
    optional = ln.Feature(name=f"oa_opt_{unique}", dtype=str).save()
    schema = ln.Schema(features=[required, optional]).save()
    old_hash = schema.hash
    schema.optionals.add(optional)
    assert schema.optionals.get() == [optional] and schema.hash != old_hash
    assert ln.Schema.get(schema.id).optionals.get() == [optional]
    ln.curators.DataFrameCurator(pd.DataFrame({f"oa_req_{unique}": [1]}), schema).validate()
    with pytest.raises(ln.errors.InvalidArgument, match="not members"):
        schema.optionals.add(ln.Feature(name=f"oa_other_{unique}", dtype=str).save())


def test_feature_type_schema(ln, unique, tmp_path):
    import datetime

    import pandas as pd

    u = unique
    lab = ln.Feature(name=f"LabType_{u}", is_type=True).save()
    gc = ln.Feature(name=f"gc_{u}", dtype=float, type=lab).save()
    ln.Feature(name=f"day_{u}", dtype=datetime.date, type=lab).save()
    ln.Feature(name=f"untyped_{u}", dtype=str).save()  # same registry, not of the type
    schema = ln.Schema(itype=lab).save()
    assert schema.itype == f"Feature[{lab.uid}]" and schema.dtype is None and schema.flexible
    with pytest.raises(ln.errors.InvalidArgument, match="not a feature type"):
        ln.Schema(itype=gc)
    # a DataFrame: columns are matched among the features of the type, each with its own dtype
    df = pd.DataFrame({f"gc_{u}": [0.5, 0.25], f"day_{u}": [datetime.date(2025, 1, 2)] * 2, f"untyped_{u}": ["a", "b"]})
    artifact = ln.Artifact.from_dataframe(df, key=f"typed/{u}.parquet", schema=schema).save()
    inferred = artifact.schemas.get()
    assert {f.name for f in inferred.members} == {f"gc_{u}", f"day_{u}"}  # not the untyped column
    assert f"gc_{u}  float" in artifact.describe(return_str=True)
    with pytest.raises(ln.errors.ValidationError, match=f"gc_{u}"):
        ln.Artifact.from_dataframe(pd.DataFrame({f"gc_{u}": ["high"]}), key=f"typed/bad-{u}.parquet", schema=schema)
    # any file: the values passed along are checked against the features of the type
    path = tmp_path / "reads.fastq"
    path.write_text(f"@read {u}\n")
    with pytest.raises(ln.errors.ValidationError, match=f"gc_{u}"):
        ln.Artifact(path, key=f"typed/{u}.fastq", otype="FASTQ", schema=schema, features={f"gc_{u}": "high"})
    with pytest.raises(ln.errors.ValidationError, match=f"untyped_{u}.*not in the schema"):
        ln.Artifact(path, key=f"typed/{u}.fastq", schema=schema, features={f"untyped_{u}": "a"})
    with pytest.raises(ln.errors.ValidationError, match="no feature values were provided"):
        ln.Artifact(path, key=f"typed/{u}.fastq", schema=schema)
    file_artifact = ln.Artifact(path, key=f"typed/{u}.fastq", otype="FASTQ", schema=schema,
                                features={f"gc_{u}": 0.5}).save()
    assert file_artifact.schema == schema and file_artifact.features.get_values() == {f"gc_{u}": 0.5}
    assert not file_artifact.schemas.exists()  # dataset-level values make no inferred feature set
