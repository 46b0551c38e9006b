"""Sheets saved as artifacts: ``record_type.to_artifact()`` and ``ln.Record.filter(...).to_artifact()``.

The sheet (see ``_sheet``) is written as a csv artifact under ``record_exports/``; the run that made it (a new
run of the export transform ``__lamindb_record_export__``, initiated by the tracked run if any) lists the record
type and every exported record as its inputs (``run.input_records``), so the artifact's lineage leads back to
the records. The artifact and its run are in the record type's space.

>>> artifact = ln.Record.get(name="Samples").to_artifact()  # doctest: +SKIP
>>> artifact.run.input_records.count()  # the type and its records  # doctest: +SKIP
102
"""

from __future__ import annotations

from typing import Any

from .. import errors
from .queryset import Manager, QuerySet

EXPORT_TRANSFORM = "__lamindb_record_export__"  # the transform of every export run (LaminDB's key and uid)
EXPORT_TRANSFORM_UID = "v6KpQx9mRt2B0000"


def _export_run(space_id: int | None) -> Any:
    """A new completed run of the export transform in the space ``space_id``, initiated by the tracked run if
    there is one."""
    from django.utils import timezone

    from ..core.context import get_run
    from .run import Run
    from .transform import Transform

    transform = Transform.filter(key=EXPORT_TRANSFORM, kind="function").order_by("id").first()
    if transform is None:
        transform = Transform(uid=EXPORT_TRANSFORM_UID, key=EXPORT_TRANSFORM, kind="function",
                              description="Export of records as a sheet").save()
    now = timezone.now()
    return Run(transform=transform, status="completed", started_at=now, finished_at=now,
               initiated_by_run=get_run(), space_id=space_id).save()


def export(record_type: Any, ids: list[int] | None, key: str, description: str, link_individual_inputs: bool = True) -> Any:
    """Save the sheet of ``record_type`` (only the records ``ids`` if given) as a csv artifact with lineage; the
    export run lists the type and (``link_individual_inputs``) the exported records as its inputs."""
    import tempfile
    from pathlib import Path

    from ._sheet import sheet_frame
    from .artifact import Artifact

    frame = sheet_frame(record_type, ids=ids)
    records = type(record_type).all().filter(type_id=record_type.pk)
    exported = list((records if ids is None else records.filter(id__in=ids)).values_list("id", flat=True))
    if not link_individual_inputs:
        exported = []
    run = _export_run(record_type.space_id)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(key).name
        frame.to_csv(path)
        artifact = Artifact(path, key=key, description=description, run=run,  # type: ignore[misc]  # the path: positional (Artifact._positional)
                            space_id=record_type.space_id).save()
    run.input_records.add(record_type.pk, *exported)
    return artifact


def record_type_to_artifact(record_type: Any, key: str | None = None, description: str | None = None,
                            link_individual_inputs: bool = True) -> Any:
    """``record_type.to_artifact()``: every record typed under it."""
    if not getattr(record_type, "is_type", False) or record_type.pk is None:
        raise errors.InvalidArgument(
            f"to_artifact() exports a saved record type (is_type=True) with its records, not {record_type!r}; "
            "for some records use ln.Record.filter(...).to_artifact()"
        )
    name = record_type.name or record_type.uid
    return export(record_type, None, key or f"record_exports/{name}.csv", description or f"Export of {name}",
                  link_individual_inputs)


def queryset_to_artifact(queryset: Any, key: str | None = None, description: str | None = None) -> Any:
    """``ln.Record.filter(...).to_artifact()``: the matched records, all of one record type, as a subset sheet."""
    rows = list(queryset.values_list("id", "type_id"))
    types = {t for _, t in rows}
    if len(types) != 1 or None in types:
        raise errors.InvalidArgument(
            f"to_artifact() exports records of one record type; these {len(rows)} records have "
            f"{len(types - {None})} type(s){' and some none' if None in types else ''}: filter by type=... first"
        )
    record_type = queryset.model._meta.concrete_model.objects.get(pk=types.pop())
    name = record_type.name or record_type.uid
    return export(record_type, [i for i, _ in rows], key or f"record_exports/{name}_subset.csv",
                  description or f"Export of {name} subset")


class RecordQuerySet(QuerySet):
    """A QuerySet of records that can be saved as a sheet artifact."""

    def to_dataframe(self, include: str | list[str] | None = None, features: bool | list[str] = False,
                     limit: int | None = 100) -> Any:
        """As for every registry; records of one record type with their features (``include="features"`` or
        ``features=``) come as that type's sheet restricted to them, in the queryset's order.

        >>> ln.Record.filter(type=samples).order_by("-id").to_dataframe(include="features")  # doctest: +SKIP
        """
        wants = [include] if isinstance(include, str) else list(include or [])
        if features or "features" in wants:
            record_type = _single_type(self if limit is None else self[:limit])
            if record_type is not None:
                from ._sheet import sheet_frame

                ids = list((self if limit is None else self[:limit]).values_list("id", flat=True))
                return sheet_frame(record_type, features if isinstance(features, list) else None, ids=ids)
        return super().to_dataframe(include=include, features=features, limit=limit)

    df = to_dataframe

    def to_artifact(self, key: str | None = None, description: str | None = None) -> Any:
        """The matched records (all of one record type) as a csv artifact under ``record_exports/``, its run
        listing them and their type as inputs.

        >>> ln.Record.filter(type=samples, name__startswith="S1").to_artifact()  # doctest: +SKIP
        """
        return queryset_to_artifact(self, key=key, description=description)


def _single_type(queryset: Any) -> Any:
    """The record type all records of ``queryset`` are typed under, or None (mixed, untyped or empty)."""
    types = set(queryset.values_list("type_id", flat=True))
    if len(types) != 1 or None in types:
        return None
    return queryset.model._meta.concrete_model.objects.get(pk=types.pop())


class RecordManager(Manager.from_queryset(RecordQuerySet)):  # type: ignore[misc]
    """Record's default manager (trash hidden as for every registry), with :class:`RecordQuerySet`."""

    def get_queryset(self) -> RecordQuerySet:
        return RecordQuerySet(self.model, using=self._db)
