"""Artifacts that tracking saves for itself: environments, notebooks and reports (``kind="__lineagedb__"``)."""

from __future__ import annotations

import platform
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from ..core.context import get_run, set_run
from ._source import source_hash

INTERNAL_KIND = "__lineagedb__"
_ENV_CACHE: dict[str, Any] = {}  # instance uid -> environment artifact of this process


@contextmanager
def no_active_run() -> Iterator[None]:
    """Save records without linking them to the active run."""
    previous = get_run()
    set_run(None)
    try:
        yield
    finally:
        set_run(previous)


def save_internal_artifact(path: Path, key: str, description: str, run: Any = None) -> Any:
    """Save ``path`` as an internal artifact of ``run`` (None: of no run), reusing one with the same key and content."""
    from ..models import Artifact

    with no_active_run():
        artifact = Artifact(str(path), key=key, description=description, run=run)
        if artifact.kind != INTERNAL_KIND:
            artifact.kind = INTERNAL_KIND
        return artifact.save()


def environment_text() -> str:
    """The Python version and the installed distributions, one ``name==version`` per line, sorted."""
    from importlib.metadata import distributions

    packages = set()
    for dist in distributions():
        name = dist.metadata["Name"]
        if name:
            packages.add(f"{name.lower().replace('_', '-')}=={dist.version}")
    header = f"# python {platform.python_version()} ({platform.python_implementation()}) on {sys.platform}\n"
    return header + "\n".join(sorted(packages)) + "\n"


def save_environment() -> Any:
    """The environment artifact of this process: saved once, shared by every run with the same packages."""
    from ..core.instance import current
    from ..models import Artifact

    inst = current()
    cached = _ENV_CACHE.get(inst.uid) if inst else None
    if cached is not None and Artifact.objects.filter(id=cached.id).exists():
        return cached
    text = environment_text()
    key = f"{INTERNAL_KIND}/environments/{source_hash(text)}.txt"
    artifact = Artifact.objects.filter(key=key, kind=INTERNAL_KIND).order_by("-id").first()
    if artifact is None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "requirements.txt"
            path.write_text(text)
            artifact = save_internal_artifact(path, key, "Python environment: installed packages")
    if inst is not None:
        _ENV_CACHE[inst.uid] = artifact
    return artifact
