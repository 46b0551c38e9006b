"""The Feature registry: typed measurement dimensions, and the values artifacts and runs carry."""

from __future__ import annotations

from typing import Any

from django.db import models

from .. import errors
from ._base import BaseRecord
from ._fields import branch, created_at, created_by, run_field, uid_field


class Feature(BaseRecord):
    """A feature with a dtype (``float``, ``cat[Record]``, ``cat[bio.CellType]``, ...).

    >>> ln.Feature(name="temperature", dtype=float).save()  # doctest: +SKIP
    """

    uid = uid_field(12)
    name = models.CharField(max_length=150, unique=True)
    dtype = models.CharField(max_length=255, db_index=True)
    unit = models.CharField(max_length=30, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    nullable = models.BooleanField(default=True)
    coerce_dtype = models.BooleanField(default=False)
    default_value = models.JSONField(null=True, blank=True)
    synonyms = models.TextField(null=True, blank=True)
    created_at = created_at()
    created_by = created_by()
    run = run_field()
    branch = branch()

    class Meta:
        app_label = "lineagedb"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not args:  # constructed by the user, not loaded from the database
            if not kwargs.get("name") or not isinstance(kwargs["name"], str):
                raise errors.InvalidArgument("a Feature needs a name: ln.Feature(name='temperature', dtype=float)")
            if kwargs.get("dtype") is None:
                raise errors.InvalidArgument(
                    f"pass a dtype: ln.Feature(name={kwargs['name']!r}, dtype=float) (or str, int, ln.Record, bt.CellType, ...)"
                )
            from ._dtypes import parse_dtype

            kwargs["dtype"] = parse_dtype(kwargs["dtype"])
        super().__init__(*args, **kwargs)

    def save(self, *args: Any, **kwargs: Any) -> Feature:
        """Save; a feature of the same name and dtype that exists already is returned instead."""
        if self._state.adding:
            existing = type(self).objects.filter(name=self.name).first()
            if existing is not None:
                if existing.dtype != self.dtype:
                    raise errors.ValidationError(
                        f"feature {self.name!r} exists with dtype {existing.dtype!r}, not {self.dtype!r}: "
                        f"use another name or ln.Feature.get(name={self.name!r})"
                    )
                self.__dict__.update({k: v for k, v in existing.__dict__.items() if k != "_state"})
                self._state.adding, self._state.db = False, existing._state.db
                return self
        return super().save(*args, **kwargs)


class FeatureValue(models.Model):
    """One distinct value of a non-categorical feature, shared by every artifact or run that has it."""

    feature = models.ForeignKey(Feature, models.PROTECT, related_name="values")
    value = models.JSONField()
    hash = models.CharField(max_length=64, db_index=True)
    # typed copies for range lookups and indexes
    number = models.FloatField(null=True, blank=True, db_index=True)
    text = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "lineagedb"
        unique_together = [("feature", "hash")]


class ArtifactFeatureValue(models.Model):
    artifact = models.ForeignKey("lineagedb.Artifact", models.CASCADE, related_name="links_featurevalue")
    featurevalue = models.ForeignKey(FeatureValue, models.PROTECT, related_name="links_artifact")

    class Meta:
        app_label = "lineagedb"
        unique_together = [("artifact", "featurevalue")]


class RunFeatureValue(models.Model):
    run = models.ForeignKey("lineagedb.Run", models.CASCADE, related_name="links_featurevalue")
    featurevalue = models.ForeignKey(FeatureValue, models.PROTECT, related_name="links_run")

    class Meta:
        app_label = "lineagedb"
        unique_together = [("run", "featurevalue")]


class RecordFeatureValue(models.Model):
    record = models.ForeignKey("lineagedb.Record", models.CASCADE, related_name="links_featurevalue")
    featurevalue = models.ForeignKey(FeatureValue, models.PROTECT, related_name="links_record")

    class Meta:
        app_label = "lineagedb"
        unique_together = [("record", "featurevalue")]
