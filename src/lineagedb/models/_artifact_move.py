"""Moving an artifact to another storage: ``artifact.storage = other_storage; artifact.save()``.

Only between locations this instance manages, only for artifacts whose bytes lineagedb manages (not
files registered in place). The bytes are copied to ``<new root>/.lineagedb/<uid><suffix>``, the row is
updated in a transaction, and the old copy is removed once that transaction commits (a failed update
removes the new copy instead). Before copying, ``save()`` asks ``... Continue? (y/n)`` (see
``core.user_settings.confirm``: no question without a terminal or with ``ln.settings.prompts = False``); "n"
leaves the bytes and the row where they were, keeps the new assignment in memory and returns None.

>>> artifact.storage = ln.Storage.get(root="s3://my-bucket/archive")  # doctest: +SKIP
>>> artifact.save()  # doctest: +SKIP

Changing the suffix (``artifact.suffix = ".tsv"; artifact.save()``) renames the managed bytes to
``<uid><new suffix>`` the same way (ask, copy, save the row, remove the old name on commit); a key that
ended in the old suffix ends in the new one.
"""

from __future__ import annotations

import shutil
from functools import partial
from typing import Any

from django.db import transaction

from .. import errors
from ..core import storage as st


def _space(space_id: int | None) -> int:
    return space_id or 1  # None is the space "all"


CANCELLED = "cancelled"  # moved_storage(): the user answered no


def moved_storage(artifact: Any) -> bool | str:
    """If ``artifact.storage`` or ``artifact.space`` changed since it was loaded: check that the storage is in
    the artifact's space (a space change alone picks a storage of the new space), ask, move the bytes, save the
    row and return True (``CANCELLED`` if the answer was no; False if nothing changed)."""
    model = type(artifact)
    row = model.objects.filter(pk=artifact.pk).values_list("storage_id", "space_id").first()
    if row is None or row == (artifact.storage_id, artifact.space_id):
        return False
    from .storage import Storage

    old_id, old_space = row
    if old_id == artifact.storage_id and _space(old_space) != _space(artifact.space_id):
        if not artifact._storage_record().is_managed:
            raise errors.InvalidArgument(
                "Cannot change the space of an artifact in a storage location that is not managed by the current "
                "instance."
            )
        target = _storage_in_space(Storage, artifact.space_id)
        if target is None:
            raise errors.InvalidArgument(
                f"No local storage locations managed by the current instance found for the space {artifact.space_id}; "
                "register one (ln.Storage(root=...).save(), then set its space) or keep the artifact's space"
            )
        artifact.storage_id = target.id
    records = Storage.objects.in_bulk([old_id, artifact.storage_id])  # fresh: who manages them may have changed
    old, new = records[old_id], records[artifact.storage_id]
    if _space(new.space_id) != _space(artifact.space_id):
        raise errors.InvalidArgument(
            "Cannot change the storage of an artifact to a storage location that is not in the same space. "
            f"({new.root} is in space {_space(new.space_id)}, the artifact in space {_space(artifact.space_id)})"
        )
    if old_id == artifact.storage_id:  # the space changed within the same storage's space: nothing to move
        super(model, artifact).save()
        return True
    if not old.is_managed:
        raise errors.InvalidArgument(
            "Cannot change the storage of an artifact in a storage location that is not managed by the current "
            f"instance. ({old.root} is not; set artifact.storage back to it)"
        )
    if not new.is_managed:
        raise errors.InvalidArgument(
            "Cannot change the storage of an artifact to a storage location that is not managed by the current "
            f"instance. ({new.root} is not; pick a storage this instance manages)"
        )
    if artifact._real_key is not None:
        raise errors.InvalidArgument(
            f"artifact {artifact.uid} is registered in place at {old.root}/{artifact._real_key}; lineagedb does not move "
            "files it does not manage. Copy the file and register the copy instead"
        )
    from ..core.user_settings import confirm

    if not confirm(f"Moving artifact {artifact.uid} ({artifact.size} bytes) from {old.root} to {new.root}."):
        return CANCELLED
    source = st.managed_path(old.root, artifact.uid, artifact.suffix)
    target = st.managed_path(new.root, artifact.uid, artifact.suffix)
    _copy(source, target)
    try:
        with transaction.atomic():
            super(model, artifact).save()  # BaseRecord.save: the row now points at the new storage
            transaction.on_commit(partial(_remove, source))
    except BaseException:
        _remove(target)
        raise
    artifact._state.fields_cache.pop("storage", None)
    return True


def changed_suffix(artifact: Any, stored_key: str | None) -> str | None:
    """The stored suffix if ``artifact.suffix`` was changed since it was loaded (else None); a key left as
    stored that ends in the old suffix is given the new one. Refuses what cannot be renamed."""
    row = type(artifact).objects.filter(pk=artifact.pk).values_list("suffix", "storage_id").first()
    if row is None or row[0] == artifact.suffix:
        return None
    old, new = row[0], artifact.suffix
    if not isinstance(new, str) or (new and st.suffix_of(f"x{new}") != new):
        raise errors.InvalidArgument(f"invalid suffix {new!r}: pass '' or a suffix such as '.tsv' or '.ome.zarr'")
    if artifact._real_key is not None:
        raise errors.InvalidArgument(
            f"artifact {artifact.uid} is registered in place at {artifact._real_key}; lineagedb does not rename files "
            f"it does not manage: set artifact.suffix back to {old!r} (rename the file and register it anew instead)"
        )
    if row[1] != artifact.storage_id:
        raise errors.InvalidArgument(
            f"change the storage and the suffix of artifact {artifact.uid} in two saves: set artifact.suffix back to "
            f"{old!r}, save, then change the suffix"
        )
    key = artifact.key
    if key is not None and key == stored_key and st.suffix_of(key) == old:
        artifact.key = key[: len(key) - len(old)] + new if old else key + new
    return old


def rename_bytes(artifact: Any, old_suffix: str, write_row: Any) -> bool:
    """Ask, copy the managed bytes to the artifact's new suffix, run ``write_row`` and remove the old name once
    that commits (a failed write removes the new copy); False if the answer was no."""
    from ..core.user_settings import confirm

    root = artifact._storage_record().root
    if not confirm(f"Renaming artifact {artifact.uid} from {artifact.uid}{old_suffix} to {artifact.uid}{artifact.suffix}."):
        return False
    source = st.managed_path(root, artifact.uid, old_suffix)
    target = st.managed_path(root, artifact.uid, artifact.suffix)
    _copy(source, target)
    try:
        with transaction.atomic():
            write_row()
            transaction.on_commit(partial(_remove, source))
    except BaseException:
        _remove(target)
        raise
    return True


def _storage_in_space(storage_model: Any, space_id: int | None) -> Any:
    """A local storage this instance manages in the given space, or None."""
    from ..core.instance import current

    inst = current()
    if inst is None:
        return None
    found = storage_model.objects.filter(instance_uid=inst.uid, type="local")
    from django.db.models import Q

    found = found.filter(Q(space_id__isnull=True) | Q(space_id=1)) if _space(space_id) == 1 else found.filter(space_id=space_id)
    return found.order_by("id").first()


def _copy(source: Any, target: Any) -> None:
    if st.is_local(source) and st.is_local(target):
        src, dst = st.local_path(source), st.local_path(target)
        dst.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dst)
        return
    if st.is_local(source):
        st.upload(st.local_path(source), target)
        return
    from ..core._cache import cache

    local = cache(str(source), **source.storage_options)
    if st.is_local(target):
        dst = st.local_path(target)
        dst.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if local.is_dir() else shutil.copy2)(local, dst)
    else:
        st.upload(local, target)


def _remove(path: Any) -> None:
    try:
        st.remove_entry(path)
    except OSError:  # the row is right either way; a leftover copy is tidied by the integrity check
        pass
