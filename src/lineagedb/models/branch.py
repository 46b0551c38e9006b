"""The Branch and Space registries.

Branches: ``main`` (id 1), ``trash`` (id -1) and ``archive`` (id 0) exist in every instance; a record's
``branch_id`` says where it lives (``artifact.delete()`` moves it to the trash). Spaces: ``all`` (id 1).

>>> ln.Branch.get(name="main")  # doctest: +SKIP
>>> ln.Branch(name="my-contribution").save()  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.query_utils import DeferredAttribute

from .. import errors
from ._base import BaseRecord
from ._fields import created_at, uid_field

DEFAULT_BRANCHES = ((1, "main", "The main branch."), (-1, "trash", "Records moved to the trash."),
                    (0, "archive", "Archived records."))
DEFAULT_SPACES = ((1, "all", "Every user of the instance sees the records of this space."),)


class _Stripped(DeferredAttribute):
    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value.strip() or None if isinstance(value, str) else value


class StrippedCharField(models.CharField):
    """A CharField whose value is stripped of surrounding whitespace when set (an empty string becomes None)."""

    descriptor_class = _Stripped


class _Plain(BaseRecord):
    uid = uid_field(12)
    name = models.CharField(max_length=100, unique=True, db_index=True)
    description = models.TextField(null=True, blank=True)
    created_at = created_at()
    created_by = models.ForeignKey("lineagedb.User", models.PROTECT, null=True, blank=True, related_name="+")

    _defaults: tuple = ()

    class Meta:
        abstract = True

    def delete(self, permanent: bool | None = None, **_: Any) -> None:  # type: ignore[override]  # trash semantics (see BaseRecord.delete)
        """Delete for good (branches and spaces have no trash); the built-in ones cannot be deleted."""
        if self.pk is None:
            raise errors.InvalidArgument(f"{self!r} was never saved; there is nothing to delete")
        if any(self.pk == pk for pk, _, _ in self._defaults):
            raise errors.InvalidArgument(f"{self!r} is built in and cannot be deleted")
        from django.db.models import ProtectedError

        try:
            type(self).objects.filter(pk=self.pk).delete_rows()
        except ProtectedError as e:
            users = sorted({type(o).__name__ for o in e.protected_objects})
            raise errors.InvalidArgument(
                f"{type(self).__name__} {self.name!r} still holds records ({', '.join(users)}); move them to "
                f"another {type(self).__name__.lower()} or delete them for good (permanent=True) first"
            ) from None
        self.pk = self.id = None

    def save(self, *args: Any, **kwargs: Any) -> Any:
        if self._state.adding and self.created_by_id is None:
            from ..core.instance import current_user

            self.created_by_id = current_user().id
        return super().save(*args, **kwargs)


class Branch(_Plain):
    """A branch of the instance's records: ``main``, ``trash``, ``archive`` or one you create."""

    emoji = StrippedCharField(max_length=16, null=True, blank=True)
    _defaults = DEFAULT_BRANCHES
    _has_notes = True

    class Meta:
        app_label = "lineagedb"

    @property
    def notes(self) -> str | None:
        """The content of this branch's latest readme block (see ``ln.models.BranchBlock``), or None."""
        from .block import latest_readme

        return latest_readme(self.blocks)


class Space(_Plain):
    """A space that scopes who sees records; every instance has the space ``all``."""

    _defaults = DEFAULT_SPACES

    class Meta:
        app_label = "lineagedb"


def seed_defaults(using: str = "default") -> None:
    """Create the built-in branches and spaces where missing (runs after every migrate)."""
    from django.db import connections

    for model in (Branch, Space):
        missing = [(pk, n, d) for pk, n, d in model._defaults if not model.objects.using(using).filter(pk=pk).exists()]
        if not missing:
            continue
        model.objects.using(using).bulk_create([model(id=pk, name=n, description=d) for pk, n, d in missing])
        conn = connections[using]
        if conn.vendor == "postgresql":  # explicit ids: move the id sequence past them
            table = model._meta.db_table
            with conn.cursor() as cur:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                            f"GREATEST((SELECT MAX(id) FROM \"{table}\"), 1))")
