"""What a tracked file is: its key, kind, source text, hash and default description; and its Transform.

A file's transform key is its **file name** (``analysis.py``), as in LaminDB. With
``ln.settings.dev_dir`` set (e.g. to a repository root) a file inside that folder is keyed by its path
relative to it (``pipelines/analysis.py``). ``reference`` keeps where the file was (``file://`` URI), so two
*different* files with the same name that both still exist are told apart: tracking the second raises
instead of silently making it a new version of the first.

>>> from lineagedb.models._transform_source import source_hash
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
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from .. import errors

if TYPE_CHECKING:
    from .transform import Transform

SUFFIX_KINDS = {".py": "script", ".ipynb": "notebook", ".sh": "script", ".R": "script", ".Rmd": "notebook"}


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


def git_root(path: Path) -> Path | None:
    """The folder holding ``.git`` above ``path``, or None."""
    for folder in path.parents:
        if (folder / ".git").exists():
            return folder
    return None


def file_key(path: Path) -> str:
    """The transform key of a file: relative to ``ln.settings.dev_dir`` when inside it, else its file name.

    >>> file_key(Path("/repo/docs/tutorial.ipynb"))  # doctest: +SKIP
    'tutorial.ipynb'
    """
    from ..core.user_settings import settings

    dev_dir = settings.dev_dir
    if dev_dir is not None:
        try:
            return path.resolve().relative_to(dev_dir).as_posix()
        except ValueError:
            pass
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
    """Read a script (``.py``, ``.sh``, ``.R``) or notebook (``.ipynb``) into a :class:`SourceFile`.

    >>> read_source("analysis.py").key  # doctest: +SKIP
    'analysis.py'
    """
    path = Path(path).expanduser().resolve()
    kind = SUFFIX_KINDS.get(path.suffix)
    if kind is None:
        raise errors.InvalidArgument(
            f"cannot track {path.name!r}: only scripts (.py, .sh, .R) and notebooks (.ipynb) can be transforms; "
            "for other code use ln.track(ln.Transform(key=..., kind='pipeline'))"
        )
    if not path.is_file():
        raise errors.InvalidArgument(f"no such file: {path}; pass the path of an existing script or notebook")
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        code = notebook_code(text)
        description = notebook_title(text) or path.name
    else:
        code = text
        description = path.name
    return SourceFile(path=path, key=key or file_key(path), kind=kind, source_code=code,
                      hash=source_hash(code), description=description)


def _path_of(reference: str | None) -> Path | None:
    if not reference or not reference.startswith("file:"):
        return None
    return Path(unquote(urlparse(reference).path))


def check_collision(model: type[Transform], source: SourceFile) -> None:
    """Refuse to make ``source`` a new version of a same-named transform that is a *different* existing file."""
    latest = model.objects.filter(key=source.key, branch=1).order_by("-is_latest", "-id").first()
    old = _path_of(latest.reference) if latest is not None else None
    if old is None or old == source.path or not old.is_file():  # same file, or the file moved/was renamed
        return
    raise errors.InvalidArgument(
        f"transform key {source.key!r} already belongs to another file, {old}, which still exists; "
        f"{source.path} would silently become a new version of it. Give the files different names, or set "
        "ln.settings.dev_dir to the folder above both (e.g. the repository root) so keys become relative paths"
    )


def transform_from_source(model: type[Transform], source: SourceFile, uid: str | None = None, version: str | None = None) -> Any:
    """The saved transform of a file: reused when its source is unchanged, else a new version of its key."""
    same = model.objects.filter(key=source.key, hash=source.hash, branch=1).order_by("-id").first()
    if uid is not None:
        return _pinned(model, source, uid, version)
    if same is not None and (version is None or same.version_tag == version):
        if not same.source_code:
            same.source_code = source.source_code
            same.save(update_fields=["source_code"])
        return same
    check_collision(model, source)
    record = model(key=source.key, kind=source.kind, hash=source.hash, source_code=source.source_code,
                   description=source.description, reference=source.path.as_uri(), version=version,
                   skip_hash_lookup=True)  # type: ignore[misc]  # a constructor keyword of Transform, not a field
    record.save()
    print(f"→ created Transform({record.uid!r}, key={record.key!r})")
    return record


def _pinned(model: type[Transform], source: SourceFile, uid: str, version: str | None) -> Any:
    """``ln.track("<uid>")``: that transform (created with that uid if new); a 12-character stem takes its latest."""
    if len(uid) not in (model._stem_length, 16):
        raise errors.InvalidArgument(f"a transform uid has 16 characters (or a 12-character stem), got {uid!r}")
    if len(uid) == model._stem_length:
        found = model.objects.filter(uid__startswith=uid).order_by("-is_latest", "-uid").first()
        uid = found.uid if found is not None else uid + "0000"
    record = model.objects.filter(uid=uid).first()
    if record is None:
        taken = model.objects.filter(uid__startswith=uid[: model._stem_length], version=version).first()
        if version is not None and taken is not None:
            raise errors.InvalidArgument(
                f"version {version!r} is already taken by Transform({taken.uid!r}); please set another version, "
                f"e.g., ln.context.version = '{version}.1'"
            )
        record = model(uid=uid, key=source.key, kind=source.kind, hash=source.hash, source_code=source.source_code,
                       description=source.description, reference=source.path.as_uri(), version=version)
        record.save()
        model.objects.filter(uid__startswith=uid[: model._stem_length]).exclude(pk=record.pk).update(is_latest=False)
        print(f"→ created Transform({record.uid!r}, key={record.key!r})")
        return record
    if version is not None and record.version_tag is not None and record.version_tag != version:
        raise errors.InvalidArgument(
            f"Transform is already tagged with version {record.version_tag}, but you passed {version}; "
            f"pass the uid of a new version, e.g. ln.track({uid[:-4] + '0001'!r})"
        )
    if record.hash is not None and record.hash != source.hash:  # never overwrite saved source code
        revised = model(key=source.key, kind=source.kind, hash=source.hash, source_code=source.source_code,
                        description=source.description, reference=source.path.as_uri(), revises=record)  # type: ignore[misc]  # revises: a constructor keyword, not a field
        revised.save()
        print(f"→ source code of {record.uid} changed: created Transform({revised.uid!r}) as its new version")
        return revised
    changed = {f: v for f, v in (("key", source.key), ("hash", source.hash), ("source_code", source.source_code),
                                 ("reference", source.path.as_uri())) if getattr(record, f) != v}
    if "key" in changed:
        print(f"→ renaming transform {record.key!r} to {source.key!r}")
    if version is not None and record.version_tag is None:
        changed["version"] = version
    if changed:
        for field, value in changed.items():
            setattr(record, field, value)
        record.save(update_fields=list(changed))
    return record
