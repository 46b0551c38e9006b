"""Where an artifact's bytes come from: resolve a source into a storage, a key and a hash.

- a source inside a registered storage root is registered in place (``_real_key`` = path in the root);
- any other local file or folder is placed into the default storage's store (``core/store``: copied and
  hashed in one read locally, hashed now and uploaded on save for a remote root);
- a remote URL outside every registered root registers its bucket/host as a new (unmanaged) storage.

Storage records and the list of registered roots are cached per connection (one query each).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import errors
from ..core import storage as st
from ..core.context import on_connect_hook
from ..core.hashing import Hashed
from ..core.store import Placement, store_for

_CACHE: dict[str, Any] = {}


@on_connect_hook
def reset_cache() -> None:
    """Forget cached Storage records (after connect, or when a Storage row changes)."""
    _CACHE.clear()


def _connect_signal() -> None:
    if _CACHE.get("signal"):
        return
    from django.db.models.signals import post_delete, post_save

    from .storage import Storage

    def _changed(**_: Any) -> None:
        signal = _CACHE.get("signal")
        _CACHE.clear()
        _CACHE["signal"] = signal

    post_save.connect(_changed, sender=Storage, weak=False, dispatch_uid="lineagedb-artifact-storage-cache")
    post_delete.connect(_changed, sender=Storage, weak=False, dispatch_uid="lineagedb-artifact-storage-cache-del")
    _CACHE["signal"] = True


def storages() -> dict[int, Any]:
    """All Storage records by id (cached)."""
    if "storages" not in _CACHE:
        _connect_signal()
        from .storage import Storage

        _CACHE["storages"] = {s.id: s for s in Storage.objects.all()}
    return _CACHE["storages"]


def storage_by_id(storage_id: int) -> Any:
    records = storages()
    if storage_id not in records:
        _CACHE.pop("storages", None)
        records = storages()
    return records[storage_id]


@dataclass
class Source:
    """A resolved source: what the artifact row will say, and the placement of its bytes (unless in place)."""

    storage: Any
    hashed: Hashed
    suffix: str
    real_key: str | None = None  # set when registered in place
    default_key: str | None = None
    placement: Placement | None = None


def resolve(path: Any, *, move: bool = False, suffix: str | None = None, storage: Any = None) -> Source:
    """Resolve a local path, UPath or URL into a :class:`Source` (hashing it, placing it in a store if needed).

    ``storage``: the Storage a local file outside every registered root is copied into (default:
    ``ln.settings.storage``); it must be managed by this instance.
    """
    if not (isinstance(path, (str, os.PathLike)) or st.is_upath(path)):
        raise errors.InvalidArgument(
            f"cannot make an artifact from a {type(path).__name__}; pass a path or URL, or use "
            "ln.Artifact.from_dataframe(df, key=...) / ln.Artifact.from_anndata(adata, key=...)"
        )
    if st.is_local(path):
        local = st.local_path(path).expanduser()
        if not local.exists():
            raise errors.InvalidArgument(
                f"no file or folder at {str(path)!r}; check the path (relative paths start in {os.getcwd()})"
            )
        return _resolve_local(local.resolve(), move=move, suffix=suffix, storage=storage)
    return _resolve_remote(st.upath(path), suffix=suffix)


def _registered(path_text: str, local: bool) -> tuple[Any, str] | None:
    records = [s for s in storages().values() if st.is_local(s.root) == local]
    found = st.relative_to_root(path_text, [s.root for s in records])
    if found is None:
        return None
    root, rel = found
    return next(s for s in records if s.root.rstrip("/") == root), rel


def _resolve_local(local: Path, *, move: bool, suffix: str | None, storage: Any = None) -> Source:
    if not move:
        inside = _registered(str(local), local=True)
        if inside is not None:
            record, rel = inside
            hashed = st.hash_any(st.upath(local))
            suffix = st.suffix_of(local.name) if suffix is None else suffix
            return Source(record, hashed, suffix, real_key=rel, default_key=rel)
    if storage is None:
        from ..core.user_settings import settings

        default = settings.storage
    else:
        default = storage
        if not storage.is_managed:
            raise errors.InvalidArgument(
                f"storage {storage.root} is not managed by this instance, so lineagedb cannot write there; "
                "pass a storage this instance manages (ln.Storage.filter(instance_uid=ln.setup.settings.instance.uid))"
            )
    placement = store_for(default.root).place(local, suffix=suffix, move=move)
    return Source(default, placement.hashed, placement.suffix, placement=placement)


def _resolve_remote(path: st.UPath, *, suffix: str | None) -> Source:
    text = str(path).rstrip("/")
    inside = _registered(text, local=False)
    try:
        hashed = st.hash_any(path)  # before registering a root: a missing path or bucket leaves no Storage row
    except FileNotFoundError:
        raise errors.InvalidArgument(f"nothing at {text}; check the URL and your credentials") from None
    if inside is None:
        record = _register_remote_root(path)
        rel = text[len(record.root.rstrip("/")) + 1:]
    else:
        record, rel = inside
    if path.storage_options.get("anon"):  # ln.UPath(url, anon=True): later reads of this root stay anonymous
        from ..core._cloud import set_storage_options

        set_storage_options(record.root, anon=True)
    return Source(record, hashed, st.suffix_of(text) if suffix is None else suffix, real_key=rel, default_key=rel)


def _register_remote_root(path: st.UPath) -> Any:
    """Register ``<protocol>://<bucket>`` of a remote path as a storage this instance does not manage."""
    from .storage import Storage

    protocol = path.protocol[0] if isinstance(path.protocol, (tuple, list)) else path.protocol
    bucket = path.path.strip("/").split("/", 1)[0]
    record = Storage.register_root(f"{protocol}://{bucket}")
    reset_cache()
    return record
