"""Stores: where an artifact's bytes are placed, in step with the transaction that writes its row.

A :class:`Store` is one storage root this instance writes into (``<root>/.lineagedb/``, names in
``core/storage.py``). ``store.place(source)`` brings a local file or folder into the store and hashes it on the
way; the :class:`Placement` it returns follows the row's transaction::

    placement = store_for(root).place(path, suffix=".csv")  # staged and hashed: placement.hashed
    planned = placement.prepare(plan_uid)  # before the transaction: slow transfers (uploads)
    with transaction.atomic():
        placement.assign(uid)               # inside it: the bytes wait at .tmp-<uid><suffix>
        ...                                 # write the row
    placement.commit()                      # after the commit: the bytes move to <uid><suffix>
    # or, when the transaction rolls back or anything fails: placement.discard()

Two stores: :class:`~lineagedb.core.store._local.LocalStore` (a local folder: copy-and-hash into
``.tmp-stage-*``, ``os.replace`` renames) and :class:`~lineagedb.core.store._fsspec.FsspecStore` (S3 and
any fsspec URL: hash locally, upload before the transaction, server-side renames). Both pass
``tests/s3/test_store_conformance.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .. import storage as st
from ._local import LocalPlacement, LocalStore

if TYPE_CHECKING:
    from ..hashing import Hashed

__all__ = ["Placement", "Store", "store_for", "LocalPlacement"]


class Placement(Protocol):
    """Bytes on their way to ``<root>/.lineagedb/<uid><suffix>``, committed or discarded with a transaction."""

    suffix: str
    hashed: Hashed  # the content hash, size and file count, computed while the bytes were placed

    @property
    def store(self) -> Store:
        """The store the bytes are placed in."""
        ...

    def prepare(self, plan_uid: Callable[[], str | None]) -> str | None:
        """Do slow work (an upload) before the row's transaction, so it holds no database lock meanwhile.

        ``plan_uid()`` is asked only when the store needs a name up front: the uid the row will get if that
        is known before the transaction (a new family), else None. Returns the uid planned for (the row must
        then get it if it starts a new family), or None.
        """
        ...

    def assign(self, uid: str) -> None:
        """Inside the transaction, before the row is written: put the bytes at their pending name for ``uid``.

        May be called again with another uid (the transaction was retried).
        """
        ...

    def commit(self) -> Any:
        """After the row committed: move the bytes to ``<uid><suffix>`` and return that path.

        A reader that found the row first may have moved them already (:meth:`Store.roll_forward`): that is fine.
        """
        ...

    def discard(self) -> bool:
        """Remove the staged or pending bytes (never committed ones, never a source the caller owns).

        Returns whether the placement can still be prepared and assigned again (its bytes still come from
        the caller's own source), else it is spent.
        """
        ...

    @property
    def path(self) -> st.UPath | None:
        """Where the bytes can be read before :meth:`commit`, or None (not in the store yet, or already final)."""
        ...


class Store(Protocol):
    """A storage root this instance writes artifacts into."""

    root: str

    def place(self, source: Path, *, suffix: str | None = None, move: bool = False) -> Placement:
        """Bring a local file or folder into the store, hashing it on the way.

        ``suffix`` defaults to the source's (:func:`~lineagedb.core.storage.suffix_of`); ``move=True`` takes
        the source over (a temporary serialization): it is moved, or removed once placed or discarded.
        A failing copy (a full disk) raises StorageError and leaves nothing behind.
        """
        ...

    def scratch_path(self, suffix: str) -> Path:
        """A fresh local file name to serialize an object into before ``place(path, move=True)`` (cheapest there)."""
        ...

    def final_path(self, uid: str, suffix: str) -> st.UPath:
        """Where a committed artifact's bytes live: ``<root>/.lineagedb/<uid><suffix>``."""
        ...

    def roll_forward(self, uid: str, suffix: str) -> bool:
        """Finish a placement whose row committed but whose bytes still wait; True if they are now final."""
        ...

    def hide(self, uid: str, suffix: str) -> Callable[[], None] | None:
        """Move committed bytes to their pending name before their row is deleted; returns an undo (None: none)."""
        ...

    def remove_pending(self, uid: str, suffix: str) -> None:
        """Remove hidden bytes once the row's deletion committed."""
        ...


def store_for(root: Any) -> Store:
    """The store of a storage root (a local folder, or any fsspec URL such as ``s3://bucket/prefix``)."""
    if st.is_local(root):
        return LocalStore(root)
    from ._fsspec import FsspecStore

    return FsspecStore(root)

