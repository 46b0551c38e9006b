"""Typed feature values on artifacts and runs: validation, round trips, filters, DataFrames, describe()."""

from __future__ import annotations

import datetime as dt

import pytest
from annotation_helpers import make_artifact


@pytest.fixture
def feats(ln, unique):
    """Features with unique names; returns name -> feature name."""
    import lineagedb.bio as bt

    specs = {
        "temperature": float, "experiment": ln.Record, "date_of_study": dt.date, "donor": str, "count": int,
        "time_h": "num", "cell_type": bt.CellType, "assay": bt.ExperimentalFactor.ontology_id, "tags": list[str],
        "meta": dict, "flag": bool, "strict": str,
    }
    names = {}
    for key, dtype in specs.items():
        kwargs = {"coerce": True} if key == "time_h" else {}
        if key == "strict":
            kwargs["nullable"] = False
        names[key] = ln.Feature(name=f"{key}_{unique}", dtype=dtype, **kwargs).save().name
    return names


def test_add_and_get_values_round_trip(ln, unique, feats):
    import lineagedb.bio as bt

    exp = ln.Record(name=f"My experiment {unique}").save()
    ct = bt.CellType(name=f"T cell {unique}", ontology_id=f"CL:{unique}").save()
    ef = bt.ExperimentalFactor(name=f"assay {unique}", ontology_id=f"EFO:{unique}").save()
    artifact = make_artifact(ln)
    values = {
        feats["temperature"]: 21.6, feats["experiment"]: exp.name, feats["date_of_study"]: "2024-05-17",
        feats["donor"]: "D1", feats["count"]: 3, feats["time_h"]: "4", feats["cell_type"]: ct.name,
        feats["assay"]: ef.ontology_id, feats["tags"]: ["a", "b"], feats["meta"]: {"k": 1}, feats["flag"]: True,
    }
    artifact.features.add_values(values)
    got = artifact.features.get_values()
    expected = dict(values, **{feats["date_of_study"]: dt.date(2024, 5, 17), feats["time_h"]: 4})
    assert got == expected
    assert isinstance(got[feats["temperature"]], float) and isinstance(got[feats["date_of_study"]], dt.date)
    assert list(artifact.cell_types.all()) == [ct] and list(artifact.experimental_factors.all()) == [ef]
    assert list(artifact.records.all()) == [exp]


def test_validation_errors_name_feature_and_value(ln, unique, feats):
    artifact = make_artifact(ln)
    ln.Record(name=f"My experiment {unique}").save()
    with pytest.raises(ln.errors.ValidationError, match=f"{feats['temperature']}.*'hot'"):
        artifact.features.add_values({feats["temperature"]: "hot"})
    with pytest.raises(ln.errors.ValidationError, match=r"ln.Feature\(name='nosuch_"):
        artifact.features.add_values({f"nosuch_{unique}": 1})
    with pytest.raises(ln.errors.ValidationError, match=f"did you mean '{feats['temperature']}'"):
        artifact.features.add_values({feats["temperature"][:-1]: 1.0})
    with pytest.raises(ln.errors.ValidationError, match=f"did you mean 'My experiment {unique}'"):
        artifact.features.add_values({feats["experiment"]: f"My experimnt {unique}"})
    with pytest.raises(ln.errors.ValidationError, match="not nullable"):
        artifact.features.add_values({feats["strict"]: None})
    with pytest.raises(ln.errors.ValidationError, match="is not a CellType name"):
        artifact.features.add_values({feats["cell_type"]: "no such cell"})
    # nothing was written by the failed calls
    assert artifact.features.get_values() == {}
    with pytest.raises(ln.errors.InvalidArgument, match="save the"):
        from lineagedb.models import Artifact

        Artifact(storage=ln.settings.storage, key="x.csv").features.add_values({feats["donor"]: "x"})


def test_remove_and_set_values(ln, unique, feats):
    exp = ln.Record(name=f"exp {unique}").save()
    artifact = make_artifact(ln)
    artifact.features.add_values({feats["temperature"]: 20.0, feats["donor"]: "D1", feats["experiment"]: exp.name})
    artifact.features.add_values({feats["temperature"]: 22.0})
    assert artifact.features.get_values()[feats["temperature"]] == {20.0, 22.0}
    artifact.features.remove_values(feats["temperature"], value=20.0)
    assert artifact.features.get_values()[feats["temperature"]] == 22.0
    artifact.features.remove_values([feats["experiment"], feats["donor"]])
    assert artifact.features.get_values() == {feats["temperature"]: 22.0}
    assert list(artifact.records.all()) == []
    artifact.features.set_values({feats["donor"]: "D2"})
    assert artifact.features.get_values() == {feats["donor"]: "D2"}


def test_filter_by_features(ln, unique, feats):
    exp = ln.Record(name=f"Exp {unique}").save()
    a = make_artifact(ln)
    b = make_artifact(ln)
    a.features.add_values({feats["temperature"]: 21.6, feats["experiment"]: exp.name, feats["date_of_study"]: dt.date(2023, 1, 5),
                           feats["donor"]: "D1", feats["tags"]: ["x"]})
    b.features.add_values({feats["temperature"]: 18.0, feats["date_of_study"]: dt.date(2024, 6, 1)})
    t, e, d = feats["temperature"], feats["experiment"], feats["date_of_study"]
    assert list(ln.Artifact.filter(**{t: 21.6})) == [a]
    assert list(ln.Artifact.filter(**{f"{t}__gt": 20})) == [a]
    assert set(ln.Artifact.filter(**{f"{t}__gte": 18})) == {a, b}
    assert list(ln.Artifact.filter(**{e: exp.name})) == [a]
    assert list(ln.Artifact.filter(**{e: exp})) == [a]
    assert list(ln.Artifact.filter(**{f"{d}__lt": dt.date(2024, 1, 1)})) == [a]
    assert list(ln.Artifact.filter(**{f"{d}__lt": "2025-01-01", t: 18.0, "suffix": ".csv"})) == [b]
    assert list(ln.Artifact.filter(**{feats["donor"]: "D1", f"{t}__lt": 30}, key=a.key)) == [a]
    assert list(ln.Artifact.filter(**{feats["tags"]: ["x"]})) == [a]
    assert list(ln.Artifact.filter(**{f"{feats['donor']}__isnull": True}, id__in=[a.id, b.id])) == [b]
    assert ln.Artifact.filter(**{t: 99.0}).count() == 0
    with pytest.raises(ln.errors.InvalidArgument, match="no field or feature"):
        ln.Artifact.filter(**{f"nofeature_{unique}": 1})


def test_filter_by_a_long_text_value_compares_it_whole(ln, unique, feats):
    """Text values are found through an index on their first 200 characters; the rest must still decide."""
    donor = feats["donor"]
    head = f"{unique} " + "x" * 300
    a, b, c, d = (make_artifact(ln) for _ in range(4))
    a.features.add_values({donor: head + "A"})
    b.features.add_values({donor: head + "B"})
    c.features.add_values({donor: head})
    d.features.add_values({donor: head[:150]})
    assert list(ln.Artifact.filter(**{donor: head + "A"})) == [a]
    assert list(ln.Artifact.filter(**{donor: head})) == [c]
    assert list(ln.Artifact.filter(**{donor: head[:150]})) == [d]
    assert ln.Artifact.filter(**{donor: head + "C"}).count() == 0
    assert set(ln.Artifact.filter(**{f"{donor}__in": [head + "B", head[:150], head + "C"]})) == {b, d}
    assert set(ln.Artifact.filter(**{f"{donor}__startswith": head})) == {a, b, c}
    record = ln.Record(name=f"long {unique}").save()
    record.features.set_values({donor: head + "A"})
    assert list(ln.Record.filter(**{donor: head + "A"})) == [record]
    assert ln.Record.filter(**{donor: head}).count() == 0


def test_to_dataframe_features_bounded_queries(ln, unique, feats):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    exp = ln.Record(name=f"E {unique}").save()
    prefix = f"annotation_df_{unique}/"
    for i in range(12):
        art = make_artifact(ln, key=f"{prefix}{i}.csv")
        art.features.add_values({feats["temperature"]: float(i), feats["experiment"]: exp.name})

    def run(n):
        qs = ln.Artifact.filter(key__startswith=prefix).order_by("id")[:n]
        with CaptureQueriesContext(connection) as ctx:
            df = qs.to_dataframe(include="features")
        return df, len(ctx.captured_queries)

    df3, q3 = run(3)
    df12, q12 = run(12)
    assert q3 == q12 and q12 < 25
    assert list(df12[feats["temperature"]]) == [float(i) for i in range(12)]
    assert set(df12[feats["experiment"]]) == {exp.name}
    df = ln.Artifact.filter(key__startswith=prefix).to_dataframe(include="features")
    assert feats["temperature"] in df.columns
    only = ln.Artifact.filter(key__startswith=prefix).to_dataframe(features=[feats["temperature"]])
    assert feats["temperature"] in only.columns and feats["experiment"] not in only.columns
    with pytest.raises(ln.errors.InvalidArgument, match="no features"):
        ln.Transform.filter().to_dataframe(include="features")  # a registry without features


def test_describe_shows_features_and_labels(ln, unique, feats):
    import lineagedb.bio as bt

    exp = ln.Record(name=f"Described {unique}").save()
    ct = bt.CellType(name=f"described cell {unique}", ontology_id=f"CL:d{unique}").save()
    artifact = make_artifact(ln)
    artifact.cell_types.add(ct)
    artifact.features.add_values({feats["temperature"]: 21.6, feats["experiment"]: exp.name})
    text = artifact.describe(return_str=True)
    assert "Features" in text and "Labels" in text
    assert feats["temperature"] in text and "float" in text and "21.6" in text
    assert "cat[Record]" in text and exp.name in text
    assert ".cell_types" in text and ct.name in text and "bio.CellType" in text
    artifact.features.add_values({feats["cell_type"]: ct.name})
    assert "cat[bio.CellType]" in artifact.describe(return_str=True)


def test_runs_carry_feature_values(ln, unique, feats):
    from lineagedb.models import Run, Transform

    exp = ln.Record(name=f"run exp {unique}").save()
    transform = Transform(key=f"annotation_{unique}.py", kind="script").save()
    run = Run(transform=transform).save()
    run.features.add_values({feats["temperature"]: 30.5, feats["experiment"]: exp.name, feats["count"]: 7})
    assert run.features.get_values() == {feats["temperature"]: 30.5, feats["experiment"]: exp.name, feats["count"]: 7}
    assert list(ln.Run.filter(**{f"{feats['count']}__gte": 7})) == [run]
    assert list(ln.Run.filter(**{feats["experiment"]: exp.name})) == [run]
    with pytest.raises(ln.errors.ValidationError, match="is not a Record name"):
        run.features.add_values({feats["experiment"]: f"missing {unique}"})
    assert "30.5" in run.describe(return_str=True)


def test_features_on_an_instance_without_bio(make_instance):
    import lineagedb as ln

    make_instance(modules="")
    artifact = make_artifact(ln)
    ln.Feature(name="temperature", dtype=float).save()
    ln.Feature(name="experiment", dtype=ln.Record).save()
    ln.Record(name="E1").save()
    artifact.features.add_values({"temperature": 1.5, "experiment": "E1"})
    artifact.features.set_values({"temperature": 2.5, "experiment": "E1"})
    assert artifact.features.get_values() == {"temperature": 2.5, "experiment": "E1"}
    assert "experiment" in artifact.describe(return_str=True)
    assert list(ln.Artifact.to_dataframe(include="features")["temperature"]) == [2.5]
    assert list(ln.Artifact.filter(experiment="E1")) == [artifact]


def test_to_dataframe_feature_named_like_a_field_hides_nothing(ln, unique):
    scope = ln.Feature(name=f"Scope_{unique}", is_type=True).save()  # names are unique within a type
    id_feature = ln.Feature(name="id", dtype=int, type=scope).save()
    uid_feature = ln.Feature(name="uid", dtype=str, type=scope).save()
    artifact = make_artifact(ln, f"annotation/{unique}-fieldnames.csv")
    artifact.features.add_values({id_feature: 1, uid_feature: "feature-uid"})
    df = ln.Artifact.filter(uid=artifact.uid).to_dataframe(include=["key", "description"], features=True)
    assert df.index.name == "__lamindb_artifact_id__" and df.index.tolist() == [artifact.id]
    assert df["__lamindb_artifact_uid__"].tolist() == [artifact.uid] and "key" in df.columns
    assert df["id"].tolist() == [1] and df["uid"].tolist() == ["feature-uid"]
    # compact with include=/features=: uid and the name field, the features, then what include asked for
    assert list(df.columns) == ["__lamindb_artifact_uid__", "key", "id", "uid", "description"]
    full = ln.Artifact.filter(uid=artifact.uid).to_dataframe()
    assert {"uid", "key", "size", "hash", "description"} <= set(full.columns)  # without them: every field


def test_order_by_a_feature_with_several_values_sorts_each_record_once(ln, unique):
    temperature = ln.Feature(name=f"order_t_{unique}", dtype=int).save()
    multi, single, missing = (make_artifact(ln, f"annotation/{unique}-order-{i}.csv") for i in range(3))
    multi.features.add_values({temperature: 20})
    multi.features.add_values({temperature: 25})
    single.features.add_values({temperature: 22})
    subset = ln.Artifact.filter(id__in=[multi.id, single.id, missing.id])
    assert list(subset.order_by(temperature)) == [multi, single]  # by the smallest value; no value: left out
    assert list(subset.order_by(-temperature)) == [multi, single]  # by the largest value
    assert list(subset.filter(temperature > 21).order_by(-temperature, "id")) == [multi, single]
