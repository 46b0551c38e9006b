"""Storage access through universal-pathlib/fsspec: keys, managed paths and the names of temporary bytes.

Every storage root is handled as a ``UPath`` (a local folder, ``s3://bucket/prefix``, any fsspec URL).
An instance writes only inside ``<root>/.lineagedb/`` of the roots it manages:

``<root>/.lineagedb/<uid><suffix>``
    the bytes of a saved artifact (a file, or a folder keeping its tree).
``<root>/.lineagedb/.tmp-stage-<host>x<pid>-<random><suffix>``
    bytes copied (and hashed) for an artifact that is not saved yet; on a remote root, bytes uploaded
    before the transaction for a new version whose uid is not known yet.
``<root>/.lineagedb/.tmp-<uid><suffix>``
    bytes of an artifact whose row is being committed (save) or deleted (``delete(permanent=True)``).
    After a crash: if the row ``uid`` exists, the file belongs at ``<uid><suffix>``
    (:func:`roll_forward`), otherwise it is garbage (:func:`clean_temp`).

Putting bytes there in step with a row's transaction is the job of a store (``core/store``): this module
only names the places and moves, removes and uploads entries.

>>> from lineagedb.core.storage import validate_key
>>> validate_key("my_datasets/rnaseq1.parquet")
'my_datasets/rnaseq1.parquet'
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import errors
from . import hashing
from .settings import MARKER_DIR
from .uids import base62

if TYPE_CHECKING:
    from upath import UPath

TEMP_PREFIX = ".tmp-"
STAGE_PREFIX = ".tmp-stage-"
_LOCAL = {"", "file", "local"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_COMPRESSED = {".gz", ".bz2", ".xz", ".zst", ".zip", ".7z", ".lz4"}

__all__ = ["UPath", "upath", "is_local", "validate_key", "suffix_of", "managed_path", "delete_managed", "roll_forward",
           "clean_temp", "relative_to_root"]


def _upath_class() -> type:
    """universal-pathlib's ``UPath``, imported on first use: it pulls in fsspec (tens of ms at start-up)."""
    from upath import UPath

    return UPath


def is_upath(obj: Any) -> bool:
    """Whether ``obj`` is a UPath (without importing universal-pathlib when nothing has yet)."""
    module = sys.modules.get("upath")
    return module is not None and isinstance(obj, module.UPath)


def __getattr__(name: str) -> Any:
    if name == "UPath":  # ln.UPath: universal-pathlib's UPath wrapped with view_tree()
        from ._tree import proxy_class

        return proxy_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def upath(path: Any, **storage_options: Any) -> UPath:
    """A UPath for a local path, a ``file://`` URL or any fsspec URL."""
    if is_upath(path):
        path = getattr(path, "__wrapped__", path)  # an ln.UPath: the library's path it wraps
    if is_upath(path) and not storage_options:
        return path
    text = os.fspath(path) if isinstance(path, os.PathLike) else str(path)
    if text.startswith("file://"):
        text = text[len("file://"):]
    if "://" in text:  # endpoint, profile and per-root options from the AWS chain / set_storage_options
        from ._cloud import storage_options as _cloud_options

        storage_options = _cloud_options(text, **storage_options)
    return _upath_class()(text, **storage_options)


def is_local(path: Any) -> bool:
    """Whether ``path`` (a Path, UPath or string) lives on the local file system."""
    if isinstance(path, (str, os.PathLike)) and not is_upath(path):
        text = os.fspath(path)
        return "://" not in text or text.startswith("file://")
    protocol = getattr(path, "protocol", "")
    if isinstance(protocol, (tuple, list)):
        protocol = protocol[0] if protocol else ""
    return protocol in _LOCAL


def local_path(path: Any) -> Path:
    """A plain ``pathlib.Path`` for a local UPath/Path/string."""
    if isinstance(path, str) and path.startswith("file://"):
        path = path[len("file://"):]
    return Path(os.fspath(path))


def validate_key(key: str | None) -> str | None:
    """Return ``key`` if it is a valid relative, slash-separated virtual path, else raise InvalidArgument.

    Refused: absolute paths, ``..`` or ``.`` segments, empty segments (``a//b``, a trailing ``/``),
    backslashes, control, bidi-override and other invisible format characters, lone surrogates.
    The returned key is NFC-normalised, so that composed and decomposed spellings are one key.

    >>> validate_key("cafe\u0301.csv") == "caf\u00e9.csv"
    True
    """
    if key is None:
        return None
    if not isinstance(key, str):
        raise errors.InvalidArgument(f"key must be a string like 'my_datasets/data.parquet', not {type(key).__name__}")
    problem = None
    if not key:
        problem = "it is empty"
    elif key.startswith("/") or re.match(r"^[A-Za-z]:", key):
        problem = "it is an absolute path"
    elif "\\" in key:
        problem = "it contains a backslash"
    elif _CONTROL.search(key):
        problem = "it contains a control character"
    elif any(0xD800 <= ord(c) <= 0xDFFF for c in key):
        problem = "it contains a lone surrogate (not valid Unicode)"
    elif (bad := _invisible(key)) is not None:
        problem = f"it contains the invisible or direction-changing character U+{ord(bad):04X}"
    elif len(key) > 1024:
        problem = "it is longer than 1024 characters"
    else:
        parts = key.split("/")
        if any(p == "" for p in parts):
            problem = "it has an empty segment ('//' or a trailing '/')"
        elif any(p in {".", ".."} for p in parts):
            problem = "it has a '.' or '..' segment"
    if problem:
        raise errors.InvalidArgument(
            f"invalid key {key[:100]!r}{'...' if len(key) > 100 else ''}: {problem}; use a relative path with '/' between folders, e.g. 'my_datasets/data.parquet'"
        )
    import unicodedata

    return unicodedata.normalize("NFC", key)


def _invisible(text: str) -> str | None:
    """The first C1 control, format (bidi overrides, zero-width), or line/paragraph separator character, if any."""
    import unicodedata

    for c in text:
        if ord(c) > 0x7F and unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"}:
            return c
    return None


def suffix_of(name: str) -> str:
    """The artifact suffix of a file or folder name: ``.csv``, ``.tar.gz``, ``.zarr`` or ``''``."""
    suffixes = Path(name.rstrip("/")).suffixes
    if not suffixes:
        return ""
    last = suffixes[-1]
    if last.lower() in _COMPRESSED and len(suffixes) > 1 and 1 < len(suffixes[-2]) <= 6:
        return suffixes[-2] + last
    return last if len(last) <= 30 else ""


def managed_dir(root: Any) -> UPath:
    return upath(root) / MARKER_DIR


_WORK_DIRS: dict[str, Any] = {}


def work_dir(root: Any) -> Any:
    """The managed folder: a plain, created ``Path`` for local roots (cheap on the save hot path), else a UPath."""
    key = str(root)
    folder = _WORK_DIRS.get(key)
    if folder is None:
        if not is_local(root):
            return managed_dir(root)
        folder = local_path(root) / MARKER_DIR
        try:
            folder.mkdir(exist_ok=True)  # never recreates a storage root that was moved away
        except OSError as e:
            raise errors.StorageError(
                f"cannot write to storage {root} ({e.strerror}); check that it exists and is writable, "
                "or pick another with ln.settings.storage = ..."
            ) from e
        _WORK_DIRS[key] = folder
    return folder


def managed_path(root: Any, uid: str, suffix: str) -> UPath:
    """Where a saved, managed artifact's bytes live: ``<root>/.lineagedb/<uid><suffix>``."""
    return managed_dir(root) / f"{uid}{suffix}"


def pending_path(root: Any, uid: str, suffix: str) -> Any:
    return work_dir(root) / f"{TEMP_PREFIX}{uid}{suffix}"


_STAGE_OWNER = re.compile(r"^" + re.escape(STAGE_PREFIX) + r"([0-9a-f]{6})x(\d+)-")


def _host_tag() -> str:
    import hashlib
    import socket

    return hashlib.sha1(socket.gethostname().encode()).hexdigest()[:6]


def new_stage_path(root: Any, suffix: str) -> Any:
    """A fresh staging name inside a managed root (a ``Path`` in a created folder for local roots).

    The name carries the writing host and process (``.tmp-stage-<host>x<pid>-<random>``) so that debris
    of a killed process can be recognised and removed at once (:func:`stage_owner_alive`).
    """
    return work_dir(root) / f"{STAGE_PREFIX}{_host_tag()}x{os.getpid()}-{base62(12)}{suffix}"


def stage_owner_alive(name: str) -> bool | None:
    """Whether the process that wrote a staging entry still runs: None when that cannot be told here.

    >>> stage_owner_alive(".tmp-stage-abc.bin") is None
    True
    """
    m = _STAGE_OWNER.match(name)
    if m is None or m.group(1) != _host_tag():
        return None
    pid = int(m.group(2))
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def relative_to_root(path: Any, roots: Iterable[str]) -> tuple[str, str] | None:
    """``(root, relative key)`` of the registered root that contains ``path``, or None.

    Refuses paths inside a root's managed ``.lineagedb/`` folder.
    """
    text = str(path).rstrip("/")
    best = None
    for root in roots:
        r = root.rstrip("/")
        if text == r or text.startswith(r + "/"):
            if best is None or len(r) > len(best):
                best = r
    if best is None:
        return None
    rel = text[len(best) + 1:]
    if rel == MARKER_DIR or rel.startswith(MARKER_DIR + "/"):
        raise errors.InvalidArgument(
            f"{path} is inside lineagedb's managed folder {best}/{MARKER_DIR}/; "
            "load an existing artifact with ln.Artifact.get(...) instead of registering its stored file"
        )
    if not rel:
        raise errors.InvalidArgument(f"{path} is a storage root itself; register a file or folder inside it")
    return best, rel


def move_entry(src: Any, dst: Any) -> None:
    """Rename a file or folder (``os.replace`` locally; server-side copies on a remote root)."""
    if is_local(src) and is_local(dst):
        os.replace(local_path(src), local_path(dst))
    else:
        from ._cloud import move

        move(str(src), str(dst), **src.storage_options)
        src.fs.invalidate_cache(src.path)
        dst.fs.invalidate_cache(dst.path)


def remove_local(path: Path) -> None:
    """Remove a local file or folder if it exists (temporary serializations lineagedb took over)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def entry_exists(path: Any) -> bool:
    """Whether a file or folder exists at a local or remote path."""
    return local_path(path).exists() if is_local(path) else upath(path).exists()


def remove_entry(path: Any) -> None:
    """Remove a file or folder at a local or remote path if it exists."""
    if is_local(path):
        remove_local(local_path(path))
    elif path.exists():
        path.fs.rm(path.path, recursive=True)


def upload(source: Path, target: UPath) -> None:
    """Copy a local file or folder to a (remote) target through fsspec.

    Large files go in multipart chunks with a progress bar; a failed folder upload removes what it
    uploaded; failures raise StorageError naming the bucket and what to check (see ``_cloud``).
    """
    from . import _cloud

    if source.is_dir():
        _cloud.upload_folder(source, str(target), **target.storage_options)
    else:
        _cloud.upload_file(source, str(target), **target.storage_options)
    target.fs.invalidate_cache(target.path)  # the upload may have used another fs instance: drop stale listings


def hash_any(path: UPath) -> hashing.Hashed:
    """Hash a file or folder at any location (local: memory-mapped; remote: streamed through fsspec)."""
    if is_local(path):
        return hashing.hash_path(local_path(path))
    from . import _cloud

    if _cloud.is_remote(str(path)):  # provider checksums (ETag, md5Hash, ...) instead of a full read
        return _cloud.provider_hash(str(path), **path.storage_options)
    fs = path.fs
    if fs.isdir(path.path):
        base = path.path.rstrip("/")
        pairs, size = [], 0
        for f in sorted(fs.find(base)):
            with fs.open(f, "rb") as handle:
                h = hashing.hash_stream(handle)
            pairs.append((f[len(base) + 1:], h.hash))
            size += h.size
        return hashing.Hashed(hashing.folder_hash(pairs), hashing.FOLDER_HASH_TYPE, size, len(pairs))
    with fs.open(path.path, "rb") as handle:
        return hashing.hash_stream(handle, fs.size(path.path))


def delete_managed(root: Any, uid: str, suffix: str) -> None:
    """Delete an artifact's managed bytes; refuses anything outside ``<root>/.lineagedb/``."""
    path = managed_path(root, uid, suffix)
    if not uid or "/" in uid or not str(path).startswith(str(managed_dir(root)) + "/"):
        raise errors.StorageError(f"refusing to delete {path}: not a managed artifact path")
    remove_entry(path)


def hide_for_delete(root: Any, uid: str, suffix: str) -> Callable[[], None] | None:
    """Move managed bytes to their pending name before a row is deleted; returns an undo function."""
    final, pending = managed_path(root, uid, suffix), pending_path(root, uid, suffix)
    if not final.exists():
        return None
    move_entry(final, pending)
    return lambda: move_entry(pending, final)


def remove_pending(root: Any, uid: str, suffix: str) -> None:
    remove_entry(pending_path(root, uid, suffix))


def roll_forward(root: Any, uid: str, suffix: str) -> bool:
    """Finish a save interrupted between commit and rename; True if the bytes are now in place."""
    final, pending = managed_path(root, uid, suffix), pending_path(root, uid, suffix)
    if final.exists():
        return True
    if pending.exists():
        move_entry(pending, final)
        return True
    return False


def clean_temp(root: Any, has_row: Callable[[str], bool], min_age_s: float = 3600) -> list[str]:
    """Tidy a local managed folder after crashes: roll pending saves forward, remove the rest.

    ``has_row(uid)`` says whether an artifact row exists. Only temp entries older than ``min_age_s``
    are touched (younger ones may belong to a save in progress). Returns the names acted on.
    """
    folder = managed_dir(root)
    if not is_local(folder) or not local_path(folder).is_dir():
        return []
    done, now = [], time.time()
    for entry in local_path(folder).iterdir():
        if not entry.name.startswith(TEMP_PREFIX):
            continue
        if now - entry.lstat().st_mtime < min_age_s and stage_owner_alive(entry.name) is not False:
            continue  # may belong to a save in progress
        rest = entry.name[len(TEMP_PREFIX):]
        uid = rest[:20]
        if not entry.name.startswith(STAGE_PREFIX) and len(uid) == 20 and has_row(uid):
            roll_forward(root, uid, rest[20:])
        else:
            remove_entry(upath(entry))
        done.append(entry.name)
    return done

