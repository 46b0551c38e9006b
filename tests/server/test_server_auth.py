"""Tokens, writes and the CLI's refusals, against real server subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from server_helpers import populated_instance, start_server

TOKEN = "t0ken-for-tests-123"


@pytest.fixture(scope="module")
def writable(_session_home, _shared_instance, tmp_path_factory):
    data = populated_instance(_session_home, _shared_instance, tmp_path_factory)
    server = start_server(data.name, "--allow-write", "--token", TOKEN)
    yield data, server
    server.stop()


def test_token_is_checked_on_every_request(writable):
    _, server = writable
    assert server.token == TOKEN  # printed in the URL
    for path in ("/", "/artifact", "/static/style.css", "/api/registries", "/api/openapi.json"):
        status, headers, _ = server.get(path)
        assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer"), path
    status, _, _ = server.get("/api/registries", headers={"Authorization": "Bearer wrong-token-xyz"})
    assert status == 401
    status, _, body = server.get("/api/registries", headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and json.loads(body)
    assert server.get(f"/api/registries?token={TOKEN}")[0] == 200  # API clients may pass it in the URL
    # a browser opens the printed URL once: the token moves into an HttpOnly cookie and out of the URL
    status, headers, _ = server.get(f"/artifact?q=raw&token={TOKEN}")
    assert status == 303 and headers["Location"] == "/artifact?q=raw"
    cookie = headers["Set-Cookie"].split(";")[0]
    assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
    status, _, body = server.get("/artifact?q=raw", headers={"Cookie": cookie})
    assert status == 200 and b"my_datasets/raw.parquet" in body
    assert server.get("/", headers={"Cookie": "lineagedb_token=nope"})[0] == 401


def _send(server, path, payload, method="POST", **headers):
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json", **headers}
    status, _, body = server.get(path, method=method, data=json.dumps(payload).encode(), headers=headers)
    return status, json.loads(body)


def test_writes_with_allow_write(writable):
    data, server = writable
    uid = data.uids["text"]
    status, body = _send(server, f"/api/artifact/{uid}", {"description": "notes <b>edited</b>"}, method="PATCH")
    assert status == 200 and body["record"]["description"] == "notes <b>edited</b>"
    status, body = _send(server, f"/api/artifact/{uid}/labels", {"name": "DMSO", "feature": None})
    assert status == 201 and body["label"]["title"] == "DMSO"
    status, body = _send(server, f"/api/artifact/{uid}/labels", {"registry": "bio.celltype", "uid": data.uids["cd8"]})
    assert status == 201
    auth = {"Authorization": f"Bearer {TOKEN}"}
    detail = json.loads(server.get(f"/api/artifact/{uid}", headers=auth)[2])
    assert detail["record"]["description"] == "notes <b>edited</b>"
    assert [x["title"] for x in detail["relations"]["labels"]["record"]] == ["DMSO"]
    assert [x["uid"] for x in detail["relations"]["labels"]["bio.celltype"]] == [data.uids["cd8"]]
    page = server.get(f"/artifact/{uid}", headers=auth)[2].decode()
    assert "notes &lt;b&gt;edited&lt;/b&gt;" in page and "<b>edited</b>" not in page
    assert 'data-api="/api/artifact/' in page  # the edit forms are rendered
    # bad writes: a clear 4xx, nothing changed
    assert _send(server, f"/api/artifact/{uid}/labels", {"name": "no such label"})[0] == 400
    assert _send(server, f"/api/artifact/{uid}", {"key": "x"}, method="PATCH")[0] == 400
    assert _send(server, f"/api/user/{detail['record']['created_by_id']}", {"description": "x"}, method="PATCH")[0] == 405  # users have no description
    status, _, _ = server.get(f"/api/artifact/{uid}", method="PATCH", data=b"description=x",
                              headers={**auth, "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 415  # HTML forms of other sites cannot write
    status, body = _send(server, f"/api/artifact/{uid}", {"description": "x"}, method="PATCH", Origin="http://evil.example")
    assert status == 403 and "cross-origin" in body["error"]
    spec = json.loads(server.get("/api/openapi.json", headers=auth)[2])
    assert "patch" in spec["paths"]["/api/artifact/{uid}"] and "/api/artifact/{uid}/labels" in spec["paths"]


def test_write_operations_conform_to_the_document(writable):
    """Schemathesis on the write operations: no 5xx, only documented statuses, responses match the schemas.
    (Generated labels and uids do not exist, so a schema-valid write may rightly get 400/404.)"""
    pytest.importorskip("schemathesis")
    from schemathesis.specs.openapi.checks import positive_data_acceptance
    from test_server_api import run_schemathesis

    _, server = writable
    auth = {"Authorization": f"Bearer {TOKEN}"}
    _, _, raw = server.get("/api/openapi.json", headers=auth)
    writes = {(path, m) for path, ops in json.loads(raw)["paths"].items() for m in ops if m != "get"}
    assert ("/api/artifact/{uid}", "patch") in writes and ("/api/artifact/{uid}/labels", "post") in writes
    run_schemathesis(server, {"PATCH", "POST"}, headers=auth, excluded=(positive_data_acceptance,))


def test_non_loopback_bind_generates_a_token(writable):
    data, _ = writable
    server = start_server(data.name, host="0.0.0.0")
    try:
        assert server.token and len(server.token) >= 24
        assert any("needs the token" in line for line in server.log)
        assert server.get("/api/registries")[0] == 401
        assert server.get("/api/registries", headers={"Authorization": f"Bearer {server.token}"})[0] == 200
        # another machine's Host header is fine here (the token protects it); writes stay off
        status, _, _ = server.get("/api/registries", headers={"Authorization": f"Bearer {server.token}", "Host": "myhost:1"})
        assert status == 200
    finally:
        server.stop()


def test_cli_refuses_a_short_token_and_a_busy_port(writable):
    data, server = writable
    env_cmd = [sys.executable, "-m", "lineagedb.cli", "serve", "--token", "short"]
    import os

    env = {**os.environ, "LINEAGEDB_INSTANCE": data.name}
    r = subprocess.run(env_cmd, capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode != 0 and "at least 8 characters" in r.stderr
    port = server.url.rsplit(":", 1)[1]
    r = subprocess.run([sys.executable, "-m", "lineagedb.cli", "serve", "--port", port], capture_output=True, text=True,
                       env=env, timeout=60)
    assert r.returncode != 0 and "cannot listen" in r.stderr
