"""The registries' side of ``core.records``: the few Storage, User and Artifact operations the foundations use
(``lineagedb/apps.py`` registers :class:`CoreRecords` when the app loads)."""

from __future__ import annotations

from typing import Any

from .artifact import Artifact
from .storage import Storage
from .user import User


class CoreRecords:
    """Implements ``lineagedb.core.records.Records`` with the registries."""

    def storage_at(self, root: str) -> Storage | None:
        return Storage.objects.filter(root=root).first()

    def is_storage(self, value: Any) -> bool:
        return isinstance(value, Storage)

    def register_root(self, root: str, instance_uid: str | None) -> Storage:
        return Storage.register_root(root, instance_uid=instance_uid)

    def move_root(self, old: str, new: str, instance_uid: str) -> bool:
        if Storage.objects.filter(root=new).exists():
            return False
        return bool(Storage.objects.filter(root=old, instance_uid=instance_uid).update(root=new))

    def storage_roots(self, instance_uid: str) -> tuple[dict[int, str], dict[int, str]]:
        every = dict(Storage.objects.values_list("id", "root"))
        managed = dict(Storage.objects.filter(instance_uid=instance_uid).values_list("id", "root"))
        return every, managed

    def user(self, handle: str) -> User:
        user = User.objects.filter(handle=handle).first()
        return user if user is not None else User(handle=handle, name=handle).save()

    def artifact_rows(self, fields: tuple[str, ...]) -> list[tuple[Any, ...]]:
        return list(Artifact.objects.values_list(*fields))

    def artifact_exists(self, uid: str) -> bool:
        return Artifact.objects.filter(uid=uid).exists()
