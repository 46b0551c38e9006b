"""The Schema registry: what a valid dataset looks like, saved and hashed."""

from __future__ import annotations

from django.db import models

from ._base import BaseRecord
from ._fields import branch, created_at, created_by, run_field, uid_field


class Schema(BaseRecord):
    """A set of features (or of registry values such as genes) with validation rules.

    >>> ln.Schema(itype=ln.Feature).save()  # doctest: +SKIP
    """

    uid = uid_field(16)
    name = models.CharField(max_length=150, null=True, blank=True, db_index=True)
    description = models.TextField(null=True, blank=True)
    itype = models.CharField(max_length=120, null=True, blank=True, db_index=True)
    otype = models.CharField(max_length=64, null=True, blank=True)
    dtype = models.CharField(max_length=64, null=True, blank=True)
    n = models.IntegerField(null=True, blank=True)
    hash = models.CharField(max_length=64, db_index=True, null=True, blank=True)
    minimal_set = models.BooleanField(default=True)
    maximal_set = models.BooleanField(default=False)
    ordered_set = models.BooleanField(default=False)
    flexible = models.BooleanField(default=False)
    coerce_dtype = models.BooleanField(default=False)
    is_type = models.BooleanField(default=False)
    config = models.JSONField(null=True, blank=True)  # anything else the definition needs
    index = models.ForeignKey("lineagedb.Feature", models.PROTECT, null=True, blank=True, related_name="+")
    features = models.ManyToManyField("lineagedb.Feature", through="lineagedb.SchemaFeature", related_name="schemas")
    components = models.ManyToManyField("self", through="lineagedb.SchemaComponent", symmetrical=False, related_name="composites")
    created_at = created_at()
    created_by = created_by()
    run = run_field()
    branch = branch()

    class Meta:
        app_label = "lineagedb"


class SchemaFeature(models.Model):
    schema = models.ForeignKey(Schema, models.CASCADE, related_name="links_feature")
    feature = models.ForeignKey("lineagedb.Feature", models.PROTECT, related_name="links_schema")
    optional = models.BooleanField(default=False)
    position = models.IntegerField(default=0)

    class Meta:
        app_label = "lineagedb"
        unique_together = [("schema", "feature")]


class SchemaComponent(models.Model):
    composite = models.ForeignKey(Schema, models.CASCADE, related_name="links_component")
    component = models.ForeignKey(Schema, models.PROTECT, related_name="links_composite")
    slot = models.CharField(max_length=64)

    class Meta:
        app_label = "lineagedb"
        unique_together = [("composite", "slot")]
