"""lineagedb's side of the benchmark: its set-up only; the operations are in ``_operations.py``.

    .venv/bin/python benchmarks/ours_side.py import --workdir /tmp/x --out /tmp/x/result.json

Each operation gets a fresh instance under ``--workdir`` with its own ``LINEAGEDB_HOME``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import fresh_lineagedb, lineagedb_env, run_side  # noqa: E402
from _operations import Side, operations  # noqa: E402


def _init(p: dict):
    """A fresh instance in the work folder, connected; returns the package."""
    return fresh_lineagedb(p["workdir"], "bench", db=p.get("db"))


SIDE = Side(package="lineagedb", init=_init, env=lineagedb_env, features_df={"features": True})

if __name__ == "__main__":
    run_side(operations(SIDE))
