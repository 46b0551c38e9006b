"""What ``Storage.save()`` does to a new record: a normalized root, its type, who manages it, and the
record that already has the root when there is one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import errors
from ..core.settings import is_cloud


def normalize_root(root: str) -> str:
    """``./data/`` -> ``/abs/path/data``; ``s3://bucket/prefix/`` -> ``s3://bucket/prefix``."""
    root = str(root)
    if not root.strip():
        raise errors.InvalidArgument("a Storage needs a root: ln.Storage(root='s3://my-bucket/data' or a folder)")
    if is_cloud(root):
        return root.rstrip("/")
    if root.startswith("file://"):
        root = root[len("file://"):]
    return Path(root).expanduser().resolve().as_posix()


def prepare_new(record: Any) -> None:
    """Fill in what a new Storage record derives from its root."""
    from ..core.instance import current

    record.root = normalize_root(record.root)
    if not record.type:
        record.type = record.root.split("://", 1)[0] if "://" in record.root else "local"
    if record.instance_uid is None and not record._unmanaged:
        inst = current()
        record.instance_uid = inst.uid if inst is not None else None
    if record.instance_uid is not None and record.type == "local":  # a managed folder exists from the start
        try:
            Path(record.root).mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise errors.StorageError(f"cannot create the storage folder {record.root} ({e.strerror}); pick a writable place") from e


def adopt_existing(record: Any, existing: Any) -> Any:
    """Make the unsaved ``record`` the saved ``existing`` one and return it."""
    for f in type(record)._meta.concrete_fields:
        setattr(record, f.attname, getattr(existing, f.attname))
    record._state.adding, record._state.db = False, existing._state.db
    return record
