"""lineagedb's side of the benchmark: its set-up only; the operations are in ``_operations.py``.

    .venv/bin/python benchmarks/ours_side.py import --workdir /tmp/x --out /tmp/x/result.json

Each operation gets a fresh instance under ``--workdir`` with its own ``LINEAGEDB_HOME``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import run_side  # noqa: E402
from _operations import Side, operations  # noqa: E402


def _env(workdir: str) -> dict[str, str]:
    env = dict(os.environ)
    env["LINEAGEDB_HOME"] = str(Path(workdir) / "home")
    env["LINEAGEDB_CACHE_DIR"] = str(Path(workdir) / "cache")
    env.pop("LINEAGEDB_INSTANCE", None)
    return env


def _init(p: dict):
    """A fresh instance in the work folder, connected; returns the package."""
    os.environ.update(_env(p["workdir"]))
    import lineagedb as ln

    ln.setup.init(storage=str(Path(p["workdir"]) / "data"), name="bench", db=p.get("db"))
    return ln


SIDE = Side(package="lineagedb", init=_init, env=_env, features_df={"features": True})

if __name__ == "__main__":
    run_side(operations(SIDE))
