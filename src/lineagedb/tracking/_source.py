"""What a tracked file is: its key, kind, source text, hash and default description.

>>> from lineagedb.tracking._source import source_hash
>>> len(source_hash("print(1)\\n"))
22
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .. import errors

SUFFIX_KINDS = {".py": "script", ".ipynb": "notebook"}


@dataclass
class SourceFile:
    """A script or notebook on disk, as a transform sees it."""

    path: Path
    key: str
    kind: str
    source_code: str
    hash: str
    description: str


def source_hash(text: str) -> str:
    """A 22-character url-safe hash of source text (what decides whether a transform changed)."""
    digest = hashlib.sha256(text.encode()).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _git_root(path: Path) -> Path | None:
    for folder in path.parents:
        if (folder / ".git").exists():
            return folder
    return None


def file_key(path: Path) -> str:
    """The transform key of a file: its path relative to the git repository root, else its file name."""
    root = _git_root(path)
    if root is not None:
        return path.relative_to(root).as_posix()
    return path.name


def notebook_code(nb_text: str) -> str:
    """The code cells of a notebook as one ``# %%``-separated script (outputs and metadata ignored)."""
    try:
        nb = json.loads(nb_text)
    except json.JSONDecodeError as e:
        raise errors.InvalidArgument(f"not a valid .ipynb file (JSON error: {e})") from e
    chunks = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        chunks.append("".join(src) if isinstance(src, list) else str(src))
    return "".join(f"# %%\n{chunk.rstrip()}\n\n" for chunk in chunks)


def notebook_title(nb_text: str) -> str | None:
    """The first level-1 markdown heading of a notebook, if any."""
    try:
        nb = json.loads(nb_text)
    except json.JSONDecodeError:
        return None
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        src = cell.get("source", "")
        text = "".join(src) if isinstance(src, list) else str(src)
        match = re.search(r"^#\s+(.+?)\s*$", text, flags=re.MULTILINE)
        if match:
            return match.group(1)
    return None


def read_source(path: str | Path, key: str | None = None) -> SourceFile:
    """Read a ``.py`` or ``.ipynb`` file into a :class:`SourceFile`.

    >>> read_source("analysis.py").key  # doctest: +SKIP
    'analysis.py'
    """
    path = Path(path).expanduser().resolve()
    kind = SUFFIX_KINDS.get(path.suffix)
    if kind is None:
        raise errors.InvalidArgument(
            f"cannot track {path.name!r}: only scripts (.py) and notebooks (.ipynb) can be transforms; "
            "for other code use ln.track(ln.Transform(key=..., kind='pipeline'))"
        )
    if not path.is_file():
        raise errors.InvalidArgument(f"no such file: {path}; pass the path of an existing script or notebook")
    text = path.read_text(encoding="utf-8")
    if kind == "notebook":
        code = notebook_code(text)
        description = notebook_title(text) or path.name
    else:
        code = text
        description = path.name
    return SourceFile(path=path, key=key or file_key(path), kind=kind, source_code=code,
                      hash=source_hash(code), description=description)
