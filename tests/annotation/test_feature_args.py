"""Feature's constructor: coerce=, cat_filters=, values_through=, feature types, the dtype grammar, inference."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest


def test_coerce_keyword_and_alias(ln, unique):
    f = ln.Feature(name=f"co_{unique}", dtype=int, coerce=True).save()
    assert f.coerce is True and f.coerce_dtype is True
    f.coerce = False
    assert f.coerce_dtype is False
    with pytest.warns(DeprecationWarning, match="renamed to `coerce`"):
        g = ln.Feature(name=f"co2_{unique}", dtype=int, coerce_dtype=True)
    assert g.coerce is True


def test_unknown_keyword_and_positional_are_refused(ln, unique):
    with pytest.raises(ln.errors.FieldValidationError, match="not_a_field"):
        ln.Feature(name=f"x_{unique}", dtype=str, not_a_field=1)
    with pytest.raises(ValueError, match="Use keyword arguments"):
        ln.Feature(f"x_{unique}")


def test_cat_filters_fold_into_the_dtype(ln, unique):
    import lineagedb.bio as bt

    f = ln.Feature(name=f"dis_{unique}", dtype=bt.Disease, cat_filters={"source__uid": "4a3ejKuf"})
    assert f.dtype == "cat[bio.Disease[source__uid='4a3ejKuf']]"
    kind = ln.Record(name=f"Kind{unique}", is_type=True).save()
    g = ln.Feature(name=f"k_{unique}", dtype=kind, cat_filters={"is_type": False})
    assert g.dtype == f"cat[Record[Kind{unique}, is_type=False]]"


@pytest.mark.parametrize("empty", [None, "", [], 0])
def test_cat_filters_refuse_empty_values(ln, empty):
    import lineagedb.bio as bt

    with pytest.raises(ln.errors.ValidationError, match="Empty value in filter source__uid"):
        ln.Feature(name="empty_filter", dtype=bt.Disease, cat_filters={"source__uid": empty})


def test_cat_filters_refuse_lists_unions_and_bad_fields(ln):
    import lineagedb.bio as bt

    with pytest.raises(ln.errors.ValidationError, match="incompatible with nested dtypes"):
        ln.Feature(name="nested", dtype=list[ln.Record], cat_filters={"name": "a"})
    with pytest.raises(ln.errors.ValidationError, match="incompatible with union dtypes"):
        ln.Feature(name="union", dtype="cat[Record|bionty.CellType]", cat_filters={"name": "a"})
    with pytest.raises(ln.errors.ValidationError, match="has no attribute 'invalid_field' in filter source__invalid_field"):
        ln.Feature(name="bad", dtype=bt.Disease, cat_filters={"source__invalid_field": "x"})


def test_dtype_grammar_unions_filters_and_url(ln):
    import lineagedb.bio as bt
    from lineagedb.models._dtypes import check_value, dtype_info, parse_dtype

    assert parse_dtype("cat[Record|bionty.Gene]") == "cat[Record|bio.Gene]"
    assert parse_dtype([ln.Record, bt.Gene]) == "cat[Record|bio.Gene]"
    assert parse_dtype([bt.Tissue.ontology_id, bt.CellType.ontology_id]) == (
        "cat[bio.Tissue.ontology_id|bio.CellType.ontology_id]"
    )
    s = parse_dtype("cat[bionty.Gene.ensembl_gene_id[organism='human']]")
    assert s == "cat[bio.Gene[organism='human'].ensembl_gene_id]"
    info = dtype_info(s)
    assert info.field == "ensembl_gene_id" and info.filters == {"organism": "human"}
    assert len(dtype_info("cat[Record|bio.Gene]").alternatives) == 2
    assert parse_dtype("url") == "url"
    assert check_value("url", "https://lamin.ai") == "https://lamin.ai"
    with pytest.raises(ln.errors.ValidationError, match="URL"):
        check_value("url", "not a url")
    for bad in ("cat[1]", "x", "cat[Record[a]b]", "cat[bio.Gene[organism='h'].nofield]"):
        with pytest.raises(ln.errors.ValidationError, match="Valid dtypes"):
            parse_dtype(bad)


def test_feature_types_scope_names(ln, unique):
    lab_a = ln.Feature(name=f"LabA{unique}", is_type=True).save()
    lab_b = ln.Feature(name=f"LabB{unique}", is_type=True).save()
    assert lab_a.dtype is None
    a = ln.Feature(name=f"sample_{unique}", dtype=str, type=lab_a).save()
    b = ln.Feature(name=f"sample_{unique}", dtype=int, type=lab_b).save()
    assert a.pk != b.pk and set(lab_a.features.all()) == {a}
    with pytest.raises(ln.errors.ValidationError, match="You can only assign a feature with `is_type=True` as `type`"):
        ln.Feature(name=f"s2_{unique}", dtype=str, type=a)


def test_values_through_needs_a_saved_feature(ln, unique):
    src = ln.Feature(name=f"src_{unique}", dtype=ln.Record)
    with pytest.raises(AssertionError, match="requires a saved Feature object"):
        ln.Feature(name=f"tgt_{unique}", dtype=list[ln.Record], values_through=src)
    src.save()
    tgt = ln.Feature(name=f"tgt_{unique}", dtype=list[ln.Record], values_through=src).save()
    assert tgt.values_through == f"feature:{src.uid}"


def test_from_dataframe_and_from_dict(ln, unique):
    df = pd.DataFrame({f"i_{unique}": [1, 2], f"f_{unique}": [1.5, 2.0],
                       f"c_{unique}": pd.Categorical(["a", "b"]), f"s_{unique}": ["x", "y"]})
    feats = ln.Feature.from_dataframe(df)
    assert [f.dtype for f in feats] == ["int", "float", "cat", "str"]
    saved = feats.save()
    assert all(f.pk is not None for f in saved)
    with pytest.warns(DeprecationWarning, match="from_dataframe"):
        assert len(ln.Feature.from_df(df)) == 4
    d = ln.Feature.from_dict({f"a_{unique}": 1, f"b_{unique}": [1, 2], f"c_{unique}": {"k": 1}, f"d_{unique}": True})
    assert [f.dtype for f in d] == ["int", "list[int]", "dict", "bool"]
    with pytest.raises(ValueError, match="field must be a Feature FieldAttr"):
        ln.Feature.from_dict({"a": 1}, field=ln.Record.name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ln.Feature.from_dict({"a": 1}, field=ln.Feature.name)


def test_feature_objects_as_keys_update_and_remove(ln, unique):
    score = ln.Feature(name=f"score_{unique}", dtype=int).save()
    tag = ln.Feature(name=f"tag_{unique}", dtype=str).save()
    nums = ln.Feature(name=f"nums_{unique}", dtype=list[int]).save()
    artifact = ln.Artifact.from_dataframe(pd.DataFrame({"a": [1], "u": [unique]}), key=f"fk_{unique}.parquet").save()
    artifact.features.add_values({score: 7, tag.name: "a"})
    assert artifact.features.get_values() == {score.name: 7, tag.name: "a"}
    artifact.features.set_values({score: 8})
    assert artifact.features.get_values() == {score.name: 8}
    artifact.features.update_values({tag: "keep", nums: [3]})
    artifact.features.update_values({score: 2})
    assert artifact.features.get_values() == {score.name: 2, tag.name: "keep", nums.name: [3]}
    artifact.features.update_values({score: None, nums: []})
    assert artifact.features.get_values() == {tag.name: "keep"}
    artifact.features.remove_values({tag: None})
    assert artifact.features.get_values() == {}
    artifact.features.add_values({score: 1})
    assert artifact.features[score.name] == 1
    assert f"score_{unique}" in artifact.features.describe(return_str=True)


def test_union_dtype_values_and_typed_name_ambiguity(ln, unique):
    import lineagedb.bio as bt

    union = ln.Feature(name=f"union_{unique}", dtype=[ln.Record, bt.CellType]).save()
    rec = ln.Record(name=f"rec_{unique}").save()
    cell = bt.CellType(name=f"cell_{unique}").save()
    artifact = ln.Artifact.from_dataframe(pd.DataFrame({"a": [2], "u": [unique]}), key=f"un_{unique}.parquet").save()
    artifact.features.add_values({union: [rec.name, cell.name]})
    assert artifact.features.get_values()[union.name] == {rec.name, cell.name}
    artifact.features.remove_values({union: rec})
    assert artifact.features[union.name] == cell
    lab_a = ln.Feature(name=f"LA{unique}", is_type=True).save()
    lab_b = ln.Feature(name=f"LB{unique}", is_type=True).save()
    fa = ln.Feature(name=f"sample_{unique}", dtype=str, type=lab_a).save()
    ln.Feature(name=f"sample_{unique}", dtype=str, type=lab_b).save()
    with pytest.raises(ln.errors.ValidationError, match="Ambiguous match for Feature"):
        artifact.features.add_values({f"sample_{unique}": "x"})
    schema = ln.Schema([fa]).save()
    artifact.features.add_values({f"sample_{unique}": "x"}, schema=schema)
    assert artifact.features.get_values()[f"sample_{unique}"] == "x"


def test_unvalidated_terms_are_listed_together(ln, unique):
    kind = ln.Record(name=f"T{unique}", is_type=True).save()
    ln.Record(name=f"ok{unique}", type=kind).save()
    f = ln.Feature(name=f"labels_{unique}", dtype=list[kind]).save()
    artifact = ln.Artifact.from_dataframe(pd.DataFrame({"a": [3], "u": [unique]}), key=f"terms_{unique}.parquet").save()
    with pytest.raises(ln.errors.ValidationError, match=f"2 terms not validated in feature 'labels_{unique}': 'bad1', 'bad2'"):
        artifact.features.add_values({f: ["bad1", f"ok{unique}", "bad2"]})


def test_feature_predicates_and_ordering(ln, unique):
    import lineagedb.bio as bt

    score = ln.Feature(name=f"pscore_{unique}", dtype=int).save()
    cell = ln.Feature(name=f"pcell_{unique}", dtype=bt.CellType).save()
    t = bt.CellType(name=f"pc_{unique}").save()
    arts = [ln.Artifact.from_dataframe(pd.DataFrame({"a": [i], "u": [unique]}), key=f"pred_{unique}_{i}.parquet").save() for i in range(3)]
    arts[0].features.add_values({score: 5, cell: t})
    arts[1].features.add_values({score: 1})
    qs = ln.Artifact.filter(key__startswith=f"pred_{unique}_")
    assert list(qs.filter(score > 2)) == [arts[0]]
    assert list(qs.filter(score <= 1)) == [arts[1]]
    assert list(qs.filter(score != 5)) == [arts[1]]
    assert list(qs.filter(score == 5, key=arts[0].key)) == [arts[0]]
    assert list(qs.filter(cell == t)) == [arts[0]]
    assert set(qs.filter(score.is_null())) == {arts[2]}
    assert set(qs.filter(score.is_null(False))) == {arts[0], arts[1]}
    assert list(qs.order_by(score, "id")) == [arts[1], arts[0]]  # records without a value are left out
    assert list(qs.order_by(-score, "id")) == [arts[0], arts[1]]
    with pytest.raises(TypeError, match="cannot be used as booleans"):
        bool(score == 1)
    with pytest.raises(TypeError, match="order expressions cannot be used as booleans"):
        bool(-score)
    with pytest.raises(TypeError):
        score.is_null("false")
    assert score == score and score != cell and len({score, cell}) == 2

    assert (score == arts[0]) is False and (score != arts[0]) is True


def test_order_by_int_feature_beyond_float_precision(ln, unique):
    big = ln.Feature(name=f"pbig_{unique}", dtype=int).save()
    values = [2**63 - 1, 2**63 - 2, -(2**60) - 1, -(2**60)]  # neighbours a float cannot tell apart
    arts = [ln.Artifact.from_dataframe(pd.DataFrame({"a": [i], "u": [unique]}), key=f"big_{unique}_{i}.parquet").save() for i in range(4)]
    for art, value in zip(arts, values):
        art.features.add_values({big: value})
    qs = ln.Artifact.filter(key__startswith=f"big_{unique}_")
    assert list(qs.order_by(big, "id")) == [arts[2], arts[3], arts[1], arts[0]]
    assert list(qs.order_by(-big, "id")) == [arts[0], arts[1], arts[3], arts[2]]
    assert arts[0].features.get_values()[big.name] == 2**63 - 1


def test_delete_permanent_drops_unused_values_and_refuses_used_ones(ln, unique):
    f = ln.Feature(name=f"del_{unique}", dtype=int).save()
    artifact = ln.Artifact.from_dataframe(pd.DataFrame({"a": [4], "u": [unique]}), key=f"del_{unique}.parquet").save()
    artifact.features.add_values({f: 3})
    with pytest.raises(ln.errors.InvalidArgument, match=r"still has \d+ value"):
        f.delete(permanent=True)
    assert ln.Feature.filter(id=f.id).exists()
    artifact.delete(permanent=True)
    f.delete(permanent=True)  # its value row is no longer used: removed with it
    assert not ln.Feature.filter(id=f.id, branch__in=[-1, 1]).exists()


def test_type_names_with_spaces_and_other_typed_registries(ln, unique):
    kind = ln.Record(name=f"Type {unique}", is_type=True).save()
    assert ln.Feature(name=f"lt_{unique}", dtype=list[kind]).dtype == f"list[cat[Record[Type {unique}]]]"
    ulabel_type = ln.ULabel(name=f"UT{unique}", is_type=True).save()
    assert ln.Feature(name=f"ut_{unique}", dtype=ulabel_type).dtype == f"cat[ULabel[UT{unique}]]"


def test_json_value_get_or_create(ln, unique):
    f = ln.Feature(name=f"jv_{unique}", dtype=str).save()
    row, existed = ln.models.JsonValue.get_or_create(f, "kept")
    assert existed is False
    again, existed = ln.models.JsonValue.get_or_create(f, "kept")
    assert existed is True and again.pk == row.pk
    other, existed = ln.models.JsonValue.get_or_create(f, {"detail": 1})
    assert existed is False and other.pk != row.pk
    assert ln.models.JsonValue.filter(feature=f).count() == 2
    ln.models.JsonValue.filter(feature=f).delete(permanent=True)
    f.delete(permanent=True)


def test_non_string_categorical_value_is_an_unvalidated_term(ln, unique):
    kind = ln.Record(name=f"N{unique}", is_type=True).save()
    f = ln.Feature(name=f"num_cat_{unique}", dtype=kind).save()
    artifact = ln.Artifact.from_dataframe(pd.DataFrame({"a": [5], "u": [unique]}), key=f"nc_{unique}.parquet").save()
    with pytest.raises(ln.errors.ValidationError, match=f"not validated in feature 'num_cat_{unique}': 123"):
        artifact.features.add_values({f: 123})


def test_json_values_list_an_artifacts_and_a_runs_value_rows(ln, unique):
    temp = ln.Feature(name=f"jv_temp_{unique}", dtype=float).save()
    note = ln.Feature(name=f"jv_note_{unique}", dtype=str).save()
    artifact = ln.Artifact.from_dataframe(pd.DataFrame({"a": [1], "u": [unique]}), key=f"jv_{unique}.parquet").save()
    artifact.features.add_values({temp: 27.2, note: "n"})
    assert set(artifact.json_values.values_list("value", flat=True)) == {27.2, "n"}
    assert artifact.json_values.get(feature=temp).value == 27.2
    assert ln.Artifact.get(json_values__value=27.2, json_values__feature=temp) == artifact
    artifact.features.remove_values(note)
    assert not artifact.json_values.filter(feature=note).exists()
    run = ln.Run(ln.Transform(key=f"jv_{unique}").save()).save()
    run.features.add_values({temp: 1.5})
    assert [v.value for v in run.json_values.all()] == [1.5]


def test_values_through_setter_refuses_a_feature_with_values(ln, unique):
    target = ln.Feature(name=f"vt_target_{unique}", dtype=list[ln.Record]).save()
    source = ln.Feature(name=f"vt_source_{unique}", dtype=ln.Record).save()
    other = ln.Feature(name=f"vt_other_{unique}", dtype=list[ln.Record]).save()
    other.values_through = source  # no values yet: allowed, stored as the source's reference
    other.save()
    assert ln.Feature.get(id=other.id).values_through == f"feature:{source.uid}"
    a, b = ln.Record(name=f"vt_a_{unique}").save(), ln.Record(name=f"vt_b_{unique}").save()
    a.features.set_values({target.name: [b]})
    with pytest.raises(ln.errors.InvalidArgument, match="can only be set when no") as error:
        target.values_through = source
    assert f"feature: {target.name!r} (uid={target.uid})" in str(error.value)
    assert f"record={a.name!r} (uid={a.uid}) -> value={b.name!r} (uid={b.uid})" in str(error.value)
    assert target.values_through is None


def test_artifact_valued_feature_on_an_artifact(ln, unique):
    col = ln.Feature(name=f"av_col_{unique}", dtype=str).save()
    required = ln.Schema(name=f"av_schema_{unique}", features=[col]).save()
    feat = ln.Feature(name=f"av_input_{unique}", dtype=ln.Artifact, cat_filters={"schema": required}).save()
    df = pd.DataFrame({"a": [1], "u": [unique]})
    container = ln.Artifact.from_dataframe(df, key=f"av_{unique}/c.parquet").save()
    plain = ln.Artifact.from_dataframe(df.assign(b=1), key=f"av_{unique}/p.parquet").save()
    with pytest.raises(ln.errors.ValidationError, match=f"1 term not validated in feature 'av_input_{unique}'"):
        container.features.add_values({feat.name: plain.key})  # has not the required schema
    plain.schema = required
    plain.save()
    container.features.add_values({feat.name: plain.key})
    assert container.features[feat.name] == plain
    assert list(ln.Artifact.filter(**{feat.name: plain.key})) == [container]
    container.features.remove_values(feat.name)
    assert feat.name not in container.features.get_values()


def test_values_through_record_fields_and_dtypes(ln, unique):
    for kwargs, message in [
        ({"dtype": str, "values_through": "extra_data"}, "Unsupported feature field mapping 'extra_data'"),
        ({"dtype": str, "values_through": "run"}, "values_through='run'\\) requires a non-list categorical dtype"),
        ({"dtype": ln.User, "values_through": "run"}, "requires a categorical dtype pointing to Run"),
        ({"dtype": str, "values_through": "created_at"}, "requires feature dtype 'datetime'"),
        ({"dtype": int, "values_through": "name"}, "values_through='name'\\) requires feature dtype 'str'"),
    ]:
        with pytest.raises(ln.errors.ValidationError, match=message):
            ln.Feature(name=f"vtf_{unique}", **kwargs)
    note = ln.Feature(name=f"vt_note_{unique}", dtype=str, values_through="description").save()
    ran = ln.Feature(name=f"vt_run_{unique}", dtype=ln.Run, values_through="run").save()
    assert (note.values_through, ran.values_through) == ("description", "run")
    by_name = ln.Feature(name=f"vt_name_{unique}", dtype=str, values_through="name").save()
    index = ln.Feature(name=f"vt_index_{unique}", dtype=str).save()
    with pytest.raises(ln.errors.ValidationError, match="index feature is already stored on Record.name"):
        ln.Schema([index, by_name], index=index, name=f"vt_s1_{unique}")
    ln.Schema(features=[], index=by_name, name=f"vt_s2_{unique}").save()  # the index maps to name: fine
    with pytest.raises(ln.errors.ValidationError, match="cannot map to a record field other than 'name'"):
        ln.Schema(features=[], index=note, name=f"vt_s3_{unique}")
    other_note = ln.Feature(name=f"vt_note2_{unique}", dtype=str, values_through="description").save()
    with pytest.raises(ln.errors.ValidationError, match="Multiple features map to record field 'description'"):
        ln.Schema([note, other_note], name=f"vt_s4_{unique}")


def test_values_through_feature_relations_are_one_to_one_and_one_way(ln, unique):
    source = ln.Feature(name=f"vr_source_{unique}", dtype=ln.Record).save()
    target = ln.Feature(name=f"vr_target_{unique}", dtype=list[ln.Record]).save()
    other = ln.Feature(name=f"vr_other_{unique}", dtype=list[ln.Record]).save()
    with pytest.raises(AssertionError, match="cannot point to itself"):
        other.values_through = other
    assert source.related_feature is None
    target.values_through = source
    target.save()
    assert source.related_feature == target
    with pytest.raises(AssertionError, match="already related to another feature"):
        other.values_through = source
    with pytest.raises(AssertionError, match="already has a values_through relationship"):
        source.values_through = target


def test_bulk_save_returns_stored_features_of_the_same_name(ln, unique):
    df = pd.DataFrame({f"a_{unique}": [1, 2], f"b_{unique}": [0.5, 1.5]})
    first = ln.save(ln.Feature.from_dataframe(df))
    again = ln.Feature.from_dataframe(df)
    assert all(f._state.adding for f in again)
    ln.save(again)  # the names exist: the stored features stand in, nothing is inserted twice
    assert [f.pk for f in again] == [f.pk for f in first]
    assert ln.Feature.filter(name__in=list(df.columns)).count() == 2
    twice = [ln.Feature(name=f"c_{unique}", dtype=int), ln.Feature(name=f"c_{unique}", dtype=int)]
    ln.save(twice)
    assert twice[0].pk == twice[1].pk is not None
    clash = [ln.Feature(name=f"d_{unique}", dtype=int), ln.Feature(name=f"a_{unique}", dtype=str)]
    with pytest.raises(ln.errors.ValidationError, match=f"feature 'a_{unique}' exists with dtype 'int', not 'str'"):
        ln.save(clash)
    assert all(f._state.adding for f in clash) and not ln.Feature.filter(name=f"d_{unique}").exists()  # all or nothing
    with pytest.raises(ln.errors.ValidationError, match="exists with dtype 'int', not 'str'"):
        ln.save([ln.Feature(name=f"e_{unique}", dtype=int), ln.Feature(name=f"e_{unique}", dtype=str)])
