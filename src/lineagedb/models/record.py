"""The Record registry: universal labels with types and a hierarchy."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from .. import errors
from ._base import BaseRecord
from ._fields import branch, created_at, created_by, run_field, uid_field
from ._labels import label_link


class Record(BaseRecord):
    """A label (``ln.Record(name="DMSO")``) or a label type (``ln.Record(name="Experiment", is_type=True)``).

    >>> experiment_type = ln.Record(name="Experiment", is_type=True).save()  # doctest: +SKIP
    >>> ln.Record(name="Experiment 1", type=experiment_type).save()  # doctest: +SKIP
    """

    uid = uid_field(16)
    name = models.CharField(max_length=150, db_index=True)
    description = models.TextField(null=True, blank=True)
    type = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="records")
    is_type = models.BooleanField(default=False, db_index=True)
    reference = models.CharField(max_length=255, null=True, blank=True)
    parents = models.ManyToManyField("self", symmetrical=False, related_name="children", blank=True)
    artifacts = models.ManyToManyField("lineagedb.Artifact", through="lineagedb.ArtifactRecord", related_name="records")
    created_at = created_at()
    created_by = created_by()
    run = run_field()
    branch = branch()

    class Meta:
        app_label = "lineagedb"
        constraints = [
            models.UniqueConstraint(fields=["type", "name"], name="record_name_unique_in_type"),
            models.UniqueConstraint(fields=["name"], condition=Q(type__isnull=True), name="record_name_unique_untyped"),
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not args:
            if kwargs and kwargs.keys() <= _SIMPLE_KWARGS:
                _fast_init(self, kwargs)  # ln.Record(name=...) by the ten thousand: skip the generic set-up
                return
            kind = kwargs.get("type")
            if kind is not None and not getattr(kind, "is_type", False):
                raise errors.ValidationError(
                    f"type={kind!r} is not a record type; create one with ln.Record(name=..., is_type=True).save()"
                )
        super().__init__(*args, **kwargs)

    def save(self, *args: Any, **kwargs: Any) -> Record:
        """Save; a record with the same name in the same type that exists already is returned instead."""
        if not (self._state.adding and self.name):
            return super().save(*args, **kwargs)
        existing = type(self).objects.filter(name=self.name, type_id=self.type_id).first()
        if existing is not None:
            return self._become(existing)
        from django.db import IntegrityError, transaction

        try:
            with transaction.atomic():  # a savepoint: a lost race leaves the caller's transaction usable
                return super().save(*args, **kwargs)
        except IntegrityError:  # another process saved the same name meanwhile: return its record
            self._state.adding = True
            existing = type(self).objects.filter(name=self.name, type_id=self.type_id).first()
            if existing is None:
                raise
            return self._become(existing)

    def _become(self, existing: Record) -> Record:
        """Take over the stored record's fields (get-or-create by name and type)."""
        self.__dict__.update({k: v for k, v in existing.__dict__.items() if k != "_state"})
        self._state.adding, self._state.db = False, existing._state.db
        return self


_SIMPLE_KWARGS = frozenset({"name", "description", "reference", "is_type"})
_PLAN: list[tuple[str, Any]] = []


def _fast_init(record: Record, kwargs: dict[str, Any]) -> None:
    """What ``Model.__init__`` does for plain keyword fields, with the field plan computed once."""
    from django.db.models.base import ModelState
    from django.db.models.signals import post_init, pre_init

    if not _PLAN:
        for f in Record._meta.concrete_fields:
            _PLAN.append((f.attname, f._get_default))  # Django's own default getter of the field
    if pre_init.has_listeners(Record) or post_init.has_listeners(Record):
        return models.Model.__init__(record, **kwargs)
    record._state = ModelState()
    values = record.__dict__
    for attname, default in _PLAN:
        values[attname] = kwargs[attname] if attname in kwargs else default()
    return None


ArtifactRecord = label_link("Record", app_label="lineagedb", module=__name__, accessor="records")
