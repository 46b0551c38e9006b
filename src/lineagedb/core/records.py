"""What the foundations need from the registries, as one small interface the registries plug in.

Instance set-up, settings and the integrity check read and write a few Storage, User and Artifact rows, but
``core`` sits below ``models`` and never imports it: the Django app (``lineagedb/apps.py``) registers an
implementation of :class:`Records` when the app loads, which ``ensure_connected()`` does before anything
here is called.

>>> from lineagedb.core.records import records
>>> records().storage_at("/data/lake")  # doctest: +SKIP
Storage(uid='...', root='/data/lake', ...)
"""

from __future__ import annotations

from typing import Any, Protocol

from .. import errors


class Records(Protocol):
    """The registry operations the foundations use (``models/_core_records.py`` implements them)."""

    def storage_at(self, root: str) -> Any | None:
        """The Storage record with this root, or None."""

    def is_storage(self, value: Any) -> bool:
        """Whether ``value`` is a Storage record."""

    def register_root(self, root: str, instance_uid: str | None) -> Any:
        """The Storage record of ``root``, registered (managed by ``instance_uid``) when new."""

    def move_root(self, old: str, new: str, instance_uid: str) -> bool:
        """Point the Storage record of ``old`` managed by ``instance_uid`` at ``new`` (unless a record of
        ``new`` exists); True if one moved."""

    def storage_roots(self, instance_uid: str) -> tuple[dict[int, str], dict[int, str]]:
        """``({id: root} of every storage, {id: root} of those ``instance_uid`` manages)``."""

    def user(self, handle: str) -> Any:
        """The User record with this handle, created when missing."""

    def artifact_rows(self, fields: tuple[str, ...]) -> list[tuple[Any, ...]]:
        """These fields of every artifact row (trash included)."""

    def artifact_exists(self, uid: str) -> bool:
        """Whether an artifact row with this uid exists."""


_REGISTERED: list[Records] = []


def register(implementation: Records) -> None:
    """Plug in the registries (called once, when the Django app is ready)."""
    _REGISTERED[:] = [implementation]


def records() -> Records:
    """The registered implementation; raises if the registries were never loaded (no instance connected)."""
    if not _REGISTERED:
        raise errors.InstanceNotSetup(
            "the registries are not loaded: connect an instance first (`lineagedb connect <name>` or ln.connect())"
        )
    return _REGISTERED[0]
