"""The store of a remote root (S3 or any fsspec URL): bytes are hashed locally and uploaded before the transaction.

Uploads and renames go through ``core/_cloud.py`` (multipart uploads, server-side copies, errors that name
the bucket). A file's upload is all-or-nothing, so a file goes straight to its final name whenever its uid is
known; a folder waits at ``.tmp-<uid><suffix>/`` until its row commits.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ... import errors
from .. import hashing
from .. import storage as st
from ._base import ManagedRoot


class FsspecStore(ManagedRoot):
    """A storage root reached through fsspec (``s3://bucket/prefix``, ``gs://...``, ``memory://...``)."""

    def place(self, source: Path, *, suffix: str | None = None, move: bool = False) -> FsspecPlacement:
        suffix = st.suffix_of(source.name) if suffix is None else suffix
        return FsspecPlacement(self, suffix, source, hashing.hash_path(source), owns_source=move)

    def scratch_path(self, suffix: str) -> Path:
        from ..uids import base62

        return Path(tempfile.gettempdir()) / f"lineagedb-{base62(12)}{suffix}"


class FsspecPlacement:
    """A local source on its way to a remote store: uploaded by :meth:`prepare` (or :meth:`assign`), renamed there.

    ``source`` stays the caller's unless ``owns_source`` (a temporary serialization: removed once committed or
    discarded). While the caller's source exists, a discarded placement can be prepared again.
    """

    def __init__(self, store: FsspecStore, suffix: str, source: Path, hashed: hashing.Hashed, *,
                 owns_source: bool = False) -> None:
        self.store, self.suffix, self.hashed = store, suffix, hashed
        self.source, self.owns_source = source, owns_source
        self._current: Any = None  # the UPath the bytes were uploaded to, if any
        self._uid: str | None = None
        self._done = False

    def __repr__(self) -> str:
        return f"FsspecPlacement({self.source} -> {self._current or self.store.root})"

    def _target(self, uid: str, *, pending: bool) -> Any:
        name = st.pending_path if pending else st.managed_path
        return name(self.store.root, uid, self.suffix)

    def prepare(self, plan_uid: Callable[[], str | None]) -> str | None:
        """Upload now, before the row's transaction opens: the database's write lock is not held during the transfer.

        With a planned uid (the first version of a new family, whose random uid no other writer can take) a file
        goes straight to ``<uid><suffix>`` and a folder to ``.tmp-<uid><suffix>``; without one (a new version of an
        existing family, whose uid is only known under the family lock) the bytes go to a fresh ``.tmp-stage-*``
        name and :meth:`assign` renames them server-side inside the transaction. A failed folder upload removes
        what it uploaded.
        """
        if self._current is not None:
            return None
        planned = plan_uid()
        if planned is None:
            target = st.new_stage_path(self.store.root, self.suffix)
        else:
            target = self._target(planned, pending=self.source.is_dir())
        st.upload(self.source, target)
        self._current = target
        return planned

    def assign(self, uid: str) -> None:
        """A file goes to its final name (an uploaded object is complete or absent, and :meth:`discard` removes it
        if the row does not commit); a folder to ``.tmp-<uid><suffix>/``. Uploads now if :meth:`prepare` did not."""
        target = self._target(uid, pending=self.source.is_dir())
        if self._current is None:  # not uploaded by prepare(): upload now
            st.upload(self.source, target)
        elif str(self._current) != str(target):  # uploaded under another name: rename server-side
            st.move_entry(self._current, target)
        self._current, self._uid = target, uid

    def commit(self) -> Any:
        if self._uid is None or self._current is None:
            raise errors.StorageError(f"nothing is pending in {self.store.root}: assign a uid inside the transaction first")
        final = self._target(self._uid, pending=False)
        if str(self._current) != str(final):  # a folder: rename now (a file is already there)
            try:
                st.move_entry(self._current, final)
            except OSError:  # a reader may have rolled the committed bytes forward first (roll_forward)
                if not (st.entry_exists(final) and not st.entry_exists(self._current)):
                    raise
        self._current, self._done = final, True
        self._drop_source()
        return final

    def discard(self) -> bool:
        if self._done:
            return False
        try:
            if self._current is not None:
                st.remove_entry(self._current)
        finally:
            self._current = None
            self._drop_source()
        return self.source.exists()

    def _drop_source(self) -> None:
        if self.owns_source:
            st.remove_local(self.source)

    @property
    def path(self) -> Any:
        return None if self._done or self._current is None else st.upath(self._current)
