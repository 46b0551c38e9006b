"""What ``Storage.save()`` does to a new record: a normalized root, its type, who manages it, and a
local folder to write to.
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
    if record.type == "local" and record.instance_uid is not None:
        try:  # a location registered to write to exists from now on
            Path(record.root).mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise errors.StorageError(f"cannot create storage folder {record.root} ({e.strerror})") from e
