"""Django's guard against ORM calls from a coroutine is lifted only where lineagedb connects inside a
running event loop (as every Jupyter cell runs); a plain script keeps it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.slow


def _run(code: str, instance: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["LINEAGEDB_INSTANCE"] = instance
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=env, timeout=180)


def test_connecting_inside_an_event_loop_allows_queries_there(ln):
    from lineagedb.core.instance import current

    done = _run(
        """
        import asyncio, os
        import lineagedb as ln

        async def cell():  # what a notebook cell is: code running inside the kernel's event loop
            return ln.Artifact.filter().count()

        print("count", asyncio.run(cell()), os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE"))
        """,
        current().name,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "count" and done.stdout.split()[-1] == "true"


def test_a_plain_process_keeps_djangos_guard_for_coroutines(ln):
    from lineagedb.core.instance import current

    done = _run(
        """
        import asyncio, os
        import lineagedb as ln

        ln.Artifact.filter().count()  # connected outside any event loop
        assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ

        async def handler():
            return ln.Artifact.filter().count()

        try:
            asyncio.run(handler())
        except Exception as e:
            print(type(e).__name__)
        """,
        current().name,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "SynchronousOnlyOperation"
