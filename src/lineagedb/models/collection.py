"""The Collection registry: ordered, versioned groups of artifacts."""

from __future__ import annotations

from django.db import models

from ._base import BaseRecord
from ._fields import branch, created_at, created_by, run_field, uid_field
from ._versions import VersionedMixin


class Collection(VersionedMixin, BaseRecord):
    """An ordered set of artifacts; the same members make the same collection.

    >>> ln.Collection([artifact1, artifact2], key="my-collection").save()  # doctest: +SKIP
    """

    _stem_length = 16
    uid = uid_field(20)
    key = models.CharField(max_length=1024, null=True, blank=True, db_index=True)
    description = models.TextField(null=True, blank=True)
    hash = models.CharField(max_length=86, null=True, blank=True, db_index=True)
    version = models.CharField(max_length=30, null=True, blank=True)
    is_latest = models.BooleanField(default=True, db_index=True)
    artifacts = models.ManyToManyField("lineagedb.Artifact", through="lineagedb.CollectionArtifact", related_name="collections")
    meta_artifact = models.OneToOneField("lineagedb.Artifact", models.PROTECT, null=True, blank=True, related_name="_meta_of_collection")
    created_at = created_at()
    updated_at = models.DateTimeField(auto_now=True)
    created_by = created_by()
    run = run_field("output_collections")
    branch = branch()

    class Meta:
        app_label = "lineagedb"

    @property
    def transform(self):  # noqa: ANN201
        return self.run.transform if self.run_id is not None else None


class CollectionArtifact(models.Model):
    """Membership of an artifact in a collection, with its position."""

    collection = models.ForeignKey(Collection, models.CASCADE, related_name="links_artifact")
    artifact = models.ForeignKey("lineagedb.Artifact", models.PROTECT, related_name="links_collection")
    position = models.IntegerField(default=0)

    class Meta:
        app_label = "lineagedb"
        unique_together = [("collection", "artifact")]
        ordering = ["position"]
