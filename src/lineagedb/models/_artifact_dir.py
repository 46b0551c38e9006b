"""``Artifact.from_dir``: one artifact per file of a folder, keys mirroring the folder's tree.

>>> artifacts = ln.Artifact.from_dir("./raw_images", key="images/batch1")  # doctest: +SKIP
>>> artifacts.save()                                                         # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import errors
from ..core import storage as st


class ArtifactList(list):
    """A list of artifacts with ``save()`` (each one in turn; returns the list)."""

    def save(self) -> ArtifactList:
        for artifact in self:
            artifact.save()
        return self


def from_dir(cls: Any, path: Any, *, key: str | None = None, run: Any = None, **kwargs: Any) -> ArtifactList:
    """Artifacts for every file below ``path`` (hidden files and lineagedb's managed folder skipped).

    Keys are ``<key>/<relative path>``; without ``key``, files inside a registered storage keep their path
    in the root (registered in place) and other files get ``<folder name>/<relative path>``. Files with the
    same content as an earlier one in the folder are left out (one artifact per content).
    """
    if not st.is_local(path):
        raise errors.InvalidArgument("Artifact.from_dir() takes a local folder; register a remote folder with ln.Artifact(url)")
    folder = st.local_path(path).expanduser().resolve()
    if not folder.is_dir():
        raise errors.InvalidArgument(f"{str(path)!r} is not a folder; use ln.Artifact(path, key=...) for a file")
    st.validate_key(key)
    from ._artifact_sources import _registered

    in_place = _registered(str(folder), local=True) is not None
    out, seen = ArtifactList(), set()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = file.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in Path(rel).parts):
            continue
        file_key = f"{key.rstrip('/')}/{rel}" if key else (None if in_place else f"{folder.name}/{rel}")
        artifact = cls(file, key=file_key, run=run, **kwargs)
        if artifact.hash in seen:
            if artifact._placement is not None:  # a fresh artifact: its placement, or None when registered in place
                artifact._placement.discard()
            continue
        seen.add(artifact.hash)
        out.append(artifact)
    return out
