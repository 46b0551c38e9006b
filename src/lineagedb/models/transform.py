"""The Transform registry: scripts, notebooks, pipelines and functions that make data."""

from __future__ import annotations

from typing import Any

from django.db import models

from ._base import BaseRecord
from ._fields import branch, created_at, created_by, uid_field
from ._versions import VersionedMixin

TRANSFORM_KINDS = ("script", "notebook", "pipeline", "function", "upload")


class Transform(VersionedMixin, BaseRecord):
    """A data transformation; its versions share a 12-character uid stem.

    >>> ln.Transform(key="my_pipeline", version="1.2.0", kind="pipeline")  # doctest: +SKIP
    """

    _stem_length = 12
    _choices = {"kind": TRANSFORM_KINDS}
    uid = uid_field(16)
    key = models.CharField(max_length=1024, db_index=True, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    kind = models.CharField(max_length=20, default="pipeline", db_index=True)
    source_code = models.TextField(null=True, blank=True)
    hash = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    reference = models.CharField(max_length=255, null=True, blank=True)
    version = models.CharField(max_length=30, null=True, blank=True)
    is_latest = models.BooleanField(default=True, db_index=True)
    created_at = created_at()
    updated_at = models.DateTimeField(auto_now=True)
    created_by = created_by()
    branch = branch()

    class Meta:
        app_label = "lineagedb"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "name" in kwargs:  # the tutorial's ln.Transform(name="My pipeline")
            name = kwargs.pop("name")
            kwargs.setdefault("key", name)
        super().__init__(*args, **kwargs)

    @property
    def name(self) -> str | None:
        return self.key

    @property
    def latest_run(self) -> Any:
        """The most recently started Run of this transform version, or None.

        >>> ln.Transform.get(key="tutorial.py").latest_run  # doctest: +SKIP
        """
        if self._state.adding:
            return None
        return self.runs.order_by("-started_at", "-id").first()
