"""LaminDB 2.12's side of the benchmark: its set-up only; the operations are in ``_operations.py``.

    benchmarks/.lamindb-venv/bin/python benchmarks/lamindb_side.py import --workdir /tmp/x --out /tmp/x/r.json

``run.py`` starts this with ``HOME`` pointing into ``--workdir`` (LaminDB keeps settings in ``~/.lamin``),
so each operation gets a fresh local instance (``lamin init --storage``). LaminDB runs offline on a local
instance once ``ln.setup.settings.instance._is_on_hub = False``; its bio module needs the internet, so
only what it can do offline is compared.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _harness import run_side  # noqa: E402
from _operations import Side, operations  # noqa: E402


def _env(workdir: str) -> dict[str, str]:
    return dict(os.environ)  # run.py already set HOME to a folder inside the work folder


def _init(p: dict):
    """A fresh local instance in the work folder, connected and marked off-hub; returns the package."""
    assert str(Path.home()).startswith(p["workdir"]), "run with HOME inside --workdir (run.py does)"
    import lamindb_setup

    lamindb_setup.init(storage=str(Path(p["workdir"]) / "data"))
    import lamindb as ln

    ln.setup.settings.instance._is_on_hub = False
    ln.settings.creation.artifact_silence_missing_run_warning = True
    return ln


@contextlib.contextmanager
def _bulk_setup(ln: Any) -> Iterator[None]:
    """Untimed set-up: skip LaminDB's per-record search for similar names while saving many records."""
    ln.settings.creation.search_names = False
    try:
        yield
    finally:
        ln.settings.creation.search_names = True


SIDE = Side(package="lamindb", init=_init, env=_env, features_df={"include": "features"}, bulk_setup=_bulk_setup)

if __name__ == "__main__":
    run_side(operations(SIDE))
