"""Search that knows annotations, facets that narrow, ontology pages with terms in use first (in-process app)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from test_server_pages import call


@pytest.fixture(scope="module")
def annotated(_session_home, _shared_instance, tmp_path_factory):
    """A fresh instance: 3 NK-cell artifacts (one in a collection), a T-cell one, a donor feature, ancestors."""
    import pandas as pd

    import lineagedb as ln
    import lineagedb.bio as bt
    from lineagedb.core.instance import connect

    _session_home.create(name="searchable")
    try:
        folder = tmp_path_factory.mktemp("search_files")
        nk = bt.CellType(name="natural killer cell", ontology_id="CL:0000623", synonyms="NK cell|NKcell").save(parents=False)
        lymph = bt.CellType(name="lymphocyte", ontology_id="CL:0000542").save(parents=False)
        leukocyte = bt.CellType(name="leukocyte", ontology_id="CL:0000738").save(parents=False)
        t_cell = bt.CellType(name="T cell", ontology_id="CL:0000084").save(parents=False)
        nk.parents.add(lymph)
        lymph.parents.add(leukocyte)
        ln.Feature(name="donor", dtype=str).save()
        uids = {"nk_term": nk.uid, "t_term": t_cell.uid}
        for i in range(3):
            path = folder / f"sample{i}.csv"
            pd.DataFrame({"x": [i]}).to_csv(path, index=False)
            artifact = ln.Artifact(path, key=f"study/sample{i}.csv", description=f"sample {i}").save()
            artifact.cell_types.add(nk)
            uids[f"nk{i}"] = artifact.uid
        other = folder / "tcells.parquet"
        pd.DataFrame({"x": [1]}).to_parquet(other)
        t_art = ln.Artifact(other, key="study/tcells.parquet", description="T cells of donor D77").save()
        t_art.cell_types.add(t_cell)
        t_art.features.add_values({"donor": "D77-ALPHA"})
        uids["t"] = t_art.uid
        plain = folder / "natural.txt"
        plain.write_text("x")
        uids["plain"] = ln.Artifact(plain, key="misc/notes.txt").save().uid
        for i in (0, 1):
            ln.Artifact.get(uids[f"nk{i}"]).features.add_values({"donor": "D12"})
        old = dt.datetime(2025, 3, 14, 9, 30, tzinfo=dt.UTC)
        ln.Artifact.filter(uid=uids["plain"]).update(created_at=old)  # made last year
        collection = ln.Collection([ln.Artifact.get(uids["nk0"]), t_art], key="nk-and-t").save()
        uids["collection"] = collection.uid
        app_module = __import__("lineagedb.server", fromlist=["create_app"])
        yield app_module.create_app(), uids
    finally:
        connect(_shared_instance.name)


def api(app, path):
    status, _, body = call(app, path)
    assert status == 200, body[:300]
    return json.loads(body)


@pytest.mark.parametrize("query", ["natural killer", "NK cell", "nk%20cell", "CL:0000623", "natural%20killer%20cell"])
def test_labels_names_synonyms_and_ontology_ids_find_artifacts(annotated, query):
    app, uids = annotated
    body = api(app, f"/api/artifact?q={query}")
    found = [r["uid"] for r in body["results"]]
    assert set(found[:3]) == {uids["nk0"], uids["nk1"], uids["nk2"]}, found
    assert uids["t"] not in found


def test_feature_values_find_artifacts_and_own_text_ranks(annotated):
    app, uids = annotated
    assert [r["uid"] for r in api(app, "/api/artifact?q=D77-ALPHA")["results"]] == [uids["t"]]
    found = [r["uid"] for r in api(app, "/api/artifact?q=sample%201")["results"]]
    assert found[0] == uids["nk1"]
    found = [r["uid"] for r in api(app, "/api/artifact?q=natural")["results"]]
    assert set(found) >= {uids["nk0"], uids["nk1"], uids["nk2"]}  # by the label (the file natural.txt has another key)
    combined = [r["uid"] for r in api(app, "/api/artifact?q=natural%20killer&key__startswith=study/sample2")["results"]]
    assert combined == [uids["nk2"]]  # other filters still apply to a search


def test_collections_are_found_by_their_artifacts_labels(annotated):
    app, uids = annotated
    assert [r["uid"] for r in api(app, "/api/collection?q=NK%20cell")["results"]] == [uids["collection"]]
    assert [r["uid"] for r in api(app, "/api/collection?q=D77")["results"]] == []  # feature values are the artifact's
    assert [r["uid"] for r in api(app, "/api/collection?q=nk-and")["results"]] == [uids["collection"]]


def test_facets_count_and_narrow(annotated):
    app, uids = annotated
    status, _, page = call(app, "/artifact?q=cell")
    html = page.decode()
    assert status == 200 and "aria-label=facets" in html
    facet = re.search(r"<h3>CellType</h3><ul>(.*?)</ul>", html).group(1)
    assert re.search(r"natural killer cell</a> <span class=count>3</span>", facet)
    assert re.search(r"T cell</a> <span class=count>1</span>", facet)
    suffixes = re.search(r"<h3>suffix</h3><ul>(.*?)</ul>", html).group(1)
    assert re.search(r"\.csv</a> <span class=count>3</span>", suffixes)
    link = re.search(r'href="([^"]*label=T\+cell[^"]*)"', facet).group(1).replace("&amp;", "&")
    status, _, narrowed = call(app, link)
    assert status == 200 and uids["t"] in narrowed.decode() and uids["nk0"] not in narrowed.decode()
    assert "class=active" in narrowed.decode()
    status, _, by_suffix = call(app, "/artifact?suffix=.parquet")
    assert uids["t"] in by_suffix.decode() and uids["nk1"] not in by_suffix.decode()
    assert re.search(r"<h3>created by</h3>", html)


def test_ontology_pages_show_terms_in_use_first_with_counts(annotated):
    app, _ = annotated
    status, _, page = call(app, "/bio.celltype")
    html = page.decode()
    assert status == 200
    used, _, folded = html.partition("<details class=unused")
    assert used.index("natural killer cell") < used.index("T cell")  # 3 artifacts before 1
    assert re.search(r'natural killer cell</a>.*?<td><a href="/artifact\?label=natural\+killer\+cell">3</a>', used, re.S)
    rows = re.sub(r"<details class=ancestors>.*?</details>", "", used, flags=re.S)  # the used terms' own rows
    assert "leukocyte" not in rows and "leukocyte" in folded and "lymphocyte" in folded
    assert "2 CellType records without artifacts" in folded


def test_api_facets(annotated):
    app, _ = annotated
    body = api(app, "/api/artifact?q=cell&facets=true")
    cell_types = next(f for f in body["facets"] if f["title"] == "CellType")
    assert {"text": "natural killer cell", "count": 3, "params": {"label": "natural killer cell"}} in cell_types["values"]
    assert "facets" not in api(app, "/api/artifact?q=cell")
    for query in ("/api/artifact?facets=maybe", "/api/run?facets=true", "/api/run?label=x", "/api/user?prefix=x"):
        status, _, _ = call(app, query)
        assert status == 400, query


def test_facets_by_feature_value_and_creation_date_narrow(annotated):
    app, uids = annotated
    body = api(app, "/api/artifact?facets=true")
    donor = next(f for f in body["facets"] if f["title"] == "donor (feature)")
    assert donor["values"][0] == {"text": "D12", "count": 2, "params": {"feature": "donor", "value": "D12"}}
    assert {"text": "D77-ALPHA", "count": 1, "params": {"feature": "donor", "value": "D77-ALPHA"}} in donor["values"]
    months = next(f for f in body["facets"] if f["title"] == "created (month)")
    assert months["values"][-1] == {"text": "2025-03", "count": 1,
                                    "params": {"created_at__year": "2025", "created_at__month": "3"}}
    assert sum(v["count"] for v in months["values"]) == body["count"]
    assert not any(f["title"] == "created (day)" for f in body["facets"])  # days once a single month is left

    def follow(html, title, param):
        facet = re.search(rf"<h3>{re.escape(title)}</h3><ul>(.*?)</ul>", html).group(1)
        link = re.search(rf'href="([^"]*{re.escape(param)}[^"]*)"', facet).group(1).replace("&amp;", "&")
        status, _, page = call(app, link)
        assert status == 200, link
        return page.decode()

    html = call(app, "/artifact")[2].decode()
    by_donor = follow(html, "donor (feature)", "value=D12")
    assert uids["nk0"] in by_donor and uids["nk1"] in by_donor
    assert uids["nk2"] not in by_donor and uids["t"] not in by_donor
    by_month = follow(html, "created (month)", "created_at__month=3")
    assert uids["plain"] in by_month and uids["nk0"] not in by_month
    by_day = follow(by_month, "created (day)", "created_at__date=2025-03-14")
    assert uids["plain"] in by_day and "class=active" in by_day and uids["t"] not in by_day


def test_ontology_ancestors_are_folded_on_list_and_term_pages(annotated):
    app, uids = annotated
    html = call(app, "/bio.celltype")[2].decode()
    used = html.partition("<details class=unused")[0]
    assert "<th>ancestors</th>" in used
    rows = {re.search(r'<a href="/bio.celltype/\w+">([^<]+)</a>', r).group(1): r
            for r in re.findall(r"<tr><td>.*?</tr>", used, re.S)}
    folded = re.search(r"<details class=ancestors><summary>2 ancestors</summary><ul>(.*?)</ul></details>",
                       rows["natural killer cell"]).group(1)
    assert re.findall(r">([^<]+)</a>", folded) == ["leukocyte", "lymphocyte"]  # the parent and its parent
    assert "<span class=muted>none</span>" in rows["T cell"] and "<details" not in rows["T cell"]
    status, _, page = call(app, f"/bio.celltype/{uids['nk_term']}")
    term = page.decode()
    assert status == 200
    assert re.search(r"<h2>Ancestors</h2><details class=ancestors><summary>2 ancestors</summary><ul>"
                     r'<li><a href="/bio.celltype/\w+">leukocyte</a></li><li><a href="/bio.celltype/\w+">lymphocyte', term)
