"""The Storage registry: local folders and cloud locations that hold artifacts."""

from __future__ import annotations

from django.db import models

from ._base import BaseRecord
from ._fields import created_at, created_by, run_field, uid_field


class Storage(BaseRecord):
    """A storage location: a local folder, an S3 bucket/prefix or any fsspec URL.

    ``instance_uid`` is set when this instance manages the location (it may write there).

    >>> ln.Storage.to_dataframe()  # doctest: +SKIP
    """

    _positional = ("root",)  # ln.Storage("s3://bucket/prefix")
    uid = uid_field(12)
    root = models.CharField(max_length=1000, unique=True)
    description = models.TextField(null=True, blank=True)
    type = models.CharField(max_length=30, db_index=True)
    region = models.CharField(max_length=64, null=True, blank=True)
    instance_uid = models.CharField(max_length=12, null=True, blank=True, db_index=True)
    created_at = created_at()
    created_by = created_by()
    run = run_field()

    class Meta:
        app_label = "lineagedb"

    @property
    def is_managed(self) -> bool:
        from ..core.instance import current

        inst = current()
        return inst is not None and self.instance_uid == inst.uid

    @classmethod
    def register_root(cls, root: str, instance_uid: str | None = None, region: str | None = None) -> Storage:
        """Get or create the Storage record of ``root``."""
        existing = cls.objects.filter(root=root).first()
        if existing is not None:
            return existing
        kind = root.split("://", 1)[0] if "://" in root else "local"
        if region is None and kind != "local":
            from ..core._cloud import bucket_region

            region = bucket_region(root)
        return cls(root=root, type=kind, instance_uid=instance_uid, region=region).save()
