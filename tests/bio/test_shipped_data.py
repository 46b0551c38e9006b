"""The data shipped in the package: small, documented, and the bio module stays cheap to import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import lineagedb.bio

DATA = Path(lineagedb.bio.__file__).parent / "data"


def test_shipped_tables_are_small_and_listed_with_version_and_licence():
    manifest = json.loads((DATA / "manifest.json").read_text())
    files = sorted(p.stem for p in DATA.glob("*.parquet"))
    assert files == sorted(manifest)
    assert {"genes_human", "genes_mouse", "phenotypes_hp", "organisms_ncbitaxon"} <= set(files)
    for stem, info in manifest.items():
        assert info["version"] and info["licence"] and info["entity"], stem
    total = sum(p.stat().st_size for p in DATA.glob("*.parquet"))
    assert total < 6_000_000, total


def test_import_is_lazy():
    code = "import sys, lineagedb.bio as bt; bt.settings; print(sorted(m for m in ('pandas', 'django', 'pyarrow', 'zstandard') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]", out
