"""The dtype grammar: Python types, registries, registry fields and strings -> canonical strings."""

from __future__ import annotations

import datetime as dt
import re

import pytest


def test_parse_python_types_and_strings(ln):
    from lineagedb.models._dtypes import parse_dtype

    assert parse_dtype(float) == "float"
    assert parse_dtype(str) == "str"
    assert parse_dtype(int) == "int"
    assert parse_dtype(bool) == "bool"
    assert parse_dtype(dict) == "dict"
    assert parse_dtype(dt.date) == "date"
    assert parse_dtype(dt.datetime) == "datetime"
    assert parse_dtype(list[str]) == "list[str]"
    assert parse_dtype("num") == "num"
    assert parse_dtype("list[int]") == "list[int]"
    assert parse_dtype("path") == "path"


def test_parse_registries_and_fields(ln):
    import lineagedb.bio as bt
    from lineagedb.models._dtypes import dtype_info, parse_dtype

    assert parse_dtype(ln.Record) == "cat[Record]"
    assert parse_dtype(bt.CellType) == "cat[bio.CellType]"
    assert parse_dtype(bt.ExperimentalFactor.ontology_id) == "cat[bio.ExperimentalFactor.ontology_id]"
    assert parse_dtype("cat[bt.CellType]") == "cat[bio.CellType]"
    assert parse_dtype("cat[bionty.CellType.ontology_id]") == "cat[bio.CellType.ontology_id]"
    info = dtype_info("cat[bio.ExperimentalFactor.ontology_id]")
    assert info.kind == "cat" and info.model is bt.ExperimentalFactor and info.field == "ontology_id"
    info = dtype_info("cat[Record[Experiment]]")
    assert (info.model, info.field, info.type_name) == (ln.Record, "name", "Experiment")
    assert dtype_info("list[cat[Record]]").kind == "list[cat]"
    assert dtype_info("float")[:4] == ("float", None, None, None)


def test_record_type_as_dtype(ln, unique):
    from lineagedb.models._dtypes import parse_dtype

    kind = ln.Record(name=f"Kind{unique}", is_type=True).save()
    assert parse_dtype(kind) == f"cat[Record[Kind{unique}]]"
    plain = ln.Record(name=f"plain{unique}").save()
    with pytest.raises(ln.errors.ValidationError, match="is_type"):
        parse_dtype(plain)


@pytest.mark.parametrize("bad", ["flot", "cat[Nope]", "cat[bio.CellType.nofield]", "cat[bio.CellType[X]]", "list[list[int]]", list, object])
def test_invalid_dtypes_are_refused_with_valid_forms(ln, bad, unique):
    with pytest.raises(ln.errors.ValidationError, match="Valid dtypes: str, int, float"):
        ln.Feature(name=f"bad_{unique}", dtype=bad)


def test_feature_requires_name_and_dtype(ln, unique):
    with pytest.raises(ln.errors.ValidationError, match="pass a dtype"):  # LaminDB's class for it
        ln.Feature(name=f"nodtype_{unique}")
    with pytest.raises(ln.errors.InvalidArgument, match="needs a name"):
        ln.Feature(dtype=float)


def test_feature_stores_canonical_dtype_and_reuses_existing(ln, unique):
    import lineagedb.bio as bt

    f = ln.Feature(name=f"ct_{unique}", dtype=bt.CellType).save()
    assert ln.Feature.get(name=f"ct_{unique}").dtype == "cat[bio.CellType]"
    again = ln.Feature(name=f"ct_{unique}", dtype="cat[bt.CellType]").save()
    assert again.id == f.id
    with pytest.raises(ln.errors.ValidationError, match="exists with dtype"):
        ln.Feature(name=f"ct_{unique}", dtype=float).save()


def test_check_value(ln):
    from lineagedb.models._dtypes import check_value

    assert check_value("float", 3) == 3.0 and isinstance(check_value("float", 3), float)
    assert check_value("num", 3) == 3 and isinstance(check_value("num", 3), int)
    assert check_value("num", "2.5", coerce=True) == 2.5
    assert check_value("int", "4", coerce=True) == 4
    assert check_value("date", "2024-05-17") == dt.date(2024, 5, 17)
    assert check_value("datetime", "2024-05-17T10:00:00") == dt.datetime(2024, 5, 17, 10)
    assert check_value("list[int]", [1, 2]) == [1, 2]
    assert check_value("bool", True) is True
    assert check_value("path", "a/b.csv") == "a/b.csv"
    assert check_value("str", None) is None
    for dtype, value in [("float", "x"), ("int", 2.5), ("int", True), ("bool", 1), ("str", 3), ("date", "17.05.2024"),
                         ("list[int]", 3), ("dict", [1])]:
        with pytest.raises(ln.errors.ValidationError, match=re.escape(f"feature 'f' expects dtype '{dtype}'")):
            check_value(dtype, value, feature="f")


def test_utc_datetime_dtype_is_kept(ln, unique):
    from datetime import datetime

    from lineagedb.models._dtypes import dtype_info, parse_dtype

    assert parse_dtype("datetime64[ns, UTC]") == parse_dtype("datetime64[ns,UTC]") == "datetime64[ns, UTC]"
    assert parse_dtype("datetime64[ns]") == "datetime" and dtype_info("datetime64[ns, UTC]").kind == "datetime"
    feature = ln.Feature(name=f"stamp_{unique}", dtype="datetime64[ns, UTC]").save()
    assert ln.Feature.get(name=f"stamp_{unique}").dtype == "datetime64[ns, UTC]"
    run = ln.Run(ln.Transform(key=f"utc-{unique}").save()).save()
    stamp = datetime(2024, 1, 1, 12, tzinfo=dt.UTC)
    run.features.add_values({feature: stamp})
    assert run.features.get_values() == {f"stamp_{unique}": stamp}
    assert ln.Run.filter(**{f"stamp_{unique}": stamp}).one() == run
