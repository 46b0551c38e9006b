"""requirements/constraints.txt pins every dependency that pyproject.toml declares (refresh: scripts/lock.sh)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)).lower()


def pins() -> dict[str, str]:
    out = {}
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep and version, f"not an exact pin: {line!r}"
            out[_name(name)] = version
    return out


def test_every_declared_dependency_is_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = list(project["dependencies"])
    for reqs in project["optional-dependencies"].values():
        declared += [r for r in reqs if not r.startswith("lineagedb[")]
    missing = sorted({_name(r) for r in declared} - set(pins()))
    assert not missing, f"not in requirements/constraints.txt: {missing}; run: bash scripts/lock.sh"


def test_torch_is_the_cpu_build_and_pip_is_pinned():
    p = pins()
    assert p["torch"].endswith("+cpu"), p["torch"]
    assert "pip" in p and "lineagedb" not in p
