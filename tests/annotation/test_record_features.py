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
    a0 = ln.Record.get(name=f"a0_{unique}").features.get_values()  # an empty cell of a required feature: None
    assert a0 == {sample_id.name: f"a0_{unique}", kind.name: alpha.name, score.name: None}
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


def test_required_features_without_value_read_as_none(ln, unique):
    kind = ln.Record(name=f"Kinds_{unique}", is_type=True).save()
    k1 = ln.Record(name=f"k1_{unique}", type=kind).save()
    nullable = ln.Feature(name=f"nullable_{unique}", dtype=kind).save()
    strict = ln.Feature(name=f"strict_{unique}", dtype=kind, nullable=False).save()
    note = ln.Feature(name=f"note_{unique}", dtype=str).save()
    sheet = ln.Record(name=f"NullSheet_{unique}", is_type=True,
                      schema=ln.Schema([nullable, note.with_config(optional=True)], name=f"ns_{unique}").save()).save()
    strict_sheet = ln.Record(name=f"StrictSheet_{unique}", is_type=True,
                             schema=ln.Schema([strict], name=f"ss_{unique}").save()).save()
    row = ln.Record(name=f"row_{unique}", type=sheet, features={nullable: None}).save()
    assert ln.Record.get(row.uid).features.get_values() == {nullable.name: None}  # the optional note is left out
    copy = ln.Record(name=f"copy_{unique}", type=sheet, features=row.features.get_values()).save()
    assert copy.features.get_values() == {nullable.name: None}
    with pytest.raises(ln.errors.ValidationError, match="missing required features"):
        ln.Record(name=f"none_{unique}", type=strict_sheet, features={strict: None})

    strict_row = ln.Record(name=f"strict_row_{unique}", type=strict_sheet, features={strict: k1}).save()
    strict_row.features.remove_values(strict)
    loaded = ln.Record.get(strict_row.uid)
    assert loaded.features.get_values() == {strict.name: None}
    loaded.type = strict_sheet  # the type it has: nothing to check again
    with pytest.raises(ln.errors.ValidationError, match=strict.name):
        loaded.type = ln.Record(name=f"Other_{unique}", is_type=True, schema=strict_sheet.schema).save()
    assert loaded.type == strict_sheet


def test_features_kept_in_record_fields(ln, unique):
    note = ln.Feature(name=f"note_{unique}", dtype=str, values_through="description").save()
    url = ln.Feature(name=f"url_{unique}", dtype=str, values_through="reference").save()
    score = ln.Feature(name=f"fscore_{unique}", dtype=float).save()
    sheet = ln.Record(name=f"Notes_{unique}", is_type=True,
                      schema=ln.Schema([note, url.with_config(optional=True), score.with_config(optional=True)],
                                       name=f"notes_{unique}").save()).save()
    with pytest.raises(ln.errors.ValidationError, match=note.name):
        ln.Record(name=f"bare_{unique}", type=sheet)  # the required note is the description: missing
    noted = ln.Record(name=f"noted_{unique}", description="has a note", type=sheet).save()
    assert noted.features.get_values() == {note.name: "has a note"}
    assert noted.features.get_values(external_only=True) == {}
    by_feature = ln.Record(name=f"byf_{unique}", type=sheet, features={note: "given", score: 1.0}).save()
    assert ln.Record.get(by_feature.uid).description == "given"
    by_feature.features.set_values({note.name: "changed", url.name: "https://x.example", score: 2.0})
    by_feature.features.update_values({score: 3.0})
    again = ln.Record.get(by_feature.uid)
    assert (again.description, again.reference) == ("changed", "https://x.example")
    assert again.features.get_values() == {note.name: "changed", url.name: "https://x.example", score.name: 3.0}
    with pytest.raises(ln.errors.ValidationError):
        by_feature.features.set_values({note: 42})
    df = sheet.to_dataframe()
    assert df.set_index("__lamindb_record_name__").loc[f"byf_{unique}", url.name] == "https://x.example"
    assert sorted(df[note.name]) == ["changed", "has a note"]
    untyped = ln.Record(name=f"later_{unique}", description="a note").save()
    untyped.type = sheet  # its description is the required note
    untyped.save()


def test_a_schema_with_two_features_of_one_name_cannot_type_records(ln, unique):
    scope_a = ln.Feature(name=f"ScopeA_{unique}", is_type=True).save()
    scope_b = ln.Feature(name=f"ScopeB_{unique}", is_type=True).save()
    conc_a = ln.Feature(name=f"conc_{unique}", dtype=float, type=scope_a).save()
    conc_b = ln.Feature(name=f"conc_{unique}", dtype=int, type=scope_b).save()
    sheet = ln.Record(name=f"Clash_{unique}", is_type=True,
                      schema=ln.Schema([conc_a, conc_b], name=f"clash_{unique}").save()).save()
    with pytest.raises(ln.errors.ValidationError, match="share a name"):
        ln.Record(name=f"pending_{unique}", type=sheet, features={conc_a: 1.5})
    saved = ln.Record(name=f"saved_{unique}", features={conc_a: 1.5}).save()
    with pytest.raises(ln.errors.ValidationError, match="share a name"):
        saved.type = sheet


def test_related_feature_reads_the_records_pointing_here(ln, unique):
    author = ln.Feature(name=f"author_{unique}", dtype=ln.Record).save()
    books = ln.Feature(name=f"books_{unique}", dtype=list[ln.Record], values_through=author).save()
    author_id = ln.Feature(name=f"author_id_{unique}", dtype=str).save()
    authors = ln.Record(name=f"Authors_{unique}", is_type=True, schema=ln.Schema(
        [books.with_config(optional=True)], index=author_id, name=f"authors_{unique}").save()).save()
    book_sheet = ln.Record(name=f"Books_{unique}", is_type=True,
                           schema=ln.Schema([author], name=f"books_{unique}").save()).save()
    a = ln.Record(name=f"A_{unique}", type=authors).save()
    b = ln.Record(name=f"B_{unique}", type=authors).save()
    for i, who in enumerate([a, a, b]):
        ln.Record(name=f"book{i}_{unique}", type=book_sheet, features={author: who}).save()
    assert set(a.features[books.name]) == {f"book0_{unique}", f"book1_{unique}"}
    assert a.features.get_values(external_only=True) == {author_id.name: a.name}
    df = authors.to_dataframe()
    assert df.index.name == author_id.name
    assert df.loc[b.name, books.name] == [f"book2_{unique}"]


def test_getitem_gives_records_of_categorical_features(ln, unique):
    kinds = ln.Record(name=f"K_{unique}", is_type=True).save()
    k1, k2 = (ln.Record(name=f"k{i}_{unique}", type=kinds).save() for i in (1, 2))
    one = ln.Feature(name=f"one_{unique}", dtype=kinds).save()
    many = ln.Feature(name=f"many_{unique}", dtype=list[kinds]).save()
    record = ln.Record(name=f"host_{unique}", features={one: k1, many: [k1, k2]}).save()
    assert record.features[one] == k1 and record.features.get_values()[one.name] == k1.name
    assert {r.uid for r in record.features[many.name]} == {k1.uid, k2.uid}


def test_from_dataframe_with_a_type_name_creates_an_import_type(ln, unique):
    import pandas as pd

    score = ln.Feature(name=f"imp_score_{unique}", dtype=float).save()
    df = pd.DataFrame({"__lamindb_record_name__": [f"ia_{unique}", f"ib_{unique}"], score.name: [11.0, None]})
    records = ln.Record.from_dataframe(df, type=f"Imported_{unique}")
    created = ln.Record.get(name=f"Imported_{unique}", is_type=True)
    assert records.type == created and created.type.name == "Imports" and created.is_frame
    assert created.schema.type.name == "Imports" and list(created.schema.features.all()) == [score]
    records.save()
    assert ln.Record.get(name=f"ia_{unique}").features.get_values() == {score.name: 11.0}
    assert ln.Record.get(name=f"ib_{unique}").features.get_values() == {}
    with pytest.raises(ln.errors.InvalidArgument, match="already exists"):
        ln.Record.from_dataframe(df, type=f"Imported_{unique}")


def test_list_values_of_records_keep_the_order_given(ln, unique):
    import pandas as pd

    kind = ln.Record(name=f"Kind_{unique}", is_type=True).save()
    other = ln.Record(name=f"Other_{unique}", is_type=True).save()
    b, a, c = (ln.Record(name=f"{n}_{unique}", type=kind).save() for n in ("b", "a", "c"))
    ln.Record(name=a.name, type=other).save()  # the same name under another type: never linked
    kinds = ln.Feature(name=f"kinds_{unique}", dtype=list[kind]).save()
    schema = ln.Schema([kinds], name=f"order_{unique}").save()
    sheet = ln.Record(name=f"Sheet_{unique}", is_type=True, schema=schema).save()
    record = ln.Record(name=f"host_{unique}").save()
    record.features.set_values({kinds: [c, a.name, b]})  # records and names mixed
    assert record.features.get_values() == {kinds.name: [c.name, a.name, b.name]}
    assert record.features[kinds] == [c, a, b]
    record.features.add_values({kinds: [a]})  # already there: keeps its place
    record.features.update_values({kinds: [b.name, c.name]})
    assert record.features.get_values()[kinds.name] == [b.name, c.name]
    assert "b_" in record.describe(return_str=True).split(f"kinds_{unique}")[1].split(f"c_{unique}")[0]
    df = pd.DataFrame({"__lamindb_record_name__": [f"r1_{unique}", f"r2_{unique}"],
                       kinds.name: [[a.name, c.name], [c.name, b.name, a.name]]})
    ln.Record.from_dataframe(df, type=sheet).save()
    assert ln.Record.get(name=f"r2_{unique}").features.get_values() == {kinds.name: [c.name, b.name, a.name]}
    ln.Record(name=f"r3_{unique}", type=sheet, features={kinds: [b]}).save()
    expected = [[a.name, c.name], [c.name, b.name, a.name], [b.name]]  # one value is a list too
    assert sheet.to_dataframe()[kinds.name].tolist() == expected
    frame = ln.Record.filter(type=sheet).order_by("id").to_dataframe(include="features")
    assert frame[kinds.name].tolist() == expected
