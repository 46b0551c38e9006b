"""The Artifact registry: files, folders and in-memory objects in storage."""

from __future__ import annotations

from django.db import models

from ._base import BaseRecord
from ._fields import branch, created_at, created_by, run_field, uid_field
from ._versions import VersionedMixin


class Artifact(VersionedMixin, BaseRecord):
    """A dataset, model or any file or folder, versioned and content-hashed.

    >>> ln.Artifact("./my_data.fcs", key="my_data.fcs").save()  # doctest: +SKIP
    >>> ln.Artifact.from_dataframe(df, key="my_datasets/rnaseq1.parquet").save()  # doctest: +SKIP
    """

    _stem_length = 16
    uid = uid_field(20)
    key = models.CharField(max_length=1024, null=True, blank=True, db_index=True)
    description = models.TextField(null=True, blank=True)
    storage = models.ForeignKey("lineagedb.Storage", models.PROTECT, related_name="artifacts")
    suffix = models.CharField(max_length=30, default="", blank=True)
    size = models.BigIntegerField(null=True, blank=True, db_index=True)
    hash = models.CharField(max_length=86, null=True, blank=True, db_index=True)
    hash_type = models.CharField(max_length=30, null=True, blank=True)
    n_files = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=20, null=True, blank=True, db_index=True)
    otype = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    n_observations = models.BigIntegerField(null=True, blank=True)
    version = models.CharField(max_length=30, null=True, blank=True)
    is_latest = models.BooleanField(default=True, db_index=True)
    # path relative to the storage root for in-place registered artifacts; None: managed at .lineagedb/<uid><suffix>
    _real_key = models.CharField(max_length=1024, null=True, blank=True, db_column="real_key")
    schema = models.ForeignKey("lineagedb.Schema", models.PROTECT, null=True, blank=True, related_name="validated_artifacts")
    feature_sets = models.ManyToManyField("lineagedb.Schema", through="lineagedb.ArtifactSchema", related_name="artifacts")
    created_at = created_at()
    updated_at = models.DateTimeField(auto_now=True)
    created_by = created_by()
    run = run_field("output_artifacts")
    branch = branch()

    class Meta:
        app_label = "lineagedb"

    @property
    def transform(self):  # noqa: ANN201
        """The Transform whose run created this artifact."""
        return self.run.transform if self.run_id is not None else None


class ArtifactSchema(models.Model):
    """Which schema (feature set) describes which slot of an artifact (``obs``, ``var.T``, ...)."""

    artifact = models.ForeignKey(Artifact, models.CASCADE, related_name="links_schema")
    schema = models.ForeignKey("lineagedb.Schema", models.PROTECT, related_name="links_artifact")
    slot = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        app_label = "lineagedb"
        unique_together = [("artifact", "schema", "slot")]
