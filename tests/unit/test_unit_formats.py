"""lineagedb.formats: the suffix registry, and the loaders that need no database."""

from __future__ import annotations

import json

import pytest

from lineagedb import errors, formats


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".tsv", ".json", ".h5ad", ".zarr", ".yaml", ".png"])
def test_known_suffixes_have_a_loader(suffix):
    assert callable(formats.loader_for(suffix))


@pytest.mark.parametrize("suffix", ["", ".xyz", ".CSV"])
def test_unknown_suffixes_raise_saying_what_to_do(suffix):
    with pytest.raises(errors.UnknownSuffix, match=r"artifact\.cache\(\)") as info:
        formats.loader_for(suffix)
    assert (suffix or "suffix-less") in str(info.value)
    assert isinstance(info.value, NotImplementedError)


def test_streaming_is_offered_for_parquet_and_anndata_only():
    assert callable(formats.opener_for(".parquet"))
    assert callable(formats.opener_for(".h5ad"))
    with pytest.raises(errors.UnknownSuffix, match=r"\.parquet") as info:
        formats.opener_for(".json")
    assert "artifact.load()" in str(info.value)


def test_json_and_yaml_load_as_python_objects(tmp_path):
    data = {"a": 1, "b": [1, 2, {"c": None}]}
    (tmp_path / "x.json").write_text(json.dumps(data))
    (tmp_path / "x.yaml").write_text("a: 1\nb: [1, 2, {c: null}]\n")
    assert formats.loader_for(".json")(tmp_path / "x.json") == data
    assert formats.loader_for(".yaml")(tmp_path / "x.yaml") == data


def test_yaml_never_builds_python_objects(tmp_path):
    import yaml

    (tmp_path / "x.yml").write_text("!!python/object/apply:os.getcwd []\n")
    with pytest.raises(yaml.YAMLError):
        formats.loader_for(".yml")(tmp_path / "x.yml")


def test_images_load_as_their_path(tmp_path):
    path = tmp_path / "umap.png"
    path.write_bytes(b"\x89PNG")
    assert formats.loader_for(".png")(str(path)) == path


def test_csv_round_trips_through_its_loader(tmp_path):
    (tmp_path / "t.csv").write_text("a,b\n1,x\n2,y\n")
    (tmp_path / "t.tsv").write_text("a\tb\n1\tx\n")
    df = formats.loader_for(".csv")(tmp_path / "t.csv")
    assert list(df.columns) == ["a", "b"] and df["a"].tolist() == [1, 2]
    assert formats.loader_for(".tsv")(tmp_path / "t.tsv")["b"].tolist() == ["x"]


def test_parquet_keeps_index_and_attrs(tmp_path):
    import pandas as pd

    from lineagedb.formats._tables import write_parquet

    df = pd.DataFrame({"v": [1.5, 2.5]}, index=pd.Index(["r1", "r2"], name="row"))
    df.attrs["source"] = "unit"
    write_parquet(df, tmp_path / "t.parquet")
    back = formats.loader_for(".parquet")(tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(back, df)
    assert back.attrs == {"source": "unit"}


@pytest.mark.parametrize(("columns", "problem"), [([0, "b"], "must be strings"), (["a", "a"], "duplicate column")])
def test_columns_that_would_not_round_trip_are_refused(columns, problem):
    import pandas as pd

    from lineagedb.formats._tables import check_columns

    df = pd.DataFrame([[1, 2]], columns=columns)
    with pytest.raises(errors.InvalidArgument, match=problem):
        check_columns(df)
