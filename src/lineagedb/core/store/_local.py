"""The store of a local folder: bytes are copied (and hashed in the same read) into ``.tmp-stage-*``, then renamed.

Renames are ``os.replace`` inside ``<root>/.lineagedb/``: atomic, so a reader sees a whole file or none.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ... import errors
from .. import hashing
from .. import storage as st
from ._base import ManagedRoot


class LocalStore(ManagedRoot):
    """A storage root on the local file system."""

    def place(self, source: Path, *, suffix: str | None = None, move: bool = False) -> LocalPlacement:
        suffix = st.suffix_of(source.name) if suffix is None else suffix
        work = st.work_dir(self.root)
        if move and source.name.startswith(st.STAGE_PREFIX) and source.parent == work:
            return LocalPlacement(self, suffix, source, hashing.hash_path(source))  # serialized in place (scratch_path)
        target = st.local_path(st.new_stage_path(self.root, suffix))
        try:
            hashed = _take_over(source, target) if move else hashing.copy_hashed(source, target)
        except OSError as e:
            st.remove_local(target)
            raise errors.StorageError(
                f"cannot copy {source} into the storage {self.root} ({e.strerror or e}); free space there (or pick "
                "another storage with ln.settings.storage = ...) and try again; nothing was saved"
            ) from e
        except BaseException:
            st.remove_local(target)
            raise
        return LocalPlacement(self, suffix, target, hashed)

    def scratch_path(self, suffix: str) -> Path:
        return st.local_path(st.new_stage_path(self.root, suffix))


def _take_over(source: Path, target: Path) -> hashing.Hashed:
    """Move a temporary serialization into the staging area (a rename, else copy and remove), hashing it."""
    try:
        os.replace(source, target)
    except OSError:  # another file system: copy, then remove the original
        hashed = hashing.copy_hashed(source, target)
        shutil.rmtree(source) if source.is_dir() else source.unlink()
        return hashed
    return hashing.hash_path(target)


class LocalPlacement:
    """Bytes in a local store: staged at ``.tmp-stage-*``, then pending at ``.tmp-<uid><suffix>``, then final."""

    def __init__(self, store: LocalStore, suffix: str, current: Path, hashed: hashing.Hashed) -> None:
        self.store, self.suffix, self.hashed = store, suffix, hashed
        self._current: Path | None = current
        self._uid: str | None = None
        self._done = False

    def __repr__(self) -> str:
        return f"LocalPlacement({self._current})"

    def prepare(self, plan_uid: Callable[[], str | None]) -> str | None:
        return None  # a local copy is already in place: nothing to do before the transaction

    def assign(self, uid: str) -> None:
        if self._current is None:
            raise errors.StorageError(f"the staged copy for artifact {uid} was removed; create the artifact again")
        target = st.local_path(st.pending_path(self.store.root, uid, self.suffix))
        if self._current != target:
            os.replace(self._current, target)
        self._current, self._uid = target, uid

    def commit(self) -> Path:
        if self._uid is None or self._current is None:
            raise errors.StorageError(f"nothing is pending in {self.store.root}: assign a uid inside the transaction first")
        final = st.work_dir(self.store.root) / f"{self._uid}{self.suffix}"
        try:
            os.replace(self._current, final)
        except OSError:  # a reader may have rolled the committed bytes forward first (roll_forward)
            if not (final.exists() and not self._current.exists()):
                raise
        self._current, self._done = final, True
        return final

    def discard(self) -> bool:
        if not self._done and self._current is not None:
            try:
                st.remove_local(self._current)
            finally:
                self._current = None
        return False  # the staged copy was the only one lineagedb had

    @property
    def path(self) -> Any:
        current = self._current
        if self._done or current is None:
            return None
        if self._uid is not None and not current.exists():
            return None  # pending, and a reader already moved it to its final name
        return st.upath(current)

