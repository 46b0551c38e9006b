"""Artifacts that tracking saves for itself: environments, notebooks and reports (``kind="__lineagedb__"``)."""

from __future__ import annotations

import platform
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..core.context import local_run
from ..models._lineage_kind import INTERNAL_KIND

_ENV_CACHE: dict[str, Any] = {}  # instance uid -> environment artifact of this process


@contextmanager
def no_active_run() -> Iterator[None]:
    """Save records without linking them to the active run."""
    with local_run(None):
        yield


def save_internal_artifact(path: Path, key: str, description: str, run: Any = None, reuse: bool = True) -> Any:
    """Save ``path`` as an internal artifact of ``run`` (None: of no run); identical internal content is reused.

    A user's artifact with the same bytes is never taken over: the internal one is then a separate record.
    ``reuse=False`` always saves a new record (a run's report belongs to that run, even if another run's
    report has the same bytes).
    """
    from ..models import Artifact

    with no_active_run():
        artifact = Artifact(str(path), key=key, description=description, run=run, kind=INTERNAL_KIND,  # type: ignore[misc]
                            skip_hash_lookup=not reuse)  # (a constructor keyword, not a field)
        if not artifact._state.adding and artifact.kind != INTERNAL_KIND:
            artifact = Artifact(str(path), key=key, description=description, run=run, kind=INTERNAL_KIND,  # type: ignore[misc]
                                skip_hash_lookup=True)
        return artifact.save()


def _name_version(dist: Any) -> str | None:
    """``name==version`` of a distribution, from its ``*.dist-info`` folder name when it has one (fast)."""
    folder = getattr(dist, "_path", None)
    stem = folder.name.removesuffix(".dist-info") if folder is not None and folder.name.endswith(".dist-info") else ""
    if stem.count("-") == 1:
        name, version = stem.split("-")
    else:
        name, version = dist.metadata["Name"], dist.version
    if not name:
        return None
    return f"{name.lower().replace('_', '-').replace('.', '-')}=={version}"


def environment_text() -> str:
    """The Python version and the installed distributions, one ``name==version`` per line, sorted."""
    from importlib.metadata import distributions

    packages = {line for line in map(_name_version, distributions()) if line}
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
    from ..models._transform_source import source_hash

    text = environment_text()
    key = f"{INTERNAL_KIND}/environments/{source_hash(text)}.txt"
    artifact = Artifact.objects.filter(key=key, kind=INTERNAL_KIND, branch=1).order_by("-id").first()
    if artifact is None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "requirements.txt"
            path.write_text(text)
            artifact = save_internal_artifact(path, key, "Python environment: installed packages")
    if inst is not None:
        _ENV_CACHE[inst.uid] = artifact
    return artifact
