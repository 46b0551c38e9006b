"""What label registries with types and parents share (Record, ULabel, Project, Reference).

A registry mixes in :class:`HasType` (a ``type`` FK to itself and ``is_type``) and/or :class:`HasParents`
(a ``parents`` M2M to itself with ``related_name="children"``), and declares its instance query once::

    class ULabel(HasType, HasParents, BaseRecord):
        query_ulabels = HasType.query_instances

>>> experiment = ln.ULabel(name="Experiment", is_type=True).save()  # doctest: +SKIP
>>> ln.ULabel(name="Experiment 1", type=experiment).save().query_types()  # doctest: +SKIP
[ULabel(name='Experiment', is_type=True)]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from .. import errors
from ._mixin import RegistryMixin
from ._trash import MAIN, TRASH


def _reach(model: Any, start: set[int], column: str, target: str) -> set[int]:
    """Ids reachable from ``start`` by following ``column -> target`` pairs of ``model`` (cycles safe)."""
    seen: set[int] = set()
    frontier = set(start)
    while frontier:
        found = set(model.objects.filter(**{f"{column}__in": frontier}).values_list(target, flat=True)) - seen
        found.discard(None)
        seen |= found
        frontier = found
    return seen


def unique_name_in_type(model_name: str) -> list[Any]:
    """The constraints of a typed registry: a name is unique among the records of one type, and among the
    untyped ones (``Meta.constraints = unique_name_in_type("record")``)."""
    from django.db import models
    from django.db.models import Q

    return [
        models.UniqueConstraint(fields=["type", "name"], name=f"{model_name}_name_unique_in_type"),
        models.UniqueConstraint(fields=["name"], condition=Q(type__isnull=True), name=f"{model_name}_name_unique_untyped"),
    ]


def not_a_type(model: Any, kind: Any) -> errors.ValidationError:
    """The error for ``type=kind`` where ``kind`` is a record of ``model`` that is not a type (``is_type=False``)."""
    name = model._meta.concrete_model.__name__
    return errors.ValidationError(
        f"You can only assign a {name.lower()} with `is_type=True` as `type` to another {name.lower()}, but {kind!r} "
        f"has is_type=False; create a type with ln.{name}(name=..., is_type=True).save()"
    )


class HasType(RegistryMixin):
    """A registry whose records can be grouped under a type record of the same registry (``is_type=True``)."""

    if TYPE_CHECKING:  # the fields each registry with types declares
        uid: str
        name: str | None
        type: Any
        type_id: int | None
        is_type: bool

    def check_type(self) -> None:
        """Refuse a ``type`` that is not a type record of this registry, or a type cycle."""
        kind = getattr(self, "type", None) if getattr(self, "type_id", None) is not None else None
        if kind is None:
            return
        if not getattr(kind, "is_type", False):
            raise not_a_type(type(self), kind)
        seen, current = {self.pk} if self.pk is not None else set(), kind
        while current is not None:
            if current.pk in seen:
                raise errors.ValidationError(f"type {kind!r} of {self!r} would create a cycle of types; pick another type")
            seen.add(current.pk)
            current = current.type if current.type_id is not None else None

    _adopts_existing = True  # ln.save() and save() return the stored record of the same name and type

    def save(self, *args: Any, **kwargs: Any) -> Any:
        """Save after checking the type; a record of the same name in the same type that exists is returned instead."""
        self.check_type()
        if self._state.adding and self.name:
            existing = type(self).objects.filter(name=self.name, type_id=self.type_id).first()
            if existing is not None:
                return self._adopt(existing)  # a trashed one comes back
            trashed = type(self).objects.filter(uid=self.uid, branch=TRASH).values_list("pk", "created_at").first()
            if trashed is not None:  # a new record with the uid of a trashed one takes it out of the trash
                (self.pk, self.created_at), self.branch = trashed, MAIN
                self._state.adding = False
        if not (self._state.adding and self.name):
            return super().save(*args, **kwargs)
        from django.db import IntegrityError, transaction

        try:
            with transaction.atomic():  # a savepoint: a lost race leaves the caller's transaction usable
                return super().save(*args, **kwargs)
        except IntegrityError:  # another process saved the same name meanwhile: return its record
            self._state.adding = True
            existing = type(self).objects.filter(name=self.name, type_id=self.type_id).first()
            if existing is None:
                raise
            return self._adopt(existing)

    @classmethod
    def from_values(cls, values: Any, field: Any = "name", create: bool = False) -> list[Any]:
        """The stored records whose ``field`` matches one of ``values`` (one per distinct value, in order);
        ``create=True`` adds new unsaved records for the values that match none.

        >>> ln.Record.from_values(["DMSO", "IFNG"], field=ln.Record.name)  # doctest: +SKIP
        """
        name = getattr(getattr(field, "field", None), "name", field)
        if not isinstance(name, str):
            raise errors.InvalidArgument(f"field must be a field name or a field such as ln.{cls.__name__}.name, not {field!r}")
        wanted = list(dict.fromkeys(str(v) for v in values if v is not None and str(v) != ""))
        found: dict[str, Any] = {}
        for i in range(0, len(wanted), 900):
            for record in cls.all().filter(**{f"{name}__in": wanted[i:i + 900]}).order_by("id"):
                found.setdefault(getattr(record, name), record)
        out = [found[v] for v in wanted if v in found]
        if create:
            out += [cls(**{name: v}) for v in wanted if v not in found]
        return out

    def query_types(self) -> list[Any]:
        """The type of this record, its type's type, ... nearest first.

        >>> instance.query_types()  # doctest: +SKIP
        [ULabel(name='Type3'), ULabel(name='Type2'), ULabel(name='Type1')]
        """
        out: list[Any] = []
        seen: set[int] = set()
        current = self.type if getattr(self, "type_id", None) is not None else None
        while current is not None and current.pk not in seen:
            out.append(current)
            seen.add(current.pk)
            current = current.type if current.type_id is not None else None
        return out

    def query_instances(self) -> Any:
        """Every record under this type, directly or through sub-types (trashed ones hidden).

        Registries expose it under their own name: ``type1.query_records()``, ``type1.query_ulabels()``.
        """
        model = type(self)._concrete_registry()
        ids = _reach(model, {self.pk}, "type_id", "id")
        return type(self).all().filter(id__in=ids)

    def delete(self, permanent: bool | None = None) -> Any:  # type: ignore[override]  # as BaseRecord.delete
        """The shared rules of ``BaseRecord.delete`` (see ``_trash``); a type takes the records under it along
        to the trash and is removed for good only once no record is typed under it.

        >>> experiment_type.delete()  # doctest: +SKIP - the type and its records go to the trash
        """
        from ._trash import check_permanent

        model = type(self)._concrete_registry()
        if self.pk is None or self._state.adding:
            return None
        if check_permanent(model, permanent) and model.objects.filter(type_id=self.pk).exists():
            raise errors.InvalidArgument(
                f"{self!r} is the type of other records; delete or re-type them first, then delete it"
            )
        with transaction.atomic():
            result = super().delete(permanent=permanent)
            if not permanent and getattr(self, "is_type", False):
                model.objects.filter(id__in=_reach(model, {self.pk}, "type_id", "id")).update(branch=TRASH)
        return result

    def restore(self) -> Any:
        """Take this record (and, for a type, the records under it) out of the trash."""
        with transaction.atomic():
            super().restore()
            if getattr(self, "is_type", False):
                model = type(self)._concrete_registry()
                model.objects.filter(id__in=_reach(model, {self.pk}, "type_id", "id")).update(branch=MAIN)
        return self


class HasParents(RegistryMixin):
    """A registry whose records form a hierarchy through ``parents`` / ``children``."""

    if TYPE_CHECKING:  # the field each registry with a hierarchy declares
        parents: Any

    def query_parents(self) -> Any:
        """All ancestors (parents, their parents, ...) as a query.

        >>> label3.query_parents()  # doctest: +SKIP
        """
        through = type(self).parents.through
        src, dst = _through_columns(through)
        return type(self).all().filter(id__in=_reach(through, {self.pk}, src, dst))

    def query_children(self) -> Any:
        """All descendants (children, their children, ...) as a query."""
        through = type(self).parents.through
        src, dst = _through_columns(through)
        return type(self).all().filter(id__in=_reach(through, {self.pk}, dst, src))

    def view_parents(self, field: Any = None, distance: int = 2, with_children: bool = False) -> str | None:
        """Print the parents up to ``distance`` levels (and children with ``with_children=True``).

        >>> label.view_parents(distance=1)  # doctest: +SKIP
        """
        from ._hierarchy import view_parents

        return view_parents(self, distance=distance, with_children=with_children)


def _through_columns(through: Any) -> tuple[str, str]:
    """(child column, parent column) of a self M2M ``parents`` table: ``from_x_id`` holds the child."""
    names = [f.attname for f in through._meta.concrete_fields if f.attname.endswith("_id")]
    src = next(n for n in names if n.startswith("from_"))
    dst = next(n for n in names if n.startswith("to_"))
    return src, dst

