"""Content hashes: BLAKE3 over every byte, 22-character url-safe base64.

Files hash their whole content; folders hash the sorted ``(relative path, file hash)`` pairs, so a
folder's hash changes when any file's content or name changes. Large inputs use BLAKE3's own
threads; copying and hashing share one read of the data (:func:`copy_file_hashed`).

>>> from lineagedb.core.hashing import hash_bytes
>>> len(hash_bytes(b"hello"))
22
"""

from __future__ import annotations

import base64
import os
import shutil
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

HASH_TYPE = "blake3"  # a file's hash
FOLDER_HASH_TYPE = "blake3-folder"  # a folder's hash over (relpath, file hash) pairs
DIGEST_BYTES = 16  # -> 22 base64 characters
CHUNK = 16 << 20  # 16 MiB reads: large enough for BLAKE3's threads to help
_SMALL = 1 << 20  # files below this are read, hashed and written in one go


class Hashed(NamedTuple):
    """What hashing a file or folder yields."""

    hash: str
    hash_type: str
    size: int
    n_files: int | None  # None for a file


def _new_hasher(size: int = 0):  # noqa: ANN202
    import blake3

    return blake3.blake3(max_threads=blake3.blake3.AUTO) if size >= CHUNK else blake3.blake3()


def encode(digest: bytes) -> str:
    """The first 16 bytes of a digest as 22 url-safe base64 characters."""
    return base64.urlsafe_b64encode(digest[:DIGEST_BYTES]).decode().rstrip("=")


def hash_bytes(data: bytes) -> str:
    """The hash of an in-memory byte string."""
    h = _new_hasher(len(data))
    h.update(data)
    return encode(h.digest())


def hash_file(path: str | os.PathLike) -> Hashed:
    """Hash a local file in full (memory-mapped and multithreaded when large).

    >>> hash_file("README.md").hash_type  # doctest: +SKIP
    'blake3'
    """
    size = os.path.getsize(path)
    h = _new_hasher(size)
    if size >= _SMALL:
        h.update_mmap(os.fspath(path))
    elif size:
        with open(path, "rb") as f:
            h.update(f.read())
    return Hashed(encode(h.digest()), HASH_TYPE, size, None)


def hash_stream(fileobj, size: int | None = None) -> Hashed:  # noqa: ANN001
    """Hash a readable binary file object (e.g. an fsspec remote file) chunk by chunk."""
    h = _new_hasher(size or 0)
    total = 0
    while True:
        chunk = fileobj.read(CHUNK)
        if not chunk:
            break
        h.update(chunk)
        total += len(chunk)
    return Hashed(encode(h.digest()), HASH_TYPE, total, None)


def copy_file_hashed(src: str | os.PathLike, dst: str | os.PathLike) -> Hashed:
    """Copy ``src`` to ``dst`` and hash it in the same pass over the data.

    Small files are read once into memory, hashed and written. Large files are copied by the kernel
    (``shutil.copyfile``: ``copy_file_range``/``sendfile``, no copy through Python) in a thread while this
    thread hashes the memory-mapped source with BLAKE3's threads; both release the GIL, and the hash
    reads the pages the copy just brought into the page cache, so the whole takes about a plain copy.
    """
    size = os.path.getsize(src)
    if size < _SMALL:
        with open(src, "rb") as f:
            data = f.read()
        with open(dst, "wb") as g:
            g.write(data)
        return Hashed(hash_bytes(data), HASH_TYPE, len(data), None)
    failure: list[BaseException] = []

    def copy() -> None:
        try:
            shutil.copyfile(src, dst)
        except BaseException as e:  # noqa: BLE001 - re-raised below
            failure.append(e)

    copier = threading.Thread(target=copy, name="lineagedb-copy", daemon=True)
    copier.start()
    try:
        hashed = hash_file(src)
    finally:
        copier.join()
    if failure:
        raise failure[0]
    return hashed


def folder_hash(pairs: Iterable[tuple[str, str]]) -> str:
    """The hash of a folder from its ``(relative posix path, file hash)`` pairs (order does not matter)."""
    lines = "\n".join(f"{rel}\t{h}" for rel, h in sorted(pairs))
    return hash_bytes(lines.encode())


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def hash_folder(folder: str | os.PathLike) -> Hashed:
    """Hash every file of a local folder and combine them with :func:`folder_hash`."""
    folder = Path(folder)
    pairs, size = [], 0
    for p in _files(folder):
        hashed = hash_file(p)
        pairs.append((p.relative_to(folder).as_posix(), hashed.hash))
        size += hashed.size
    return Hashed(folder_hash(pairs), FOLDER_HASH_TYPE, size, len(pairs))


def copy_folder_hashed(src: str | os.PathLike, dst: str | os.PathLike) -> Hashed:
    """Copy a local folder tree to ``dst`` (created) while hashing it; each file is read once."""
    src, dst = Path(src), Path(dst)
    dst.mkdir(parents=True)
    pairs, size = [], 0
    for p in _files(src):
        rel = p.relative_to(src)
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        hashed = copy_file_hashed(p, target)
        pairs.append((rel.as_posix(), hashed.hash))
        size += hashed.size
    return Hashed(folder_hash(pairs), FOLDER_HASH_TYPE, size, len(pairs))


def hash_path(path: str | os.PathLike) -> Hashed:
    """Hash a local file, or a local folder with :func:`hash_folder`."""
    return hash_folder(path) if Path(path).is_dir() else hash_file(path)


def copy_hashed(src: str | os.PathLike, dst: str | os.PathLike) -> Hashed:
    """Copy a local file or folder to ``dst`` while hashing it (each byte read once)."""
    return copy_folder_hashed(src, dst) if Path(src).is_dir() else copy_file_hashed(src, dst)
