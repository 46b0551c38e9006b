"""The WSGI app in-process: list pages of 10k artifacts, escaping of untrusted data, SVG lineage without dot."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pytest


def call(app, path, method="GET", headers=None):
    """(status, headers, body) of one request to a WSGI app."""
    from wsgiref.util import setup_testing_defaults

    path, _, query = path.partition("?")
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "wsgi.input": io.BytesIO(b""),
               "HTTP_HOST": "127.0.0.1:8700"}
    for k, v in (headers or {}).items():
        environ["HTTP_" + k.upper().replace("-", "_")] = v
    setup_testing_defaults(environ)
    out = {}

    def start_response(status, hdrs):
        out["status"], out["headers"] = int(status.split()[0]), dict(hdrs)

    body = b"".join(app(environ, start_response))
    return out["status"], out["headers"], body


@pytest.fixture
def app(ln):
    from lineagedb.server import create_app

    return create_app()


def _queries(app, path):
    """(SQL statements the page ran, body); pages run in this thread, on Django's default connection."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        status, _, body = call(app, path)
    assert status == 200, body[:500]
    return [q["sql"] for q in ctx.captured_queries], body


def test_10k_artifacts_paginate_server_side(make_instance):
    import lineagedb as ln
    from lineagedb.server import create_app

    make_instance(modules="")
    storage = ln.Storage.filter().first()
    ln.save([ln.Artifact(key=f"bulk/{i // 1000}/file_{i:05d}.csv", storage=storage, suffix=".csv", size=i,
                         hash=f"h{i:07d}", hash_type="md5", kind="dataset") for i in range(10_000)])
    app = create_app()
    call(app, "/artifact")  # warm up imports
    for path in ("/artifact", "/artifact?page=200", "/artifact?prefix=bulk/7/", "/api/artifact?limit=100&offset=9000",
                 "/artifact?order=size"):
        sql, body = _queries(app, path)
        assert len(sql) < 30, (path, len(sql))  # a bounded number of queries, not one per artifact
        listing = [q for q in sql if 'FROM "lineagedb_artifact"' in q and "COUNT(" not in q.upper()]
        assert listing and all("LIMIT" in q.upper() for q in listing), (path, listing[:3])  # rows fetched a page at a time
    status, _, body = call(app, "/artifact?page=200")
    assert b"page 200 of 200" in body and body.count(b"<tr>") == 51  # header + 50 rows
    assert b"file_00049.csv" in body and b"file_00050.csv" not in body  # newest first: the last page is the oldest
    status, _, body = call(app, "/api/artifact?prefix=bulk/7/&limit=5")
    assert json.loads(body)["count"] == 1000


def test_untrusted_data_is_escaped_everywhere(ln, unique, tmp_path, app):
    evil = f'<script>alert("{unique}")</script>'
    path = tmp_path / "evil.txt"
    path.write_text(evil)
    artifact = ln.Artifact(path, key=f"x{unique}/<img src=x onerror=alert(1)>.txt", description=evil).save()
    record = ln.Record(name=f'{unique}"><svg onload=alert(1)>').save()
    artifact.records.add(record)
    pages = [f"/artifact?prefix=x{unique}/", f"/artifact/{artifact.uid}", f"/artifact/{artifact.uid}/lineage?engine=builtin",
             f"/record/{record.uid}", f"/artifact?label={record.name}", "/"]
    for page in pages:
        status, headers, body = call(app, page)
        text = body.decode()
        assert status == 200, (page, text[:300])
        assert "<script>alert" not in text and "<img src=x" not in text and "<svg onload" not in text, page
        assert "script-src" not in headers["Content-Security-Policy"] and "default-src 'self'" in headers["Content-Security-Policy"]
    assert "&lt;script&gt;alert" in call(app, f"/artifact/{artifact.uid}")[2].decode()  # shown, as text
    status, headers, body = call(app, f"/artifact/{artifact.uid}/download")
    assert body == evil.encode() and headers["Content-Disposition"].startswith("attachment")
    status, headers, _ = call(app, f"/artifact/{artifact.uid}/download?inline=1")
    assert "sandbox" in headers["Content-Security-Policy"] and headers["X-Content-Type-Options"] == "nosniff"


def test_lineage_svg_without_dot_and_with_it(ln, unique, tmp_path, monkeypatch):
    import pandas as pd

    from lineagedb.server import _svg

    first = ln.Artifact.from_dataframe(pd.DataFrame({"a": [1], "u": [unique]}), key=f"l{unique}/in.parquet").save()
    transform = ln.Transform(key=f"l{unique}<&>.py", kind="script").save()
    run = ln.Run(transform=transform, status="completed").save()
    run.input_artifacts.add(first)
    second = ln.Artifact.from_dataframe(pd.DataFrame({"a": [2], "u": [unique]}), key=f"l{unique}/out.parquet", run=run).save()
    collection = ln.Collection([first, second], key=f"l{unique}-c").save()
    drawn = _svg.svg(collection, engine="builtin")
    root = ET.fromstring(drawn)  # well-formed XML, text escaped
    assert root.get("data-engine") == "builtin"
    svg = root.find("{http://www.w3.org/2000/svg}svg")
    texts = "".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert f"l{unique}<&>.py" in texts and f"l{unique}/out.parquet" in texts
    hrefs = {a.get("href") for a in svg.iter("{http://www.w3.org/2000/svg}a")}
    assert hrefs == {f"/artifact/{first.uid}", f"/artifact/{second.uid}", f"/run/{run.uid}", f"/collection/{collection.uid}"}
    assert len(list(svg.iter("{http://www.w3.org/2000/svg}path"))) == 1 + 4  # arrow marker + 4 edges
    from lineagedb.models._lineage import has_dot

    monkeypatch.setattr("lineagedb.models._lineage.has_dot", lambda: False)  # `dot` missing: never fail
    assert 'data-engine="builtin"' in _svg.svg(second)
    monkeypatch.undo()
    if has_dot():
        drawn = _svg.svg(second, engine="auto")
        assert 'data-engine="dot"' in drawn and f"/run/{run.uid}" in drawn and "<svg" in drawn
