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
import queue
import threading
from pathlib import Path
from typing import Iterable, NamedTuple

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
    """Copy ``src`` to ``dst`` and hash it, reading the source once.

    Large files are pipelined: this thread reads and hashes chunk ``i+1`` while a writer thread writes
    chunk ``i``; both release the GIL, so it takes about as long as a plain copy.
    """
    size = os.path.getsize(src)
    if size < _SMALL:
        with open(src, "rb") as f:
            data = f.read()
        with open(dst, "wb") as g:
            g.write(data)
        return Hashed(hash_bytes(data), HASH_TYPE, len(data), None)
    h = _new_hasher(size)
    chunks: queue.Queue = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def write() -> None:
        with open(dst, "wb", buffering=0) as g:
            while True:
                chunk = chunks.get()
                if chunk is None:
                    return
                if not failure:
                    try:
                        g.write(chunk)
                    except BaseException as e:  # noqa: BLE001 - re-raised in the reading thread
                        failure.append(e)

    writer = threading.Thread(target=write, name="lineagedb-copy", daemon=True)
    writer.start()
    total = 0
    try:
        with open(src, "rb", buffering=0) as f:
            while not failure:
                chunk = f.read(CHUNK)
                if not chunk:
                    break
                h.update(chunk)
                total += len(chunk)
                chunks.put(chunk)
    finally:
        chunks.put(None)
        writer.join()
    if failure:
        raise failure[0]
    return Hashed(encode(h.digest()), HASH_TYPE, total, None)


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
