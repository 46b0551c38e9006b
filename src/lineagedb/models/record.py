"""The Record registry: universal labels with types and a hierarchy."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

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


ArtifactRecord = label_link("Record", app_label="lineagedb", module=__name__, accessor="records")
