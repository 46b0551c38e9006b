"""polars DataFrames and LazyFrames are validated natively: dtypes, coercion, nulls, labels, saving."""

from __future__ import annotations

from datetime import UTC, date

import pytest

pl = pytest.importorskip("polars")


def _schema(ln, u, *specs, **kwargs):
    features = [ln.Feature(name=f"{name}_{u}", dtype=dtype, **options).save() for name, dtype, options in specs]
    return ln.Schema(features=features, **kwargs).save()


@pytest.fixture(params=[False, True], ids=["eager", "lazy"])
def as_frame(request):
    return (lambda df: df.lazy()) if request.param else (lambda df: df)


def test_valid_frame_keeps_its_type_and_dtypes(ln, unique, as_frame):
    u = unique
    schema = _schema(ln, u, ("n", int, {}), ("x", float, {}), ("s", str, {}), ("tags", list[str], {}),
                     ("day", date, {}), maximal_set=True)
    df = pl.DataFrame({f"n_{u}": pl.Series([1, 2], dtype=pl.Int16), f"x_{u}": pl.Series([1.5, 2.0], dtype=pl.Float32),
                       f"s_{u}": ["a", "b"], f"tags_{u}": [["a"], []], f"day_{u}": [date(2024, 1, 1)] * 2})
    curator = ln.curators.DataFrameCurator(as_frame(df), schema)
    assert repr(curator) == f"DataFrameCurator(Schema: {schema.uid}, unvalidated)"
    curator.validate()
    assert repr(curator).endswith("validated)") and type(curator.dataset) is type(as_frame(df))
    assert curator.dataset.collect_schema()[f"n_{u}"] == pl.Int16  # any int width is an int


@pytest.mark.parametrize("dtype,values", [(int, ["a"]), (float, [1]), (str, [1]), (bool, [1]), (list[int], [["a"]])])
def test_wrong_dtype_fails_naming_the_column(ln, unique, as_frame, dtype, values):
    schema = _schema(ln, unique, ("bad", dtype, {}))
    with pytest.raises(ln.errors.ValidationError, match=f"column 'bad_{unique}': dtype: expected"):
        ln.curators.DataFrameCurator(as_frame(pl.DataFrame({f"bad_{unique}": values})), schema).validate()


@pytest.mark.parametrize("on", ["feature", "schema"])
def test_coercion_is_lossless_and_opt_in(ln, unique, as_frame, on):
    u = unique
    schema = _schema(ln, u, ("c", int, {"coerce": on == "feature"}), coerce=on == "schema")
    curator = ln.curators.DataFrameCurator(as_frame(pl.DataFrame({f"c_{u}": ["1", " 2"]})), schema)
    curator.validate()
    assert curator.dataset.collect_schema()[f"c_{u}"] == pl.Int64
    assert isinstance(curator.dataset, type(as_frame(pl.DataFrame())))
    for bad in (["1.5"], ["one"]):
        with pytest.raises(ln.errors.ValidationError, match="cannot be converted"):
            ln.curators.DataFrameCurator(as_frame(pl.DataFrame({f"c_{u}": bad})), schema).validate()
    plain = _schema(ln, u, ("p", int, {}))
    assert plain.coerce is None and ln.Feature.get(name=f"p_{u}").coerce is None  # unset, as LaminDB reports it
    with pytest.raises(ln.errors.ValidationError, match="coerce=True"):
        ln.curators.DataFrameCurator(as_frame(pl.DataFrame({f"p_{u}": ["1"]})), plain).validate()


def test_nulls_and_missing_columns(ln, unique, as_frame):
    u = unique
    schema = _schema(ln, u, ("req", str, {"nullable": False}), ("opt", int, {"nullable": True}))
    with pytest.raises(ln.errors.ValidationError, match="1 null value"):
        ln.curators.DataFrameCurator(as_frame(pl.DataFrame({f"req_{u}": ["a", None], f"opt_{u}": [1, 2]})),
                                     schema).validate()
    with pytest.raises(ln.errors.ValidationError, match="missing required column"):
        ln.curators.DataFrameCurator(as_frame(pl.DataFrame({f"req_{u}": ["a"]})), schema).validate()


def test_standardize_fills_defaults_and_adds_nullable_columns(ln, unique, as_frame):
    u = unique
    schema = _schema(ln, u, ("d", str, {"default_value": "filled"}), ("m", int, {"nullable": True}))
    curator = ln.curators.DataFrameCurator(as_frame(pl.DataFrame({f"d_{u}": ["a", None]})), schema)
    curator.standardize()
    out = curator.dataset.lazy().collect()
    assert out[f"d_{u}"].to_list() == ["a", "filled"] and out[f"m_{u}"].to_list() == [None, None]
    assert out.schema[f"m_{u}"] == pl.Int64
    curator.validate()
    required = _schema(ln, u, ("r", int, {"nullable": False}))
    with pytest.raises(ln.errors.ValidationError, match=f"r_{u}"):
        ln.curators.DataFrameCurator(as_frame(pl.DataFrame({"other": [1]})), required).standardize()


def test_labels_new_values_and_synonyms(ln, unique, as_frame):
    import lineagedb.bio as bt

    u = unique
    ln.Record(name=f"known_{u}").save()
    schema = _schema(ln, u, ("lab", ln.Record, {}))
    df = pl.DataFrame({f"lab_{u}": pl.Series([f"known_{u}", f"new_{u}"], dtype=pl.Categorical)})
    curator = ln.curators.DataFrameCurator(as_frame(df), schema)
    with pytest.raises(ln.errors.ValidationError, match=f"new_{u}"):
        curator.validate()
    assert curator.cat.non_validated == {f"lab_{u}": [f"new_{u}"]}
    curator.cat.add_new_from(f"lab_{u}")
    curator.validate()

    bt.CellType(name=f"canonical {u}", synonyms=f"synonym {u}").save()
    cells = _schema(ln, u, ("cells", list[bt.CellType], {}))
    enum = pl.Enum([f"synonym {u}"])
    frame = pl.DataFrame({f"cells_{u}": pl.Series([[f"synonym {u}"]], dtype=pl.List(enum))})
    curator = ln.curators.DataFrameCurator(as_frame(frame), cells)
    with pytest.raises(ln.errors.ValidationError, match="standardize"):
        curator.validate()
    curator.cat.standardize(f"cells_{u}")
    assert curator.dataset.lazy().collect()[f"cells_{u}"].to_list() == [[f"canonical {u}"]]
    assert list(curator.dataset.collect_schema()[f"cells_{u}"].inner.categories) == [f"synonym {u}", f"canonical {u}"]
    curator.validate()


def test_what_polars_frames_cannot_carry(ln, unique, as_frame):
    u = unique
    index = ln.Feature(name=f"idx_{u}", dtype=str).save()
    df = as_frame(pl.DataFrame({"a": [1]}))
    with pytest.raises(ln.errors.InvalidArgument, match="do not have an index"):
        ln.curators.DataFrameCurator(df, ln.Schema(itype=ln.Feature, index=index).save())
    with pytest.raises(ln.errors.InvalidArgument, match="flexible schema"):
        ln.curators.DataFrameCurator(df, ln.Schema(itype=ln.Feature).save())
    with pytest.raises(ln.errors.InvalidArgument, match="must be a Schema"):
        ln.curators.DataFrameCurator(df, "not a schema")


def test_lazy_frame_is_not_executed_to_build_a_curator(ln, unique, tmp_path, monkeypatch):
    u = unique
    schema = _schema(ln, u, ("scan", int, {}))
    path = tmp_path / "lazy.parquet"
    pl.DataFrame({f"scan_{u}": [1, 2]}).write_parquet(path)
    lazy = pl.scan_parquet(path)
    with monkeypatch.context() as m:
        m.setattr(pl.LazyFrame, "collect", lambda *a, **k: pytest.fail("collected"))
        curator = ln.curators.DataFrameCurator(lazy, schema)
    curator.validate()
    assert isinstance(curator.dataset, pl.LazyFrame) and "Parquet SCAN" in curator.dataset.explain()


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_saved_artifacts_store_coerced_values(ln, unique, as_frame, suffix):
    u = unique
    schema = _schema(ln, u, ("v", int, {"coerce": True}))
    curator = ln.curators.DataFrameCurator(as_frame(pl.DataFrame({f"v_{u}": ["1", "2"]})), schema)
    artifact = curator.save_artifact(key=f"polars_{u}/{suffix[1:]}{suffix}")
    assert artifact.suffix == suffix and artifact.n_observations == 2 and artifact.schema == schema
    loaded = artifact.load()
    assert loaded[f"v_{u}"].tolist() == [1, 2]
    with pytest.raises(ln.errors.ValidationError):
        ln.Artifact.from_dataframe(as_frame(pl.DataFrame({f"v_{u}": ["x"]})), key=f"polars_{u}/bad.parquet",
                                   schema=schema)


def test_from_dataframe_path_validates_the_file(ln, unique, tmp_path):
    u = unique
    schema = _schema(ln, u, ("f", int, {"coerce": True}))
    good = tmp_path / "good.parquet"
    pl.DataFrame({f"f_{u}": [1, 2]}).write_parquet(good)
    artifact = ln.Artifact.from_dataframe(str(good), key=f"polars_{u}/good.parquet", schema=schema).save()
    assert artifact.schema == schema and artifact.n_observations == 2
    as_str = tmp_path / "as_str.parquet"
    pl.DataFrame({f"f_{u}": ["3", "4"]}).write_parquet(as_str)
    stored = ln.Artifact.from_dataframe(str(as_str), key=f"polars_{u}/coerced.parquet", schema=schema).save()
    assert stored.load()[f"f_{u}"].tolist() == [3, 4]
    bad = tmp_path / "bad.csv"
    pl.DataFrame({f"f_{u}": ["x"]}).write_csv(bad)
    with pytest.raises(ln.errors.ValidationError):
        ln.Artifact.from_dataframe(str(bad), key=f"polars_{u}/bad.csv", schema=schema)


def test_external_features_are_annotated(ln, unique):
    u = unique
    external = ln.Schema(features=[ln.Feature(name=f"ext_{u}", dtype=str).save()]).save()
    columns = _schema(ln, u, ("col", int, {}))
    schema = ln.Schema(slots={"columns": columns, "__external__": external}, otype="DataFrame").save()
    curator = ln.curators.DataFrameCurator(pl.DataFrame({f"col_{u}": [1]}), schema, features={f"ext_{u}": "value"})
    artifact = curator.save_artifact(key=f"polars_{u}/external.parquet")
    assert artifact.features.get_values()[f"ext_{u}"] == "value"


def test_open_with_polars_is_a_context_manager(ln, unique):
    import polars as pl

    artifact = ln.Artifact.from_dataframe(pl.DataFrame({f"cm_{unique}": [1, 2]}), key=f"polars/cm_{unique}.parquet").save()
    with artifact.open(engine="polars") as lazy:
        assert lazy.filter(pl.col(f"cm_{unique}") > 1).collect()[f"cm_{unique}"].to_list() == [2]
        assert isinstance(lazy, pl.LazyFrame)
    assert artifact.open(engine="polars").collect().height == 2  # usable without `with` too


def test_standardize_adds_a_utc_datetime_column(ln, unique, as_frame):
    from datetime import datetime

    u = unique
    schema = _schema(ln, u, ("when", "datetime64[ns, UTC]", {"nullable": True}),
                     ("naive", datetime, {"nullable": True}))
    curator = ln.curators.DataFrameCurator(as_frame(pl.DataFrame({"other": [1]})), schema)
    curator.standardize()
    out = curator.dataset.lazy().collect()
    assert out.schema[f"when_{u}"] == pl.Datetime(time_unit="ns", time_zone="UTC")
    assert out.schema[f"naive_{u}"] == pl.Datetime() and out[f"when_{u}"].to_list() == [None]
    curator.validate()
    stamp = datetime(2024, 1, 1, 12, tzinfo=UTC)
    frame = pl.DataFrame({f"when_{u}": [stamp], f"naive_{u}": [stamp.replace(tzinfo=None)]})
    ln.curators.DataFrameCurator(as_frame(frame), schema).validate()
