"""The Transform registry: scripts, notebooks, pipelines and functions that make data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import models

from .. import errors
from ._base import BaseRecord
from ._fields import uid_field
from ._tracked import Branched, TracksUpdates
from ._versions import VersionedMixin, VersionTagField, check_revises

TRANSFORM_KINDS = ("script", "notebook", "pipeline", "function", "upload")


class Transform(VersionedMixin, TracksUpdates, Branched):
    """A data transformation; its versions share a 12-character uid stem.

    A new transform whose key is already taken becomes the next version of that family when saved;
    ``revises=`` names the family explicitly. Constructing one with the key (and source code) of a saved
    transform gives back the saved one.

    >>> ln.Transform(key="my_pipeline", version="1.2.0", kind="pipeline")  # doctest: +SKIP
    >>> ln.Transform(revises=old, description="faster").save()           # doctest: +SKIP
    """

    _stem_length = 12
    _name_field = "key"
    _list_columns = ("key", "kind", "version", "description", "created_at")
    _revises: Any = None
    _choices = {"kind": TRANSFORM_KINDS}
    _constructor_keywords = ("revises", "version_tag")
    uid = uid_field(16)
    key = models.CharField(max_length=1024, db_index=True, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    kind = models.CharField(max_length=20, default="pipeline", db_index=True)
    source_code = models.TextField(null=True, blank=True)
    hash = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    reference = models.CharField(max_length=255, null=True, blank=True)
    version = VersionTagField(max_length=30, null=True, blank=True)  # reads the uid suffix when no tag was given
    is_latest = models.BooleanField(default=True, db_index=True)

    class Meta:
        app_label = "lineagedb"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and len(args) == len(self._meta.concrete_fields):  # a row loaded from the database
            super().__init__(*args, **kwargs)
            return
        if "name" in kwargs:  # the tutorial's ln.Transform(name="My pipeline")
            kwargs.setdefault("key", kwargs.pop("name"))
        if "version_tag" in kwargs:  # LaminDB 2's name for the version a user gives
            kwargs.setdefault("version", kwargs.pop("version_tag"))
        revises = kwargs.pop("revises", None)
        skip_hash_lookup = kwargs.pop("skip_hash_lookup", False)
        version = kwargs.get("version")
        if version is not None and not isinstance(version, str):
            raise errors.InvalidArgument(f"version must be None or a str such as '1' or '0.1', not {version!r}")
        if revises is not None:
            check_revises(Transform, revises)
            for field in ("key", "description", "kind"):
                kwargs.setdefault(field, getattr(revises, field))
        if kwargs.get("source_code") and not kwargs.get("hash"):
            from ._transform_source import source_hash

            kwargs["hash"] = source_hash(kwargs["source_code"])
        if "uid" not in kwargs:
            kwargs["uid"] = self._new_family_uid()  # 12-character stem + "0000"; a new version gets the next suffix
            pinned = False
        else:
            pinned = True
        super().__init__(**kwargs)
        self._revises = revises
        if revises is None and not pinned and not skip_hash_lookup and self.key:
            existing = self._saved_match()
            if existing is not None:
                self._adopt(existing)
            elif self.version_tag is not None:
                from ._versions import check_version_free, family_stem_by_key

                stem = family_stem_by_key(Transform, self.key)
                if stem is not None:
                    check_version_free(Transform, stem, self.version_tag)

    def _saved_match(self) -> Transform | None:
        """The saved transform this new one describes: same key and hash, or same key and version without code."""
        same_key = Transform.objects.filter(key=self.key, branch=1)
        if self.hash:
            return same_key.filter(hash=self.hash).order_by("-id").first()
        latest = same_key.order_by("-is_latest", "-id").first()
        if (latest is not None and latest.hash is None and not latest.source_code
                and self.version_tag in (None, latest.version_tag)):
            return latest
        return None

    def _adopt(self, existing: Transform) -> None:
        for field in self._meta.concrete_fields:
            setattr(self, field.attname, getattr(existing, field.attname))
        self._state.adding, self._state.db = False, existing._state.db

    def save(self, *args: Any, **kwargs: Any) -> Transform:  # type: ignore[override]  # returns the record (Django: None)
        """Write the transform; a new one with a taken key or ``revises=`` becomes the family's next version."""
        if self.source_code and not self.hash:  # source code set after construction
            from ._transform_source import source_hash

            self.hash = source_hash(self.source_code)
        if not self._state.adding or (self._revises is None and not self.key):
            return super().save(*args, **kwargs)
        from ._versions import check_version_free, family_stem_by_key, save_new_version

        if self._revises is not None:
            stem = self._revises.stem_uid
        else:  # a key: checked above
            stem = family_stem_by_key(Transform, self.key) if self.key else None
        if stem is None:
            return super().save(*args, **kwargs)  # a new family keeps the uid it was given
        check_version_free(Transform, stem, self.version_tag)
        revises, self._revises = self._revises, None
        return save_new_version(self, lambda: BaseRecord.save(self, *args, **kwargs), revises=revises,
                                key=None if revises is not None else self.key)

    def delete(self, permanent: bool | None = None) -> Any:  # type: ignore[override]
        """Move the transform to the trash, or remove it with its runs (``permanent=True``; refused while
        those runs made records that still exist, see ``_run_delete``).

        >>> ln.Transform.get(key="scratch.py").delete(permanent=True)  # doctest: +SKIP
        """
        from ._run_delete import remove_transforms
        from ._trash import delete_record

        return delete_record(self, permanent, lambda: remove_transforms(Transform.objects.filter(pk=self.pk),
                                                                        lambda: models.Model.delete(self)))

    @classmethod
    def _remove_rows(cls, queryset: Any, remove: Any) -> Any:
        """How a queryset of transforms is removed for good (``QuerySet.delete``): runs first."""
        from ._run_delete import remove_transforms

        return remove_transforms(queryset, remove)

    @classmethod
    def from_path(cls, path: str | Path, key: str | None = None) -> Transform:
        """The saved transform of a script or notebook file (a new version when its source changed).

        Its key is the file name, or the path relative to ``ln.settings.dev_dir`` when the file is inside it.

        >>> ln.Transform.from_path("pipelines/qc.py").key  # doctest: +SKIP
        'qc.py'
        """
        from ._transform_source import read_source, transform_from_source

        return transform_from_source(cls, read_source(path, key=key))

    @classmethod
    def from_git(cls, url: str, path: str, key: str | None = None, version: str | None = None,
                 branch: str | None = None, entrypoint: str | None = None, description: str | None = None,
                 skip_hash_lookup: bool = False) -> Transform:
        """A (not yet saved) transform for ``path`` in the git repository ``url`` at tag ``version`` or on ``branch``.

        A saved transform with the same repository, path and commit is returned instead, unless
        ``skip_hash_lookup``.

        >>> ln.Transform.from_git(url="/srv/git/pipes", path="main.nf", version="v1").save()  # doctest: +SKIP
        """
        from ._transform_git import default_key, git_source
        from ._transform_source import source_hash

        code, reference = git_source(url, path, version=version, branch=branch, entrypoint=entrypoint)
        if not skip_hash_lookup:
            found = cls.objects.filter(hash=source_hash(code), branch=1).order_by("-id").first()
            if found is not None:
                return found
        return cls(key=key or default_key(url, path), source_code=code, reference=reference, kind="pipeline",  # type: ignore[misc]
                   version=version, description=description, skip_hash_lookup=True)  # (a constructor keyword, not a field)

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
