"""Refusals that keep the server up: lookup allow-list, statement time limit, socket timeouts, Host, auth scheme."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from server_helpers import served  # noqa: F401 (fixture)
from test_server_pages import call

SLOW_SQL = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
            "SELECT count(*) FROM c")


def get_json(server, path, **headers):
    status, _, body = server.get(path, headers=headers)
    return status, json.loads(body)


@pytest.mark.parametrize("query", ["hash__regex=%5E(.%2B)%2B!%24", "key__iregex=a", "description__has_key=x",
                                   "_real_key__startswith=/", "run__transform__key__regex=x"])
def test_regex_and_private_lookups_are_refused(served, query):
    _, server = served
    status, body = get_json(server, f"/api/artifact?{query}")
    assert status == 400 and ("not allowed over HTTP" in body["error"] or "private field" in body["error"])
    status, _, page = server.get(f"/artifact?{query}")
    assert status == 400 and (b"not allowed" in page or b"private field" in page)


def test_allowed_lookups_still_filter(served):
    data, server = served
    status, body = get_json(server, "/api/artifact?key__iendswith=PROCESSED.PARQUET&created_at__year__gte=2000")
    assert status == 200 and [r["uid"] for r in body["results"]] == [data.uids["processed"]]


def test_feature_and_value_filter_or_are_refused(served):
    data, server = served
    status, body = get_json(server, "/api/artifact?feature=temperature&value=21.6")
    assert status == 200 and [r["uid"] for r in body["results"]] == [data.uids["processed"]]
    _, body = get_json(server, "/api/artifact?feature=temperature&value=3.5")
    assert body["count"] == 0
    for query, message in [("feature=temperature", "go together"), ("value=21.6", "go together"),
                           ("feature=nosuch&value=1", "no feature named 'nosuch'")]:
        status, body = get_json(server, f"/api/artifact?{query}")
        assert status == 400 and message in body["error"], query
    status, body = get_json(server, "/api/storage?feature=temperature&value=1")
    assert status == 400 and "have no features" in body["error"]
    status, _, page = server.get("/artifact?feature=temperature&value=21.6")
    assert status == 200 and data.uids["processed"].encode() in page and data.uids["raw"].encode() not in page


def test_every_advertised_lineage_path_is_served(served):
    _, server = served
    _, spec = get_json(server, "/api/openapi.json")
    lineage = [p for p in spec["paths"] if p.endswith("/{uid}/lineage")]
    assert {"/api/artifact/{uid}/lineage", "/api/collection/{uid}/lineage", "/api/run/{uid}/lineage"} <= set(lineage)
    for path in lineage:
        _, listed = get_json(server, path.split("/{uid}")[0] + "?limit=1")
        uid = listed["results"][0]["uid"]
        status, body = get_json(server, path.replace("{uid}", uid))
        assert status == 200 and body["nodes"], path


def test_bearer_scheme_is_case_insensitive(ln):
    from lineagedb.server import create_app

    app = create_app(token="s3cret-token-x")
    for header in ("Bearer s3cret-token-x", "bearer s3cret-token-x", "BEARER  s3cret-token-x"):
        status, _, _ = call(app, "/api/registries", headers={"Authorization": header})
        assert status == 200, header
    for header in ("Basic s3cret-token-x", "bearer wrong", "s3cret-token-x"):
        status, _, _ = call(app, "/api/registries", headers={"Authorization": header})
        assert status == 401, header


@pytest.mark.parametrize("host, status", [("127.0.0.1:8700", 200), ("localhost", 200), ("[::1]:8700", 200),
                                          ("rebind.attacker.example:8700", 400), ("127.0.0.1.nip.io", 400), ("", 400)])
def test_host_header_stops_dns_rebinding(ln, host, status):
    from lineagedb.server import create_app

    got, _, body = call(create_app(), "/api/registries", headers={"Host": host})
    assert got == status, body[:200]


def test_statement_limit_stops_a_slow_query(ln):
    from django.db import OperationalError, connection

    from lineagedb.server._limits import is_timeout, statement_limit

    started = time.monotonic()
    with pytest.raises(OperationalError) as info, statement_limit(0.3), connection.cursor() as cursor:
        cursor.execute(SLOW_SQL)
    assert is_timeout(info.value) and time.monotonic() - started < 5
    with connection.cursor() as cursor:  # the connection is usable afterwards, without the limit
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_slow_request_gets_503(ln, monkeypatch):
    from django.db import connection

    from lineagedb.server import _registries, create_app

    def slow_counts():
        with connection.cursor() as cursor:
            cursor.execute(SLOW_SQL)
        return {}

    monkeypatch.setattr(_registries, "counts", slow_counts)
    started = time.monotonic()
    status, _, body = call(create_app(statement_timeout=0.3), "/api/registries")
    assert status == 503 and "longer than 0.3 s" in json.loads(body)["error"]
    assert time.monotonic() - started < 5


def test_half_sent_requests_are_dropped():
    from lineagedb.server import make_server

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    server = make_server(app, "127.0.0.1", 0, timeout=0.5)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        silent = [socket.create_connection(("127.0.0.1", server.server_port)) for _ in range(20)]
        for s in silent:
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
        with socket.create_connection(("127.0.0.1", server.server_port), timeout=5) as ok:  # others are served
            ok.sendall(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            assert ok.recv(100).startswith(b"HTTP/1.0 200")
        started = time.monotonic()
        for s in silent:
            s.settimeout(5)
            assert s.recv(100) == b""  # closed by the server
            s.close()
        assert time.monotonic() - started < 3
    finally:
        server.shutdown()
        server.server_close()


def test_a_trickling_client_is_cut_off_at_the_request_deadline():
    """One byte every 0.2 s never trips the 1 s silence timeout, but the whole request must arrive in 2 s."""
    from lineagedb.server import make_server

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    server = make_server(app, "127.0.0.1", 0, timeout=1.0, request_deadline=2.0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with socket.create_connection(("127.0.0.1", server.server_port)) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            s.settimeout(0.2)
            closed, sent = False, 0
            while not closed and sent < 150:  # 30 s of trickling at most; the deadline is 2 s
                try:
                    s.sendall(b"a")
                    sent += 1
                    closed = s.recv(100) == b""
                except TimeoutError:
                    continue  # nothing from the server yet: keep trickling
                except (BrokenPipeError, ConnectionResetError):
                    closed = True
            assert closed, f"still connected after trickling {sent} bytes"
            assert sent < 150
        with socket.create_connection(("127.0.0.1", server.server_port), timeout=5) as ok:  # a prompt client is served
            ok.sendall(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            assert ok.recv(100).startswith(b"HTTP/1.0 200")
    finally:
        server.shutdown()
        server.server_close()
