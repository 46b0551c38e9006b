"""A local cache of remote files and folders under ``ln.settings.cache_dir``.

A remote object ``s3://bucket/a/b.csv`` is cached at ``<cache_dir>/s3/bucket/a/b.csv``. Next to the cache
tree, ``<cache_dir>/.fingerprints/`` remembers each cached object's size, ETag and modification time; a
cached copy is reused while those match the remote listing and re-downloaded when they do not. Folders
are mirrored file by file (only changed files travel; files gone remotely are removed locally).

>>> from lineagedb.core._cache import cache
>>> local = cache("s3://lamindata/iris_studies/study0_raw_images", anon=True)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from . import _cloud

_META = ".fingerprints"


def _cache_dir() -> Path:
    from .user_settings import settings

    return Path(settings.cache_dir)


def cache_path(url: str) -> Path:
    """Where the local copy of ``url`` lives (nothing is downloaded).

    >>> cache_path("s3://bkt/a/b.csv").parts[-4:]  # doctest: +SKIP
    ('s3', 'bkt', 'a', 'b.csv')
    """
    protocol, rest = str(url).split("://", 1)
    rel = Path(protocol, *[p for p in rest.strip("/").split("/") if p not in ("", ".", "..")])
    return _cache_dir() / rel


def _meta_path(local: Path) -> Path:
    return _cache_dir() / _META / local.relative_to(_cache_dir()).with_name(local.name + ".json")


def _is_fresh(local: Path, fingerprint: dict) -> bool:
    meta = _meta_path(local)
    if not local.is_file() or not meta.is_file():
        return False
    try:
        known = json.loads(meta.read_text())
    except ValueError:
        return False
    return known == fingerprint and local.stat().st_size == fingerprint.get("size")


def _remember(local: Path, fingerprint: dict) -> None:
    meta = _meta_path(local)
    meta.parent.mkdir(parents=True, exist_ok=True)
    meta.write_text(json.dumps(fingerprint))


def _cache_file(url: str, info: dict, local: Path, **options: Any) -> bool:
    """Download ``url`` to ``local`` unless the cached copy is current; True when it downloaded."""
    fingerprint = _cloud.remote_fingerprint(info)
    if _is_fresh(local, fingerprint):
        return False
    _cloud.download_file(url, local, size=info.get("size"), **options)
    _remember(local, fingerprint)
    return True


def cache(url: str, **options: Any) -> Path:
    """A local path holding the current content of remote file or folder ``url``.

    Only objects whose size, ETag or modification time changed since the last call are downloaded.
    """
    url = str(url).rstrip("/")
    fs = _cloud.filesystem(url, **options)
    path = fs._strip_protocol(url)
    local = cache_path(url)
    with _cloud.translated(url, "read"):
        fs.invalidate_cache(path)
        info = fs.info(path)
        if info.get("type") != "directory":
            _cache_file(url, info, local, **options)
            return local
        listing = fs.find(path, detail=True)
    protocol = _cloud.protocol_of(url)
    wanted = set()
    for name, entry in sorted(listing.items()):
        if entry.get("type") == "directory" or name.endswith("/"):
            continue
        rel = name[len(path):].lstrip("/")
        target = local / rel
        wanted.add(target)
        _cache_file(f"{protocol}://{name}", entry, target, **options)
    if local.is_dir():
        for p in sorted(local.rglob("*"), reverse=True):
            if p.is_file() and p not in wanted:
                p.unlink()
                _meta_path(p).unlink(missing_ok=True)
            elif p.is_dir() and not any(p.iterdir()):
                p.rmdir()
    local.mkdir(parents=True, exist_ok=True)
    return local


def evict(url: str) -> None:
    """Remove the cached copy of ``url`` (file or folder) and its fingerprints."""
    local = cache_path(str(url).rstrip("/"))
    meta = _cache_dir() / _META / local.relative_to(_cache_dir())
    if local.is_dir():
        shutil.rmtree(local, ignore_errors=True)
        shutil.rmtree(meta, ignore_errors=True)
    else:
        local.unlink(missing_ok=True)
        _meta_path(local).unlink(missing_ok=True)


def clear() -> None:
    """Empty the whole cache folder."""
    root = _cache_dir()
    for p in root.iterdir():
        shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else os.unlink(p)
