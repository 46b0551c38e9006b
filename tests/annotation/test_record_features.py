"""record.features: values on records, to-one rules, update_values, list values, constructor features."""

from __future__ import annotations

import pytest


def test_record_feature_values_rules(ln, unique):
    score = ln.Feature(name=f"score_{unique}", dtype=int).save()
    tag = ln.Feature(name=f"tag_{unique}", dtype=str).save()
    numbers = ln.Feature(name=f"numbers_{unique}", dtype=list[int]).save()
    record = ln.Record(name=f"rf_{unique}").save()
    record.features.set_values({score: 7, tag.name: "a"})
    record.features.add_values({score: None})
    assert record.features.get_values() == {score.name: 7, tag.name: "a"}
    with pytest.raises(ln.errors.ValidationError, match="Cannot use add_values\\(\\) for to-one features"):
        record.features.add_values({score: 9})
    record.features.add_values({numbers: [5]})  # list features can be added to
    record.features.update_values({score: 2, numbers: [3, 1]})
    assert record.features.get_values() == {score.name: 2, tag.name: "a", numbers.name: [3, 1]}
    record.features.update_values({score: None, numbers: []})
    assert record.features.get_values() == {tag.name: "a"}
    assert record.features[score.name] == {} and record.features[tag] == "a"
    with pytest.raises(ln.errors.ValidationError, match="Feature with name nope_"):
        record.features[f"nope_{unique}"]
    record.features.remove_values({tag: None})
    assert record.features.get_values() == {}
    with pytest.raises(ln.errors.ValidationError):
        record.features.set_values({numbers: ["wrong"]})


def test_record_valued_features_check_the_type(ln, unique):
    expected = ln.Record(name=f"Expected_{unique}", is_type=True).save()
    other = ln.Record(name=f"Other_{unique}", is_type=True).save()
    good = ln.Record(name=f"good_{unique}", type=expected).save()
    bad = ln.Record(name=f"bad_{unique}", type=other).save()
    feature = ln.Feature(name=f"refs_{unique}", dtype=list[expected]).save()
    record = ln.Record(name=f"host_{unique}").save()
    record.features.set_values({feature: [good]})
    with pytest.raises(ln.errors.ValidationError, match=f"Expected a record of type 'Expected_{unique}'"):
        record.features.set_values({feature: [good, bad]})
    assert record.features.get_values() == {feature.name: [good.name]}


def test_constructor_features_and_sheet_kinds(ln, unique):
    score = ln.Feature(name=f"ctor_{unique}", dtype=float).save()
    page = ln.Record(name=f"Page_{unique}", is_type=True).save()
    data = ln.Record(name=f"row_{unique}", type=page, features={score: 1.5}).save()
    assert data.features.get_values() == {score.name: 1.5}
    assert page.is_page and not page.is_frame and data.is_data
    with pytest.warns(DeprecationWarning, match="is_frame"):
        assert page.is_sheet is False
    assert list(ln.Record.filter(**{score.name: 1.5})) == [data]
    with pytest.raises(ln.errors.ValidationError):
        ln.Record(name=f"row2_{unique}", features={score: "x"}).save()
    assert not ln.Record.filter(name=f"row2_{unique}").exists()  # nothing half-saved


def test_deleting_a_feature_removes_its_unused_values(ln, unique):
    feature = ln.Feature(name=f"del_{unique}", dtype=int).save()
    keep = ln.Record(name=f"keep_{unique}").save()
    gone = ln.Record(name=f"gone_{unique}").save()
    keep.features.set_values({feature: 1})
    gone.features.set_values({feature: 2})
    gone.delete(permanent=True)
    with pytest.raises(ln.errors.InvalidArgument, match="still has 1 value"):
        feature.delete(permanent=True)
    keep.features.remove_values(feature)
    feature.delete(permanent=True)
    assert not ln.Feature.filter(name=f"del_{unique}", branch_id=None).exists()


def test_typed_records_bring_the_required_features_of_their_schema(ln, unique):
    need = ln.Feature(name=f"need_{unique}", dtype=int).save()
    maybe = ln.Feature(name=f"maybe_{unique}", dtype=str).save()
    schema = ln.Schema([need, maybe.with_config(optional=True)], name=f"req_{unique}").save()
    sheet = ln.Record(name=f"Sheet_{unique}", is_type=True, schema=schema).save()
    with pytest.raises(ln.errors.ValidationError, match=f"missing required features.*need_{unique}"):
        ln.Record(name=f"row0_{unique}", type=sheet)
    with pytest.raises(ln.errors.ValidationError, match=f"need_{unique}"):
        ln.Record(name=f"row1_{unique}", type=sheet, features={maybe: "x"})
    row = ln.Record(name=f"row2_{unique}", type=sheet, features={need: 1}).save()
    with pytest.raises(ln.errors.ValidationError, match="COLUMN_NOT_IN_DATAFRAME"):
        row.features.set_values({maybe: "y"})
    assert row.features.get_values() == {need.name: 1}
    free = ln.Record(name=f"free_{unique}").save()  # an explicit schema checks an untyped record too
    with pytest.raises(ln.errors.ValidationError, match="COLUMN_NOT_IN_DATAFRAME"):
        free.features.set_values({}, schema=schema)
    free.features.set_values({need: 2}, schema=schema)
    assert free.features.get_values() == {need.name: 2}


def test_records_from_dataframe_in_bulk(ln, unique):
    import pandas as pd
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    score = ln.Feature(name=f"score_{unique}", dtype=float).save()
    kind_type = ln.Record(name=f"Kind_{unique}", is_type=True).save()
    alpha = ln.Record(name=f"alpha_{unique}", type=kind_type).save()
    kind = ln.Feature(name=f"kind_{unique}", dtype=kind_type).save()
    sample_id = ln.Feature(name=f"sample_id_{unique}", dtype=str).save()
    schema = ln.Schema([score, kind], index=sample_id, name=f"import_{unique}").save()
    sheet = ln.Record(name=f"Imports_{unique}", is_type=True, schema=schema).save()
    with pytest.raises(ValueError, match="is_type=True"):
        ln.Record.from_dataframe(pd.DataFrame({"__lamindb_record_name__": ["x"]}), type=alpha)

    def frame(n: int, prefix: str) -> pd.DataFrame:
        index = pd.Index([f"{prefix}{i}_{unique}" for i in range(n)], name=sample_id.name)
        return pd.DataFrame({score.name: [float(i) if i else None for i in range(n)], kind.name: [alpha.name] * n}, index=index)

    counts = []
    for n, prefix in ((5, "a"), (50, "b")):
        with CaptureQueriesContext(connection) as queries:
            records = ln.Record.from_dataframe(frame(n, prefix), type=sheet).save()
        counts.append(len(queries.captured_queries))
        assert len(records) == n
    assert counts[1] <= counts[0]  # the number of queries does not grow with the rows
    a1 = ln.Record.get(name=f"a1_{unique}")  # the index feature is the record's name
    assert a1.features.get_values() == {sample_id.name: a1.name, score.name: 1.0, kind.name: alpha.name}
    assert ln.Record.get(name=f"a0_{unique}").features.get_values() == {sample_id.name: f"a0_{unique}", kind.name: alpha.name}
    df = sheet.to_dataframe()  # the sheet: indexed by the index feature, one column per feature
    assert df.index.name == sample_id.name and list(df.columns) == [score.name, kind.name]
    assert len(df) == 55 and df.loc[f"a1_{unique}", score.name] == 1.0 and df.loc[f"b3_{unique}", kind.name] == alpha.name
    assert list(sheet.to_dataframe(features=[kind]).columns) == [kind.name]
    a1.features.set_values({sample_id.name: f"renamed_{unique}", score.name: 3.0, kind.name: alpha.name})
    assert ln.Record.get(id=a1.id).name == f"renamed_{unique}"
    row = ln.Record(type=sheet, features={sample_id: f"new_{unique}", score: 2.0, kind: alpha}).save()
    assert row.name == f"new_{unique}" and row.features[score.name] == 2.0
    bad = frame(2, "c").assign(**{kind.name: ["nope", alpha.name]})
    with pytest.raises(ln.errors.ValidationError, match=f"not validated in feature 'kind_{unique}'"):
        ln.Record.from_dataframe(bad, type=sheet)
    with pytest.raises(ln.errors.ValidationError, match=f"missing required features.*kind_{unique}"):
        ln.Record.from_dataframe(frame(2, "d").drop(columns=[kind.name]), type=sheet)


def test_moving_a_record_into_a_frame_checks_its_features(ln, unique):
    need = ln.Feature(name=f"need_{unique}", dtype=float).save()
    schema = ln.Schema([need], name=f"move_{unique}").save()
    frame = ln.Record(name=f"Frame_{unique}", is_type=True, schema=schema).save()
    page = ln.Record(name=f"Page_{unique}", is_type=True).save()
    sample = ln.Record(name=f"sample_{unique}").save()
    with pytest.raises(ln.errors.ValidationError, match=f"missing required features.*need_{unique}"):
        sample.type = frame
    assert sample.type is None
    sample.type = page  # a type without a schema takes any record
    sample.features.set_values({need: 0.5})
    sample.type = frame
    sample.save()
    assert ln.Record.get(id=sample.id).type == frame


def test_sheet_columns_are_features_then_uid_and_name(ln, unique):
    user_feature = ln.Feature(name=f"owner_{unique}", dtype=ln.User).save()
    schema = ln.Schema([user_feature], name=f"owners_{unique}").save()
    sheet = ln.Record(name=f"Owners_{unique}", is_type=True, schema=schema).save()
    me = ln.User.get(id=1)
    ln.Record(name=f"row_{unique}", type=sheet, features={user_feature: me}).save()
    df = sheet.to_dataframe()
    assert df.index.name == "__lamindb_record_id__"
    assert df.columns.to_list() == [user_feature.name, "__lamindb_record_uid__", "__lamindb_record_name__"]
    assert df.iloc[0][user_feature.name] == me.handle


def test_bulk_save_stores_constructor_features_or_nothing(ln, unique):
    score = ln.Feature(name=f"score_{unique}", dtype=float).save()
    kind = ln.Record(name=f"kind_{unique}", is_type=True).save()
    ln.Record(name=f"b_{unique}", type=kind).save()
    cell = ln.Feature(name=f"cell_{unique}", dtype=kind).save()
    schema_a = ln.Schema([score], name=f"sa_{unique}").save()
    schema_b = ln.Schema([cell], name=f"sb_{unique}").save()
    type_a = ln.Record(name=f"ta_{unique}", is_type=True, schema=schema_a).save()
    type_b = ln.Record(name=f"tb_{unique}", is_type=True, schema=schema_b).save()
    records = [  # rows of two sheets with different schemas, and an untyped record, in one call
        ln.Record(name=f"r1_{unique}", type=type_a, features={score.name: 0.5}),
        ln.Record(name=f"r2_{unique}", type=type_b, features={cell.name: f"b_{unique}"}),
        ln.Record(name=f"r3_{unique}", features={score: 2.0}),
    ]
    ln.save(records)
    assert ln.Record.get(name=f"r1_{unique}").features.get_values() == {score.name: 0.5}
    assert ln.Record.get(name=f"r2_{unique}").features.get_values() == {cell.name: f"b_{unique}"}
    assert ln.Record.get(name=f"r3_{unique}").features.get_values() == {score.name: 2.0}
    bad = [ln.Record(name=f"ok_{unique}", features={score: 1.0}),
           ln.Record(name=f"bad_{unique}", features={score: "not a number"})]
    with pytest.raises(ln.errors.ValidationError, match="not a number"):
        ln.save(bad)
    assert not ln.Record.filter(name__in=[f"ok_{unique}", f"bad_{unique}"]).exists()  # nothing half-saved
