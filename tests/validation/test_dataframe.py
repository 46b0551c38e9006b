"""DataFrame validation: each failure kind gives a ValidationError whose message says what and how to fix it."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture
def setup(ln, unique):
    """Features and labels named with a unique suffix, and a matching valid DataFrame."""
    u = unique
    for name in ("DMSO", "IFNG"):
        ln.Record(name=f"{name}_{u}").save()
    f = {
        "perturbation": ln.Feature(name=f"perturbation_{u}", dtype=ln.Record).save(),
        "note": ln.Feature(name=f"note_{u}", dtype=str, nullable=True).save(),
        "conc": ln.Feature(name=f"conc_{u}", dtype=str, nullable=False).save(),
        "time": ln.Feature(name=f"time_{u}", dtype=float, coerce=True).save(),
        "temp": ln.Feature(name=f"temp_{u}", dtype=float).save(),
    }
    df = pd.DataFrame(
        {
            f"perturbation_{u}": pd.Categorical([f"DMSO_{u}", f"IFNG_{u}", f"DMSO_{u}"]),
            f"note_{u}": ["ok", None, "fine"],
            f"conc_{u}": ["0.1%", "200 nM", "0.1%"],
            f"time_{u}": [24, 24, 6],
            f"temp_{u}": [21.5, 22.0, 20.1],
            "ENSG00000153563": [1, 2, 3],  # not a registered feature: skipped by a flexible schema
        },
        index=["sample1", "sample2", "sample3"],
    )
    return u, f, df


def _error(ln, df, schema) -> str:
    with pytest.raises(ln.errors.ValidationError) as info:
        ln.curators.validate_for_artifact(df, schema)
    return str(info.value)


def test_valid_frame_passes_and_unknown_columns_are_skipped(ln, setup):
    u, f, df = setup
    schema = ln.Schema(itype=ln.Feature).save()
    result = ln.curators.validate_for_artifact(df, schema)
    (slot,) = result.slots
    assert {feat.name for feat in slot.features} == {feat.name for feat in f.values()}
    assert slot.skipped == ["ENSG00000153563"]
    (cat,) = slot.cats
    assert cat.key == f"perturbation_{u}" and sorted(cat.records) == [f"DMSO_{u}", f"IFNG_{u}"]
    curator = ln.curators.DataFrameCurator(df, schema)
    assert curator.validate() is None and curator.cat.non_validated == {}


def test_typo_lists_value_suggestion_and_register_call(ln, setup):
    u, f, df = setup
    df[f"perturbation_{u}"] = pd.Categorical([f"DMSO_{u}", f"IFNJ_{u}", f"DMSO_{u}"])
    schema = ln.Schema(itype=ln.Feature).save()
    msg = _error(ln, df, schema)
    assert f"column 'perturbation_{u}'" in msg and f"'IFNJ_{u}'" in msg
    assert f"did you mean 'IFNG_{u}'" in msg
    assert f"ln.save([ln.Record(name=value) for value in ['IFNJ_{u}']])" in msg
    assert f"curator.cat.add_new_from('perturbation_{u}')" in msg
    curator = ln.curators.DataFrameCurator(df, schema)
    with pytest.raises(ln.errors.ValidationError, match=f"IFNJ_{u}"):
        curator.validate()
    assert curator.cat.non_validated == {f"perturbation_{u}": [f"IFNJ_{u}"]}
    created = curator.cat.add_new_from(f"perturbation_{u}")
    assert [r.name for r in created] == [f"IFNJ_{u}"] and ln.Record.filter(name=f"IFNJ_{u}").count() == 1
    curator.validate()
    assert curator.cat.non_validated == {}


def test_dtype_problem(ln, setup):
    u, f, df = setup
    df[f"temp_{u}"] = ["warm", "cold", "warm"]
    msg = _error(ln, df, ln.Schema(itype=ln.Feature).save())
    assert f"column 'temp_{u}': dtype: expected float, found string" in msg and "coerce=True" in msg and "failed dtype check for 'float'" in msg


def test_coerce_dtype_converts_numbers_given_as_strings(ln, setup):
    u, f, df = setup
    df[f"time_{u}"] = ["24", "24", "6.5"]
    schema = ln.Schema(itype=ln.Feature).save()
    result = ln.curators.validate_for_artifact(df, schema)  # the feature has coerce=True
    assert list(result.slots[0].coerced[f"time_{u}"]) == [24, 24, 6.5]
    df[f"time_{u}"] = ["24", "a day", "6"]
    assert f"column 'time_{u}': dtype: expected float" in _error(ln, df, schema)
    df[f"temp_{u}"] = ["1.5", "2", "3"]
    df[f"time_{u}"] = [1, 2, 3]
    assert f"temp_{u}" in _error(ln, df, schema)  # temp has no coerce_dtype ...
    coercing = ln.Schema(itype=ln.Feature, coerce=True).save()  # ... but the schema may ask for it
    assert coercing.pk != schema.pk
    curator = ln.curators.DataFrameCurator(df, coercing)
    curator.validate()
    assert curator.dataset[f"temp_{u}"].dtype == "float64"  # a coerced copy ...
    assert df[f"temp_{u}"].dtype == object  # ... the caller's frame is left as it is


def test_nulls_in_non_nullable_column(ln, setup):
    u, f, df = setup
    df[f"conc_{u}"] = ["0.1%", None, None]
    msg = _error(ln, df, ln.Schema(itype=ln.Feature).save())
    assert f"column 'conc_{u}': 2 null value(s) but the feature is not nullable" in msg
    df[f"conc_{u}"] = ["0.1%", "1", "2"]
    df[f"note_{u}"] = [None, None, None]  # nullable: fine
    ln.curators.validate_for_artifact(df, ln.Schema(itype=ln.Feature).save())


def test_missing_required_and_optional_columns(ln, setup):
    u, f, df = setup
    schema = ln.Schema(features=[f["perturbation"], f["conc"], f["note"].with_config(optional=True)]).save()
    ln.curators.validate_for_artifact(df.drop(columns=[f"note_{u}"]), schema)
    msg = _error(ln, df.drop(columns=[f"conc_{u}"]), schema)
    assert f"missing required column(s): ['conc_{u}']" in msg
    assert "COLUMN_NOT_IN_DATAFRAME" in msg


def test_maximal_and_ordered_sets(ln, setup):
    u, f, df = setup
    strict = ln.Schema(features=[f["perturbation"], f["note"]], maximal_set=True).save()
    msg = _error(ln, df, strict)
    assert "not in the schema" in msg and f"conc_{u}" in msg and "maximal_set=True" in msg
    ordered = ln.Schema(features=[f["note"], f["perturbation"]], ordered_set=True).save()
    assert "not in the schema's order" in _error(ln, df, ordered)
    ln.curators.validate_for_artifact(df[[f"note_{u}", f"perturbation_{u}"]], ordered)


def test_non_flexible_schema_ignores_other_columns(ln, setup):
    u, f, df = setup
    df[f"temp_{u}"] = ["not", "a", "float"]  # not in the schema: not validated
    schema = ln.Schema(features=[f["perturbation"]]).save()
    result = ln.curators.validate_for_artifact(df, schema)
    assert [feat.name for feat in result.slots[0].features] == [f"perturbation_{u}"]
    flexible = ln.Schema(features=[f["perturbation"]], flexible=True).save()
    assert f"temp_{u}" in _error(ln, df, flexible)


def test_typed_records_validate_within_their_type(ln, unique):
    u = unique
    kind = ln.Record(name=f"Project_{u}", is_type=True).save()
    ln.Record(name=f"alpha_{u}", type=kind).save()
    ln.Record(name=f"beta_{u}").save()  # same registry, other (no) type
    feat = ln.Feature(name=f"project_{u}", dtype=kind).save()
    df = pd.DataFrame({f"project_{u}": [f"alpha_{u}", f"beta_{u}"]})
    schema = ln.Schema(features=[feat]).save()
    msg = _error(ln, df, schema)
    assert f"'beta_{u}'" in msg and f"'alpha_{u}'" not in msg.split("not validated:")[1].splitlines()[0]
    assert f"type=ln.Record.get(name='Project_{u}', is_type=True)" in msg
    curator = ln.curators.DataFrameCurator(df, schema)
    curator.cat.add_new_from(f"project_{u}")
    curator.validate()
    assert ln.Record.get(name=f"beta_{u}", type=kind).type == kind


def test_index_feature(ln, setup, unique):
    u, f, df = setup
    sample = ln.Feature(name=f"sample_{u}", dtype=ln.Record).save()
    ln.save([ln.Record(name=n) for n in ("sample1", "sample2")] if not ln.Record.filter(name="sample1").exists() else [])
    schema = ln.Schema(features=[f["perturbation"]], index=sample).save()
    df.index = ["sample1", "sample2", f"nosuch_{u}"]
    msg = _error(ln, df, schema)
    assert "column 'index'" in msg and f"nosuch_{u}" in msg


def test_several_problems_are_reported_together(ln, setup):
    u, f, df = setup
    df[f"perturbation_{u}"] = ["DMSO", "IFNX", None]
    df[f"conc_{u}"] = [None, "1", "2"]
    df[f"temp_{u}"] = ["x", "y", "z"]
    msg = _error(ln, df, ln.Schema(itype=ln.Feature).save())
    assert "IFNX" in msg and "null value" in msg and "expected float" in msg


def test_unsaved_schema_and_wrong_data_are_refused(ln, setup):
    u, f, df = setup
    with pytest.raises(ln.errors.InvalidArgument, match="not saved"):
        ln.curators.validate_for_artifact(df, ln.Schema(features=[f["conc"]], name=f"unsaved_{u}"))
    with pytest.raises(ln.errors.InvalidArgument, match="pass a pandas or polars DataFrame, an AnnData"):
        ln.curators.validate_for_artifact([1, 2, 3], ln.Schema(itype=ln.Feature).save())


def test_unnamed_index_dtype_error_names_the_series(ln, unique):
    from lineagedb.core import datasets

    df = datasets.mini_immuno.get_dataset1(otype="DataFrame", with_index_type_mismatch=True)
    feature = ln.Feature(name=f"idx_str_{unique}", dtype=str).save()
    curator = ln.curators.DataFrameCurator(df, ln.Schema(index=feature).save())
    with pytest.raises(ln.errors.ValidationError, match="expected series 'None' to have type str, got int64"):
        curator.validate()


def test_ulabel_type_as_dtype_and_new_labels_get_the_type(ln, unique):
    currency = ln.ULabel(name=f"Currency_{unique}", is_type=True).save()
    ln.ULabel(name=f"USD_{unique}", type=currency).save()
    feature = ln.Feature(name=f"currency_{unique}", dtype=currency).save()
    assert feature.dtype == f"cat[ULabel[Currency_{unique}]]"
    curator = ln.curators.DataFrameCurator(pd.DataFrame({feature.name: [f"USD_{unique}", f"EUR_{unique}"]}),
                                           ln.Schema(features=[feature]).save())
    with pytest.raises(ln.errors.ValidationError, match=f"type=ln.ULabel.get\\(name='Currency_{unique}'"):
        curator.validate()
    curator.cat.add_new_from(feature.name)
    curator.validate()
    assert ln.ULabel.get(name=f"EUR_{unique}").type == currency


def test_url_is_a_string_dtype_and_csv_keys_store_csv(ln, unique):
    url = ln.Feature(name=f"url_{unique}", dtype="url", coerce=True).save()
    schema = ln.Schema(features=[url]).save()
    with pytest.raises(ln.errors.ValidationError, match=f"url_{unique}"):
        ln.curators.DataFrameCurator(pd.DataFrame({url.name: [123]}), schema).validate()
    curator = ln.curators.DataFrameCurator(pd.DataFrame({url.name: ["https://x.org/1"]}), schema)
    artifact = curator.save_artifact(key=f"url/{unique}.csv")
    assert artifact.suffix == ".csv" and artifact.schema == schema
    assert pd.read_csv(artifact.path)[url.name].tolist() == ["https://x.org/1"]
