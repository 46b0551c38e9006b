"""Sheets saved as artifacts: record_type.to_artifact(), Record querysets' to_artifact(), run.input_records."""

from __future__ import annotations

import pytest


def test_record_type_to_artifact_links_records_as_run_inputs(ln, unique):
    score = ln.Feature(name=f"export_score_{unique}", dtype=float).save()
    sheet = ln.Record(name=f"ExportSheet_{unique}", is_type=True).save()
    a = ln.Record(name=f"a_{unique}", type=sheet, features={score: 1.5}).save()
    b = ln.Record(name=f"b_{unique}", type=sheet, features={score: 2.5}).save()
    assert a.input_of_runs.count() == 0

    artifact = sheet.to_artifact()
    assert artifact.key == f"record_exports/ExportSheet_{unique}.csv"
    assert artifact.description == f"Export of ExportSheet_{unique}"
    assert set(artifact.run.input_records.to_list("id")) == {sheet.id, a.id, b.id}
    assert a.input_of_runs.get() == artifact.run
    assert artifact.run.transform.key == "__lamindb_record_export__" and artifact.run.status == "completed"
    assert artifact.run.started_at is not None and artifact.run.finished_at is not None
    assert artifact.run.initiated_by_run is None  # nothing tracked
    df = artifact.load()
    assert sorted(df["__lamindb_record_name__"]) == [f"a_{unique}", f"b_{unique}"]
    assert sorted(df[score.name]) == [1.5, 2.5]
    ln.Record(name=f"c_{unique}", type=sheet).save()  # new content: a new artifact (same content: the same one)
    again = sheet.to_artifact(key=f"record_exports/{unique}-types-only.csv", link_individual_inputs=False)
    assert list(again.run.input_records.all()) == [sheet] and again.run != artifact.run
    assert again.run.transform == artifact.run.transform
    df = artifact.load()


def test_record_queryset_to_artifact_exports_a_subset(ln, unique):
    sheet = ln.Record(name=f"SubsetSheet_{unique}", is_type=True).save()
    kept = ln.Record(name=f"kept_{unique}", type=sheet).save()
    ln.Record(name=f"other_{unique}", type=sheet).save()

    artifact = ln.Record.filter(id=kept.id).to_artifact()
    assert artifact.key == f"record_exports/SubsetSheet_{unique}_subset.csv"
    assert artifact.description == f"Export of SubsetSheet_{unique} subset"
    assert set(artifact.run.input_records.to_list("id")) == {sheet.id, kept.id}
    assert artifact.load()["__lamindb_record_name__"].tolist() == [f"kept_{unique}"]


def test_to_artifact_refuses_mixed_types_and_plain_records(ln, unique):
    one = ln.Record(name=f"One_{unique}", is_type=True).save()
    two = ln.Record(name=f"Two_{unique}", is_type=True).save()
    x = ln.Record(name=f"x_{unique}", type=one).save()
    y = ln.Record(name=f"y_{unique}", type=two).save()
    with pytest.raises(ln.errors.InvalidArgument, match="one record type"):
        ln.Record.filter(id__in=[x.id, y.id]).to_artifact()
    with pytest.raises(ln.errors.InvalidArgument, match="record type"):
        x.to_artifact()


def test_record_queryset_of_one_type_exports_its_sheet_rows(ln, unique):
    score = ln.Feature(name=f"qs_score_{unique}", dtype=int).save()
    sheet = ln.Record(name=f"QsSheet_{unique}", is_type=True).save()
    rows = [ln.Record(name=f"r{i}_{unique}", type=sheet, features={score: i}).save() for i in range(3)]
    df = ln.Record.filter(type=sheet).order_by("-id").to_dataframe(include="features")
    assert df.index.name == "__lamindb_record_id__"
    assert df.index.tolist() == [r.id for r in reversed(rows)]
    assert df[score.name].tolist() == [2, 1, 0]
    assert df["__lamindb_record_name__"].tolist() == [r.name for r in reversed(rows)]
    subset = ln.Record.filter(type=sheet, name=rows[1].name).to_dataframe(features=[score.name])
    assert list(subset.columns[:1]) == [score.name] and len(subset) == 1
    other = ln.Record(name=f"OtherSheet_{unique}", is_type=True).save()
    stray = ln.Record(name=f"stray_{unique}", type=other).save()
    mixed = ln.Record.filter(id__in=[rows[0].id, stray.id]).to_dataframe()
    assert "name" in mixed.columns and "__lamindb_record_name__" not in mixed.columns


def test_sheet_columns_take_the_feature_dtypes(ln, unique):
    flag = ln.Feature(name=f"flag_{unique}", dtype=bool).save()
    count = ln.Feature(name=f"count_{unique}", dtype=int).save()
    total = ln.Feature(name=f"total_{unique}", dtype=int).save()
    ratio = ln.Feature(name=f"ratio_{unique}", dtype=float).save()
    schema = ln.Schema([flag, count, total, ratio], name=f"typed_{unique}", minimal_set=False).save()
    sheet = ln.Record(name=f"Typed_{unique}", is_type=True, schema=schema).save()
    ln.Record(name=f"a_{unique}", type=sheet, features={flag: True, count: 1, total: 5, ratio: 3.0}).save()
    ln.Record(name=f"b_{unique}", type=sheet, features={total: 6, ratio: 1.0}).save()
    df = sheet.to_dataframe()
    assert df[flag.name].dtype.name == "boolean" and df[count.name].dtype.name == "Int64"
    assert df[total.name].dtype.name == "int64" and df[ratio.name].dtype.name == "float64"
    assert df[count.name].isna().tolist() == [False, True]


def test_an_export_inside_a_tracked_run_is_initiated_by_it(ln, unique):
    from lineagedb.core.context import local_run

    sheet = ln.Record(name=f"TrackedSheet_{unique}", is_type=True).save()
    ln.Record(name=f"t_{unique}", type=sheet).save()
    tracked = ln.Run(ln.Transform(key=f"initiator-{unique}", kind="function").save()).save()
    with local_run(tracked):
        artifact = sheet.to_artifact()
    assert artifact.run.initiated_by_run == tracked and artifact.run != tracked
    assert tracked.input_records.count() == 0
