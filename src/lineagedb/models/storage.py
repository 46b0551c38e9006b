"""The Storage registry: local folders and cloud locations that hold artifacts."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction

from ._fields import uid_field
from ._tracked import Created, run_field


class Storage(Created):
    """A storage location: a local folder, an S3 bucket/prefix or any fsspec URL.

    ``instance_uid`` is set when this instance manages the location (it may write there).

    >>> ln.Storage.to_dataframe()  # doctest: +SKIP
    """

    _positional = ("root",)  # ln.Storage("s3://bucket/prefix")
    _name_field = "root"
    _list_columns = ("root", "type", "region")
    uid = uid_field(12)
    root = models.CharField(max_length=1000, unique=True)
    description = models.TextField(null=True, blank=True)
    type = models.CharField(max_length=30, db_index=True)
    region = models.CharField(max_length=64, null=True, blank=True)
    instance_uid = models.CharField(max_length=12, null=True, blank=True, db_index=True)
    host = models.CharField(max_length=255, null=True, blank=True)  # a local root: the machine it lives on
    space = models.ForeignKey("lineagedb.Space", models.PROTECT, null=True, blank=True, related_name="storages")  # None: "all"
    run = run_field()

    class Meta:
        app_label = "lineagedb"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        root = kwargs.get("root")
        if not args and root is not None:  # constructed by the user: one spelling per location
            from ._storage_records import normalize_root

            kwargs["root"] = normalize_root(str(root))
            if not kwargs.get("type"):
                kwargs["type"] = kwargs["root"].split("://", 1)[0] if "://" in kwargs["root"] else "local"
        super().__init__(*args, **kwargs)

    @property
    def is_managed(self) -> bool:
        from ..core.instance import current

        inst = current()
        return inst is not None and self.instance_uid == inst.uid

    @property
    def root_as_str(self) -> str:
        """The root as a string (``root`` already is one: local roots absolute POSIX, cloud roots URLs).

        >>> ln.settings.storage.root_as_str  # doctest: +SKIP
        '/home/me/mydata'
        """
        return self.root

    _unmanaged = False  # register_root(..., instance_uid=None): a location this instance only reads

    def save(self, *args: Any, **kwargs: Any) -> Storage:  # type: ignore[override]  # returns the record (Django: None)
        """Register the location; saving a root that is registered already returns that record.

        A new record gets its root normalized (local roots absolute), its ``type`` from the root, and is
        managed by this instance unless told otherwise.

        >>> ln.Storage(root="./more-data").save()  # doctest: +SKIP
        """
        if not self._state.adding:
            return super().save(*args, **kwargs)
        from ._storage_records import prepare_new

        prepare_new(self)
        existing = type(self).objects.filter(root=self.root).first()
        if existing is not None:
            return self._adopt(existing)
        try:
            with transaction.atomic():
                return super().save(*args, **kwargs)
        except IntegrityError:  # a concurrent writer registered the same root first
            existing = type(self).objects.filter(root=self.root).first()
            if existing is None:
                raise
            self.pk = self.id = None
            return self._adopt(existing)

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
        record = cls(root=root, type=kind, instance_uid=instance_uid, region=region)
        record._unmanaged = instance_uid is None
        return record.save()
