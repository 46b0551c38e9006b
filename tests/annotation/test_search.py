"""Ranked search and lookup on every registry, backed by the database's text indexes."""

from __future__ import annotations

import pytest
from annotation_helpers import make_artifact


@pytest.fixture
def records(ln, unique):
    kind = ln.Record(name=f"SearchKind{unique}", is_type=True).save()
    names = [f"zx{unique} experiment", f"zx{unique}", f"zx{unique} experiment 2", f"the zx{unique} run", f"prezx{unique}post",
             "an unrelated label"]
    return kind, [ln.Record(name=n, type=kind).save() for n in names]


def test_ranking_exact_prefix_word_substring_fuzzy(ln, unique, records):
    kind, recs = records
    names = [r.name for r in ln.Record.filter(type=kind).search(f"zx{unique}")]
    assert names == [f"zx{unique}", f"zx{unique} experiment", f"zx{unique} experiment 2", f"the zx{unique} run",
                     f"prezx{unique}post"]
    # case-insensitive exact match first
    assert ln.Record.filter(type=kind).search(f"ZX{unique} EXPERIMENT")[0].name == f"zx{unique} experiment"
    # typo-tolerant
    typo = ln.Record.filter(type=kind).search(f"zx{unique} experimnet")
    assert f"zx{unique} experiment" in [r.name for r in typo]
    assert ln.Record.filter(type=kind).search("qqqqqqqq").count() == 0


def test_search_chains_and_keeps_order(ln, unique, records):
    kind, _ = records
    result = ln.Record.search(f"zx{unique}").filter(name__contains="experiment")
    assert [r.name for r in result] == [f"zx{unique} experiment", f"zx{unique} experiment 2"]
    df = ln.Record.filter(type=kind).search(f"zx{unique}", limit=2).to_dataframe()
    assert list(df["name"]) == [f"zx{unique}", f"zx{unique} experiment"]
    assert ln.Record.filter(type=kind).search(f"zx{unique}", field="description").count() == 0
    with pytest.raises(ln.errors.InvalidArgument):
        ln.Record.search("")
    with pytest.raises(ln.errors.InvalidArgument, match="no field"):
        ln.Record.search("x", field="nofield")


def test_index_follows_updates_and_deletes(ln, unique):
    import uuid

    other = uuid.uuid4().hex[:8]
    r = ln.Record(name=f"before{unique}").save()
    assert [x.id for x in ln.Record.search(f"before{unique}")] == [r.id]
    r.name = f"after{other}"
    r.save()
    assert [x.id for x in ln.Record.search(f"after{other}")] == [r.id]
    assert ln.Record.search(f"before{unique}").count() == 0
    r.delete()
    assert ln.Record.search(f"after{other}").count() == 0


def test_bio_synonyms_abbr_and_ids(ln, unique):
    import lineagedb.bio as bt

    teff = bt.CellType(name=f"effector T cell {unique}", ontology_id=f"CL:9{unique}",
                       synonyms=f"effector T-lymphocyte {unique}|Teff{unique}", abbr=f"TE{unique}").save()
    tcell = bt.CellType(name=f"T cell {unique}", ontology_id=f"CL:8{unique}", synonyms=f"T lymphocyte {unique}").save()
    assert bt.CellType.search(f"T cell {unique}")[0] == tcell
    assert bt.CellType.search(f"Teff{unique}")[0] == teff
    assert bt.CellType.search(f"te{unique}")[0] == teff
    assert bt.CellType.search(f"CL:9{unique}")[0] == teff
    assert bt.CellType.search(f"T lymphocyte {unique}")[0] == tcell
    assert teff in list(bt.CellType.search(f"efector T cel {unique}"))


def test_transform_and_artifact_search(ln, unique):
    from lineagedb.models import Transform

    t = Transform(key=f"tutorial_{unique}.py", description="a tutorial", kind="script").save()
    assert t in list(ln.Transform.search(f"tutorial_{unique[:4]}"))
    a = make_artifact(ln, key=f"iris_{unique}.csv", description=f"the iris flowers {unique}")
    assert list(ln.Artifact.search(f"iris_{unique}")) == [a]
    assert list(ln.Artifact.search(f"flowers {unique}")) == [a]
    assert ln.Artifact.filter(suffix=".jpg").search(f"iris_{unique}").count() == 0


def test_lookup(ln, unique):
    r = ln.Record(name=f"My lookup {unique}!").save()
    records = ln.Record.lookup()
    ident = f"my_lookup_{unique}"
    assert getattr(records, ident) == r
    assert records[f"My lookup {unique}!"] == r
    assert ident in dir(records)
    with pytest.raises(AttributeError, match="did you mean"):
        getattr(records, ident + "x")
    import lineagedb.bio as bt

    ct = bt.CellType(name=f"3' lookup cell {unique}", ontology_id=f"CL:l{unique}").save()
    assert getattr(bt.CellType.lookup(), f"_3_lookup_cell_{unique}") == ct
    assert bt.CellType.lookup(field="ontology_id")[f"CL:l{unique}"] == ct


def test_bulk_save_records(ln, unique):
    recs = [ln.Record(name=f"bulk {unique} {i}") for i in range(500)]
    ln.save(recs)
    assert all(not r._state.adding and r.id for r in recs)
    assert ln.Record.filter(name__startswith=f"bulk {unique} ").count() == 500
    assert ln.Record.get(id=recs[7].id).name == f"bulk {unique} 7"
    assert recs[3].created_by is not None and recs[3].created_at is not None
    again = [ln.Record(name=f"bulk {unique} 3"), ln.Record(name=f"bulk {unique} new")]
    ln.save(again)
    assert again[0].id == recs[3].id
    assert ln.Record.filter(name__startswith=f"bulk {unique} ").count() == 501
    assert ln.Record.search(f"bulk {unique} 42")[0] == recs[42]


def test_search_index_rebuilt_when_its_triggers_are_gone(ln, unique):
    from django.db import connection

    from lineagedb.models import _search

    if connection.vendor != "sqlite":
        pytest.skip("the FTS5 index exists on SQLite only")
    ln.Record.search("warm up")
    with connection.cursor() as cur:  # what a table rebuild by a migration does to the triggers
        for trig in ("ai", "ad", "au"):
            cur.execute(f'DROP TRIGGER "ldb_fts_lineagedb_record_{trig}"')
    r = ln.Record(name=f"stale{unique}").save()
    _search._READY.clear()  # a new session
    assert [x.id for x in ln.Record.search(f"tale{unique}")] == [r.id]  # a substring: only the index finds it
    r2 = ln.Record(name=f"fresh{unique}").save()
    # first: r2 by substring; r ("stale<unique>") may follow as a typo match, as it shares most trigrams
    assert [x.id for x in ln.Record.search(f"resh{unique}")][0] == r2.id


def test_every_registry_searches_and_looks_up(ln):
    from django.apps import apps

    from lineagedb.models._base import BaseRecord

    models = [m for m in apps.get_models() if issubclass(m, BaseRecord)]
    assert len(models) > 15
    for model in models:
        assert model.search("zzz-no-such-value").count() == 0, model
        model.lookup()


def test_typo_ranking_over_many_similar_names(ln, unique):
    """A typo query over 2,000 near-identical names still ranks the intended record first, then the
    closest others; trigrams shared by thousands of names ("000", the common prefix) must not crowd it out."""
    words, cells = ["alpha", "beta", "gamma", "delta", "kappa"], ["tcell", "bcell", "neuron", "monocyte"]
    names = [f"{unique} {words[i % 5]} {cells[(i // 5) % 4]} {i:05d}" for i in range(2000)]
    ln.save([ln.Record(name=n) for n in names])
    target = f"{unique} alpha monocyte 01015"
    assert target in names

    def share(query: str, text: str) -> float:
        def grams(s: str) -> set[str]:
            s = f" {s.lower()} "
            return {s[i:i + 3] for i in range(len(s) - 2)}
        return len(grams(query) & grams(text)) / len(grams(query))

    for typo in [f"{unique} alpah monocyte 01015", f"{unique} alpha monocyt 01015", f"{unique} alpha monocyte 01016x"]:
        found = [r.name for r in ln.Record.search(typo, limit=10)]
        assert found[0] == target, (typo, found)
        scores = [share(typo, n) for n in found]
        assert scores == sorted(scores, reverse=True), (typo, list(zip(found, scores)))
    # the exact match first, and the page filled with the closest neighbours (ranked by shared trigrams)
    found = [r.name for r in ln.Record.search(target, limit=5)]
    assert found[0] == target and len(found) == 5
    assert all(share(target, n) >= 0.7 for n in found[1:]), found


def test_swapped_letters_typo_is_found_on_every_backend(ln, make_instance):
    """ "gamma nueron" (two letters swapped) must find "gamma neuron" on SQLite and on PostgreSQL, whose
    pg_trgm word-similarity default cut-off (0.6) alone would drop it. A fresh instance: no other names."""
    make_instance(modules="")
    target = ln.Record(name="gamma neuron").save()
    ln.Record(name="alpha tcell").save()
    found = list(ln.Record.search("gamma nueron", limit=5))
    assert found and found[0] == target, found


def test_broad_queries_keep_exact_and_prefix_matches_first(ln, unique):
    """Candidates of a broad query are capped (300 per kind of match): exact and prefix hits still come first,
    and a filtered search still sees its rows beyond the cap."""
    word = f"broad{unique}"
    ln.save([ln.Record(name=f"a {word} item {i:04d}") for i in range(400)])
    kind = ln.Record(name=f"BroadKind{unique}", is_type=True).save()
    late = ln.Record(name=f"zz {word} late", type=kind).save()
    exact = ln.Record(name=word.upper()).save()
    prefix = ln.Record(name=f"{word} first").save()
    found = [r.name for r in ln.Record.search(word, limit=5)]
    assert found[:2] == [exact.name, prefix.name] and len(found) == 5
    assert [r.name for r in ln.Record.filter(type=kind).search(word)] == [late.name]


def test_a_typo_is_found_among_many_similar_names(ln, unique):
    """The typo stage counts each query trigram only up to a bound: trigrams shared by thousands of names
    (here: by all 1,600 of them) must not hide the one record the query means."""
    ln.save([ln.Record(name=f"cell line {unique} sample {i:04d}") for i in range(1600)])
    target = ln.Record(name=f"cell line {unique} reference").save()
    found = [r.name for r in ln.Record.search(f"cell lnie {unique} refrence", limit=5)]
    assert found[0] == target.name
