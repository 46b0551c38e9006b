"""The ULabel registry: LaminDB's simple labels, with types and parents like Record.

>>> perturbation = ln.ULabel(name="Perturbation", is_type=True).save()  # doctest: +SKIP
>>> dmso = ln.ULabel(name="DMSO", type=perturbation).save()  # doctest: +SKIP
>>> artifact.ulabels.add(dmso)  # doctest: +SKIP
"""

from __future__ import annotations

from django.db import models

from ._fields import uid_field
from ._labels import label_link
from ._tracked import Tracked
from ._typed import HasParents, HasType, unique_name_in_type


class ULabel(HasType, HasParents, Tracked):
    """A label (``ln.ULabel(name="DMSO")``) or a label type (``is_type=True``); link it with ``artifact.ulabels``."""

    uid = uid_field(8)
    name = models.CharField(max_length=150, db_index=True)
    description = models.TextField(null=True, blank=True)
    type = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="ulabels")
    is_type = models.BooleanField(default=False, db_index=True)
    reference = models.CharField(max_length=255, null=True, blank=True)
    reference_type = models.CharField(max_length=25, null=True, blank=True)
    parents = models.ManyToManyField("self", symmetrical=False, related_name="children", blank=True)
    artifacts = models.ManyToManyField("lineagedb.Artifact", through="lineagedb.ArtifactULabel", related_name="ulabels")
    transforms = models.ManyToManyField("lineagedb.Transform", related_name="ulabels", blank=True)
    runs = models.ManyToManyField("lineagedb.Run", related_name="ulabels", blank=True)
    collections = models.ManyToManyField("lineagedb.Collection", related_name="ulabels", blank=True)
    records = models.ManyToManyField("lineagedb.Record", related_name="ulabels", blank=True)

    class Meta:
        app_label = "lineagedb"
        constraints = unique_name_in_type("ulabel")

    query_ulabels = HasType.query_instances


ArtifactULabel = label_link("ULabel", app_label="lineagedb", module=__name__, accessor="ulabels", field="ulabel")
