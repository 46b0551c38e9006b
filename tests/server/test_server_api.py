"""The JSON API of a read-only server subprocess: list/filter/search/get, lineage, refusals, OpenAPI conformance."""

from __future__ import annotations

import json

import pytest
from server_helpers import served  # noqa: F401 (fixture)


def get_json(server, path, **headers):
    status, _, body = server.get(path, headers=headers)
    return status, json.loads(body)


def test_registries_and_counts(served):
    data, server = served
    status, body = get_json(server, "/api/registries")
    assert status == 200
    counts = {r["registry"]: r["count"] for r in body}
    assert counts["artifact"] >= 4 and counts["run"] == 1 and counts["bio.celltype"] == 2
    assert counts["collection"] == 1


def test_list_filter_search_paginate(served):
    data, server = served
    status, body = get_json(server, "/api/artifact?key__startswith=my_datasets/&order=key")
    assert status == 200 and [r["key"] for r in body["results"]] == ["my_datasets/processed.parquet", "my_datasets/raw.parquet"]
    assert body["count"] == 2 and "source_code" not in body["results"][0]
    _, body = get_json(server, "/api/artifact?prefix=my_datasets/&limit=1&offset=1&order=key")
    assert body["count"] == 2 and [r["key"] for r in body["results"]] == ["my_datasets/raw.parquet"]
    _, body = get_json(server, "/api/artifact?label=T%20cell")
    assert [r["uid"] for r in body["results"]] == [data.uids["processed"]]
    _, body = get_json(server, "/api/artifact?temperature__gt=20")  # a feature lookup, through the query layer
    assert [r["uid"] for r in body["results"]] == [data.uids["processed"]]
    _, body = get_json(server, "/api/artifact?records__name=Experiment%201")
    assert [r["uid"] for r in body["results"]] == [data.uids["processed"]]
    _, body = get_json(server, "/api/artifact?q=processed")
    assert body["results"][0]["uid"] == data.uids["processed"]
    _, body = get_json(server, "/api/transform?kind=script")
    assert body["results"][0]["uid"] == data.uids["transform"] and "source_code" not in body["results"][0]
    _, body = get_json(server, "/api/record?is_type=true")
    assert [r["name"] for r in body["results"]] == ["Experiment"]


@pytest.mark.parametrize("query, message", [
    ("nosuchfield=1", "has no field or feature 'nosuchfield'"),
    ("limit=0", "limit must be between 1 and 1000"),
    ("limit=abc", "limit must be an integer"),
    ("order=nosuch", "order must be one of 'id', 'uid'"),
    ("size=big", "size must be an integer, not 'big'"),
    ("is_latest=maybe", "is_latest must be true or false, not 'maybe'"),
    ("facets=maybe", "facets must be true or false"),
])
def test_bad_queries_get_400_with_a_reason(served, query, message):
    _, server = served
    status, body = get_json(server, f"/api/artifact?{query}")
    assert status == 400 and message in body["error"]


def test_detail_with_relations(served):
    data, server = served
    status, body = get_json(server, f"/api/artifact/{data.uids['processed']}")
    assert status == 200 and body["record"]["key"] == "my_datasets/processed.parquet"
    rel = body["relations"]
    assert rel["features"] == {"temperature": 21.6}
    assert [x["title"] for x in rel["labels"]["record"]] == ["Experiment 1"]
    assert [x["uid"] for x in rel["labels"]["bio.celltype"]] == [data.uids["t_cell"]]
    assert rel["run"]["uid"] == data.uids["run"] and rel["transform"]["uid"] == data.uids["transform"]
    assert [x["uid"] for x in rel["collections"]] == [data.uids["collection"]]
    _, run = get_json(server, f"/api/run/{data.uids['run']}")
    assert run["relations"]["params"] == {"alpha": 0.5}
    assert [x["uid"] for x in run["relations"]["input_artifacts"]] == [data.uids["raw"]]
    outputs = {x["uid"] for x in run["relations"]["output_artifacts"]}
    assert {data.uids["processed"], data.uids["text"], data.uids["image"]} <= outputs
    _, transform = get_json(server, f"/api/transform/{data.uids['transform']}")
    assert "def main" in transform["record"]["source_code"]
    _, cd8 = get_json(server, f"/api/bio.celltype/{data.uids['cd8']}")
    assert [x["title"] for x in cd8["relations"]["parents"]] == ["T cell"]
    _, t_cell = get_json(server, f"/api/bio.celltype/{data.uids['t_cell']}")
    assert [x["uid"] for x in t_cell["relations"]["children"]] == [data.uids["cd8"]]
    status, body = get_json(server, "/api/artifact/doesnotexist")
    assert status == 404 and "no Artifact with uid" in body["error"]
    status, body = get_json(server, "/api/nosuchregistry")
    assert status == 404 and "registries:" in body["error"]


def test_lineage_nodes_and_edges(served):
    data, server = served
    u = data.uids
    status, body = get_json(server, f"/api/artifact/{u['processed']}/lineage")
    assert status == 200 and body["root"] == f"artifact:{u['processed']}"
    edges = {(e["source"], e["target"]) for e in body["edges"]}
    assert (f"artifact:{u['raw']}", f"run:{u['run']}") in edges
    assert (f"run:{u['run']}", f"artifact:{u['processed']}") in edges
    assert (f"artifact:{u['processed']}", f"collection:{u['collection']}") in edges
    assert {n["id"] for n in body["nodes"]} >= {s for e in edges for s in e}
    _, up_only = get_json(server, f"/api/artifact/{u['processed']}/lineage?downstream=false")
    assert not any(e["target"].startswith("collection:") for e in up_only["edges"])
    status, _ = get_json(server, f"/api/record/{u['exp1']}/lineage")
    assert status == 404


def test_read_only_refuses_writes(served):
    data, server = served
    uid = data.uids["text"]
    _, before = get_json(server, f"/api/artifact/{uid}")
    body = json.dumps({"description": "changed"}).encode()
    status, _, raw = server.get(f"/api/artifact/{uid}", method="PATCH", data=body, headers={"Content-Type": "application/json"})
    assert status == 403 and "--allow-write" in json.loads(raw)["error"]
    label = json.dumps({"name": "DMSO"}).encode()
    status, _, _ = server.get(f"/api/artifact/{uid}/labels", method="POST", data=label, headers={"Content-Type": "application/json"})
    assert status == 403
    _, detail = get_json(server, f"/api/artifact/{uid}")
    assert detail["record"] == before["record"] and detail["relations"]["labels"] == before["relations"]["labels"]
    _, spec = get_json(server, "/api/openapi.json")
    assert not any(set(ops) - {"get"} for ops in spec["paths"].values())


def test_foreign_host_header_is_refused(served):
    _, server = served
    status, _, body = server.get("/api/registries", headers={"Host": "evil.example:80"})
    assert status == 400 and b"loopback" in body


def run_schemathesis(server, methods, headers=None, excluded=()):
    """Every operation of the served document whose method is in ``methods``: a few generated requests each
    (no 5xx, only documented statuses, responses match their schemas), then, for each path with a uid, one
    request with the uid of a real record of that registry, which must answer 200. Returns the paths served 200."""
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, Phase, given, settings

    headers = headers or {}
    schema = schemathesis.openapi.from_url(server.url + "/api/openapi.json", headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if op.method.upper() in methods]
    failures, calls, served_ok = [], [0], set()
    for op in operations:
        @given(case=op.as_strategy())
        @settings(max_examples=2, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def check(case):
            calls[0] += 1
            case.call_and_validate(headers=headers, excluded_checks=list(excluded))

        try:
            check()
        except BaseException as e:  # noqa: BLE001 - collect every operation's failure
            failures.append(f"{op.label}: {e}")
        if op.method.upper() != "GET":
            continue
        real = {}
        if "{uid}" in op.path:
            _, _, body = server.get(op.path.split("/{uid}")[0] + "?limit=1", headers=headers)
            results = json.loads(body)["results"]
            if not results:
                continue  # a registry without records: generated requests only
            real = {"uid": results[0]["uid"]}
        response = op.Case(path_parameters=real).call_and_validate(headers=headers)
        if response.status_code != 200:
            failures.append(f"{op.label} with {real}: {response.status_code} {response.text[:300]}")
        served_ok.add(op.path)
    assert not failures, "\n\n".join(failures)[:6000]
    assert calls[0] >= len(operations)
    return served_ok


def test_openapi_document_is_served_by_every_path(served):
    """The generated document covers every registry, and every advertised path answers real records."""
    _, server = served
    _, spec = get_json(server, "/api/openapi.json")
    _, registries = get_json(server, "/api/registries")
    for r in registries:
        assert {f"/api/{r['registry']}", f"/api/{r['registry']}/{{uid}}"} <= set(spec["paths"]), r
    served_ok = run_schemathesis(server, {"GET"})
    with_data = {r["registry"] for r in registries if r["count"]}
    assert {"/api/registries", *(f"/api/{r}/{{uid}}" for r in with_data)} <= served_ok
    assert {"/api/artifact/{uid}/lineage", "/api/collection/{uid}/lineage", "/api/run/{uid}/lineage"} <= served_ok
    assert len(served_ok) >= 20


def test_every_linked_page_renders(served):
    """Follow every link from the home page and the registry index (two levels): no page fails."""
    import re
    from collections import deque

    _, server = served
    seen, queue, failed = set(), deque([("/", 0), ("/registries", 0)]), []
    while queue and len(seen) < 250:
        path, depth = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        status, headers, body = server.get(path)
        if status != 200:
            failed.append((path, status, body[:300]))
            continue
        if depth < 3 and headers.get("Content-Type", "").startswith("text/html"):
            for href in re.findall(rb'href="(/[^"#]*)"', body):
                link = href.decode().replace("&amp;", "&")
                if not link.startswith(("/static/", "/api/openapi")) and "download" not in link:
                    queue.append((link, depth + 1))
    assert not failed, failed
    assert len(seen) > 40


def test_routes_and_document_come_from_one_declaration(ln):
    """Every route Django dispatches under /api/ is in the OpenAPI document, and every documented path is routed."""
    from django.urls import URLPattern, URLResolver
    from test_server_pages import call

    from lineagedb.server import create_app

    app = create_app(allow_write=True)

    def routes(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from routes(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield "/" + prefix + str(p.pattern)

    routed = {r.replace("<uid>", "{uid}") for r in routes(app.api.urlconf.urlpatterns)} - {"/api/", "/api/openapi.json"}
    status, _, body = call(app, "/api/openapi.json")
    documented = json.loads(body)["paths"]
    assert status == 200 and routed == set(documented)
    assert {"patch", "get"} <= set(documented["/api/artifact/{uid}"]) and "post" in documented["/api/artifact/{uid}/labels"]
