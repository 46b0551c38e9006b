"""Deleting records: the trash (``branch = -1``) for registries that have one, removal for the others.

Every registry shares these rules (Artifact and Collection add their bytes and members on top):

- ``record.delete()`` moves a record of a registry with a ``branch`` to the trash (hidden from queries;
  ``Model.filter(branch=-1)`` lists it) and removes a record of a registry without one (Storage, User);
- ``record.delete(permanent=True)`` removes the row and returns Django's ``(count, {label: count})``;
- ``record.delete(permanent=False)`` on a registry without a trash is refused rather than removing;
- a record never saved has nothing to delete: ``delete()`` returns None and changes nothing;
- ``record.restore()`` takes a record out of the trash; in a version family the newest version not in
  the trash is the latest one.

>>> ln.Record(name="x").save().delete()                  # doctest: +SKIP
>>> ln.Record.filter(name="x", branch=-1).delete(permanent=True)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.db import transaction

from .. import errors

if TYPE_CHECKING:
    from django.db.models import Model

    from ._versions import VersionedMixin

TRASH, MAIN = -1, 1


def branch_attname(model: type[Model]) -> str | None:
    """The column holding a record's branch (``branch`` or ``branch_id``), None for registries without one
    (or whose ``branch`` is not a trash marker: ``_has_trash = False``, e.g. BranchBlock's branch FK)."""
    if getattr(model, "_has_trash", True) is False:
        return None
    return next((f.attname for f in model._meta.concrete_fields if f.name == "branch"), None)


def has_branch_column(model: type[Model]) -> bool:
    """Whether records of ``model`` live on a branch (an integer ``branch`` column: main, trash, a contribution);
    ``_has_trash`` says whether ``delete()`` moves them to the trash (BranchBlock's ``branch`` FK is not one)."""
    return any(f.attname == "branch" for f in model._meta.concrete_fields)


def is_trashed(record: Any) -> bool:
    attname = branch_attname(type(record))
    return attname is not None and getattr(record, attname) == TRASH


def check_permanent(model: type[Model], permanent: bool | None) -> bool:
    """Whether a delete removes rows: ``None`` means the trash where there is one, else removal."""
    has_trash = branch_attname(model) is not None
    if permanent is False and not has_trash:
        raise errors.InvalidArgument(
            f"{model.__name__} records have no trash: delete them with delete(permanent=True), or keep them"
        )
    return bool(permanent) or not has_trash


def delete_record(record: Any, permanent: bool | None, remove: Any) -> tuple[int, dict[str, int]] | None:
    """``record.delete(permanent)``; ``remove`` is Django's row deletion of the record."""
    model = type(record)
    removing = check_permanent(model, permanent)
    if record.pk is None or record._state.adding:
        return None
    attname = branch_attname(model)
    if removing or attname is None:  # (no branch column: check_permanent said removing)
        with transaction.atomic():
            result = remove()
            _refresh_family(record)
        return result
    if getattr(record, attname) == TRASH:
        _info(f"{model.__name__} {record.uid} is already in the trash; delete(permanent=True) removes it for good")
        return None
    updates: dict[str, Any] = {attname: TRASH}
    if hasattr(record, "is_latest"):
        updates["is_latest"] = False
    with transaction.atomic():
        model.objects.filter(pk=record.pk).update(**updates)
        _refresh_family(record)
    for name, value in updates.items():
        setattr(record, name, value)
    return None


def _info(message: str) -> None:
    from ..core.user_settings import settings

    if settings.verbosity in ("info", "debug"):
        print(f"→ {message}")


def restore_record(record: Any) -> Any:
    """Take ``record`` out of the trash (back to the main branch) and return it."""
    model = type(record)
    attname = branch_attname(model)
    if attname is None:
        raise errors.InvalidArgument(f"{model.__name__} records have no trash to restore from")
    if record.pk is None:
        raise errors.InvalidArgument(f"this {model.__name__} was never saved; there is nothing to restore")
    with transaction.atomic():
        model.objects.filter(pk=record.pk).update(**{attname: MAIN})
        _refresh_family(record)
    setattr(record, attname, MAIN)
    if hasattr(record, "is_latest"):
        record.refresh_from_db(fields=["is_latest"])
    return record


def trash_rows(queryset: Any) -> None:
    """Move every record of ``queryset`` to the trash in one update (registries without per-record rules)."""
    model = queryset.model
    attname = branch_attname(model)
    if attname is None:
        raise errors.InvalidArgument(f"{model.__name__} records have no trash: delete them with delete(permanent=True)")
    updates: dict[str, Any] = {attname: TRASH}
    if hasattr(model, "is_latest"):
        updates["is_latest"] = False
    with transaction.atomic():
        stems = _stems(queryset)
        queryset.update(**updates)
        _refresh_families(model, stems)


def delete_rows(queryset: Any, remove: Any) -> Any:
    """Remove every record of ``queryset``; version families get their latest version back."""
    with transaction.atomic():
        stems = _stems(queryset)
        result = remove()
        _refresh_families(queryset.model, stems)
    return result


def _stems(queryset: Any) -> set[str]:
    model = queryset.model
    if not hasattr(model, "_stem_length") or not hasattr(model, "is_latest"):
        return set()
    return {uid[: model._stem_length] for uid in queryset.values_list("uid", flat=True)}


def _refresh_family(record: Any) -> None:
    model = type(record)
    if hasattr(model, "_stem_length") and hasattr(model, "is_latest") and record.uid:
        _refresh_families(model, {record.uid[: model._stem_length]})


def _refresh_families(model: type[Model], stems: set[str]) -> None:
    """Give each family ``stems`` of ``model`` (a versioned registry where there are stems) its latest versions."""
    from ._versions import refresh_latest

    for stem in stems:
        refresh_latest(cast("type[VersionedMixin]", model), stem)
