"""The first load of a cellxgene-ontology-guide source (parse, normalize, parquet cache) is fast and exact."""

from __future__ import annotations

import json

import numpy as np
import pytest


def _cl_spec():
    from lineagedb.bio._sources import default_sources

    return default_sources("CellType")[0]


def test_cold_load_builds_the_normalized_table_and_its_parquet_cache(monkeypatch, tmp_path):
    from lineagedb.bio import _tables

    spec = _cl_spec()
    monkeypatch.setenv("LINEAGEDB_BIO_CACHE", str(tmp_path))
    key = (spec.path, spec.version, spec.organism)
    monkeypatch.delitem(_tables._MEMO, key, raising=False)
    table = _tables.load_table(spec)  # its speed: benchmarks/
    assert list(table.columns) == _tables.COLUMNS
    assert all(dtype == np.dtype(object) for dtype in table.dtypes)
    assert table["ontology_id"].is_unique and table["name"].notna().all()
    t_cell = table.set_index("ontology_id").loc["CL:0000084"]
    assert t_cell["name"] == "T cell"
    assert "CL:0000542" in t_cell["parents"].split("|")  # lymphocyte: a direct parent (distance 1)
    known = set(table["ontology_id"])
    for joined in table["parents"].dropna():
        assert set(joined.split("|")) <= known  # only parents that are themselves in the table
    for name, joined in zip(table["name"], table["synonyms"]):
        if joined is not None:
            synonyms = joined.split("|")
            assert name not in synonyms and len(synonyms) == len(set(synonyms)) and "" not in synonyms
    cached = list(tmp_path.glob("*.parquet"))
    assert len(cached) == 1
    monkeypatch.delitem(_tables._MEMO, key)
    again = _tables.load_table(spec)  # from the parquet cache this time
    assert again.equals(table)


def test_fast_parser_and_stdlib_parser_give_the_same_table():
    import zstandard

    from lineagedb.bio import _tables

    pytest.importorskip("orjson")
    with open(_cl_spec().path, "rb") as handle:
        raw = zstandard.ZstdDecompressor().stream_reader(handle).read()
    fast = _tables.cxg_to_frame(_tables.read_cxg_json(_cl_spec().path))
    slow = _tables.cxg_to_frame(json.loads(raw))
    assert fast.equals(slow) and len(fast) > 3000


def test_deprecated_and_unlabelled_terms_are_dropped_and_synonyms_deduplicated():
    from lineagedb.bio import _tables

    terms = {
        "X:1": {"label": "root", "synonyms": ["root", "base", "base", ""], "ancestors": {}, "deprecated": False},
        "X:2": {"label": "leaf", "description": "d", "ancestors": {"X:1": 1, "X:9": 1, "X:0": 2}},
        "X:3": {"label": "old", "deprecated": True, "ancestors": {"X:1": 1}},
        "X:4": {"label": "", "ancestors": {}},
    }
    table = _tables.cxg_to_frame(terms)
    assert table.to_dict("records") == [
        {"ontology_id": "X:1", "name": "root", "synonyms": "base", "description": None, "parents": None},
        {"ontology_id": "X:2", "name": "leaf", "synonyms": None, "description": "d", "parents": "X:1"},
    ]
