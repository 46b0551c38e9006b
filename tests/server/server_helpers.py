"""Helpers for the server tests: a small instance populated through the public API, a server subprocess.

(Imported by the test modules; a conftest.py here would shadow tests/conftest.py.)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest


def tiny_png(width: int = 4, height: int = 4) -> bytes:
    """A valid RGB PNG of one colour."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xd0\x30\x30" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@dataclass
class Populated:
    name: str
    uids: dict[str, str] = field(default_factory=dict)


def populate(ln: Any, folder: Path) -> Populated:
    """A tutorial-like instance: a tracked script with input/output artifacts, labels, features, a collection."""
    import pandas as pd

    import lineagedb.bio as bt
    from lineagedb.core.instance import current

    out = Populated(name=current().name)
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "make_data.py"
    script.write_text("import lineagedb as ln\n\n\ndef main():\n    return 42  # <script>alert(1)</script>\n")
    raw = ln.Artifact.from_dataframe(pd.DataFrame({"gene": ["CD8A", "CD4"], "count": [3, 5]}),
                                     key="my_datasets/raw.parquet", description="raw counts").save()
    ln.track(path=script, params={"alpha": 0.5})
    raw.load()
    df = pd.DataFrame({"cell_type": ["T cell", "B cell", "<b>bold</b>"], "value": [1.5, 2.5, 3.5]})
    processed = ln.Artifact.from_dataframe(df, key="my_datasets/processed.parquet", description="<script>x</script>").save()
    note = folder / "notes.txt"
    note.write_text("hello from a text artifact\n<em>not markup</em>\n")
    text = ln.Artifact(note, key="docs/notes.txt").save()
    png = folder / "plot.png"
    png.write_bytes(tiny_png())
    image = ln.Artifact(png, key="figures/plot.png").save()
    ln.finish()
    experiment = ln.Record(name="Experiment", is_type=True).save()
    exp1 = ln.Record(name="Experiment 1", type=experiment).save()
    ln.Record(name="DMSO").save()
    processed.records.add(exp1)
    ln.Feature(name="temperature", dtype=float).save()
    processed.features.add_values({"temperature": 21.6})
    t_cell = bt.CellType(name="T cell", ontology_id="CL:0000084").save(parents=False)
    cd8 = bt.CellType(name="CD8-positive, alpha-beta T cell", ontology_id="CL:0000625").save(parents=False)
    cd8.parents.add(t_cell)
    processed.cell_types.add(t_cell)
    collection = ln.Collection([raw, processed], key="my-collection").save()
    out.uids = {"raw": raw.uid, "processed": processed.uid, "text": text.uid, "image": image.uid,
                "run": processed.run.uid, "transform": processed.run.transform.uid, "collection": collection.uid,
                "t_cell": t_cell.uid, "cd8": cd8.uid, "exp1": exp1.uid}
    return out


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    token: str | None = None
    log: list[str] = field(default_factory=list)

    def get(self, path: str, headers: dict | None = None, method: str = "GET", data: bytes | None = None) -> tuple[int, dict, bytes]:
        """(status, headers, body) of one request; HTTP errors are returned, not raised."""
        request = urllib.request.Request(self.url + path, headers=headers or {}, method=method, data=data)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def stop(self) -> str:
        """Stop the server; its output so far."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return "".join(self.log)


def _drain(process: subprocess.Popen, lines: list[str]) -> None:
    for line in process.stdout:
        lines.append(line)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def start_server(instance: str, *args: str, host: str = "127.0.0.1") -> Server:
    """``lineagedb serve --port 0 ...`` in a subprocess, once it prints its URL."""
    env = {**os.environ, "LINEAGEDB_INSTANCE": instance, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "lineagedb.cli", "serve", "--host", host, "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        match = re.search(r"at (http://\S+?/)(\?token=(\S+))?\s", line)
        if match:
            server = Server(process, match.group(1).rstrip("/"), match.group(3), lines)
            threading.Thread(target=_drain, args=(process, lines), daemon=True).start()  # a full pipe would block it
            return server
    process.kill()
    pytest.fail("the server did not start:\n" + "".join(lines) + (process.stdout.read() or ""))


def script(text: str) -> str:
    return textwrap.dedent(text)


_POPULATED: dict[str, Populated] = {}


def populated_instance(session_home: Any, shared: Any, tmp_factory: Any) -> Populated:
    """One populated instance per test session (the shared instance is reconnected afterwards)."""
    if "it" not in _POPULATED:
        import lineagedb as ln
        from lineagedb.core.context import set_run
        from lineagedb.core.instance import connect

        session_home.create(name="served")
        try:
            _POPULATED["it"] = populate(ln, tmp_factory.mktemp("served_files"))
        finally:
            set_run(None)
            connect(shared.name)
    return _POPULATED["it"]


@pytest.fixture(scope="module")
def served(_session_home, _shared_instance, tmp_path_factory):
    """(populated instance, read-only server) for a test module."""
    data = populated_instance(_session_home, _shared_instance, tmp_path_factory)
    server = start_server(data.name)
    yield data, server
    server.stop()
