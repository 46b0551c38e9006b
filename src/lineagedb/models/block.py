"""Blocks: markdown readmes and comments, on their own (``Block``), on a record (``RecordBlock``) or a branch
(``BranchBlock``).

A readme is versioned: a new readme for the same key/record/branch becomes the next version of the existing
one (same uid stem, next 4-character suffix), the same content returns the existing block, and the latest
readme's content is the host's ``notes``. A comment is always a new block.

>>> ln.models.RecordBlock(record=sample, content="# Sample 1\\n\\nprepared by ...", kind="readme").save()  # doctest: +SKIP
>>> sample.notes  # doctest: +SKIP
'# Sample 1\\n\\nprepared by ...'
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from .. import errors
from ..core.uids import base62, encode_version_suffix
from ._base import BaseRecord
from ._fields import branch, created_at, created_by, uid_field
from ._trash import TRASH
from ._versions import check_revises


def content_hash(content: str | None) -> str | None:
    return None if content is None else hashlib.sha256(content.encode()).hexdigest()[:22]


def latest_readme(blocks: Any) -> str | None:
    """The content of the latest readme among ``blocks`` (a related manager or query), or None."""
    block = blocks.filter(kind="readme", is_latest=True).order_by("-id").first()
    return None if block is None else block.content


def describe_notes(host: Any, tree: Any, comments: bool = False) -> None:
    """Add a ``Notes`` branch to a describe() tree: the latest readme, and the comments if asked."""
    readme = latest_readme(host.blocks)
    shown = list(host.blocks.filter(kind="comment").select_related("created_by").order_by("id")) if comments else []
    if readme is None and not shown:
        return
    notes = tree.add("[bold]Notes[/bold]")
    if readme is not None:
        notes.add(readme)
    for c in shown:
        notes.add(f"comment by {c.created_by.handle} on {c.created_at:%Y-%m-%d %H:%M}: {c.content}")


class BlockBase(BaseRecord):
    """What every block registry shares; subclasses name their host field in ``_host`` (or None)."""

    _len_stem_uid = 16
    _len_full_uid = 20
    _host: str | None = None
    _kinds: tuple[str, ...] = ("readme", "comment")
    _has_trash = False  # Block has a trash branch; blocks on a record or branch are deleted for good
    _delete_per_record = True  # querysets delete through delete(): trash and latest-version rules as for one

    uid = uid_field(20)
    content = models.TextField(null=True, blank=True)
    kind = models.CharField(max_length=22, db_index=True)
    hash = models.CharField(max_length=22, null=True, blank=True, db_index=True)
    version_tag = models.CharField(max_length=30, null=True, blank=True)
    is_latest = models.BooleanField(default=True, db_index=True)
    # before each block registry's own columns, so declared here rather than inherited (see _tracked.Created)
    created_at = created_at()
    created_by = created_by()
    if TYPE_CHECKING:  # each block registry's own: Block/RecordBlock a branch id (their trash), BranchBlock a Branch
        branch: Any

    class Meta:
        abstract = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args:  # loading a row from the database
            super().__init__(*args, **kwargs)
            return
        cls = type(self)
        allowed = {"content", "kind", "version", "revises", "uid", *self._extra_kwargs()}
        wrong = sorted(set(kwargs) - allowed)
        if wrong:
            raise errors.InvalidArgument(f"only {', '.join(sorted(allowed))} can be passed to {cls.__name__}, not {', '.join(wrong)}")
        existing, revises = self._resolve(kwargs)
        if existing is not None:
            super().__init__(**{f.attname: getattr(existing, f.attname) for f in cls._meta.concrete_fields})
            self._state.adding, self._state.db = False, existing._state.db
            self._revises = None
            return
        version = kwargs.pop("version", None)
        kwargs.pop("revises", None)
        super().__init__(**kwargs, version_tag=version)
        self.hash = content_hash(self.content)
        self._revises = revises
        if revises is not None:
            self.uid = cls._next_uid(revises.uid[: cls._len_stem_uid])
        elif "uid" not in kwargs:
            self.uid = base62(cls._len_stem_uid) + encode_version_suffix(0)

    def _extra_kwargs(self) -> set[str]:
        return {self._host} if self._host else set()

    def _anchor(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The lookup that finds the readme this one would revise (its host), or {} if none applies."""
        if self._host is None:
            return {}
        host = kwargs.get(self._host)
        if host is None:
            raise errors.InvalidArgument(f"{self._host} is required: {type(self).__name__}({self._host}=..., content=..., kind=...)")
        return {self._host: host}

    def _resolve(self, kwargs: dict[str, Any]) -> tuple[Any, Any]:
        """(an existing block to return instead, the block this one revises) after checking ``kwargs``."""
        cls = type(self)
        kind = kwargs.get("kind")
        if kind not in self._kinds:
            choices = " or ".join(repr(k) for k in self._kinds)
            raise errors.InvalidArgument(f"pass kind={choices} to {cls.__name__} (got kind={kind!r}); only kind='readme' is versioned")
        version = kwargs.get("version")
        if version is not None and not isinstance(version, str):
            raise errors.InvalidArgument(f"version must be a string such as '1' or '2.0', not {version!r}")
        revises = kwargs.get("revises")
        if revises is not None and kind == "comment":
            raise errors.InvalidArgument("revises is not allowed for kind='comment': every comment is a new block")
        check_revises(cls._concrete_registry(), revises)
        anchor = self._anchor(kwargs)
        if "uid" in kwargs:
            return cls.objects.filter(uid=kwargs["uid"]).first(), revises
        if kind == "comment":
            return None, None
        latest = self._latest(anchor) if revises is None else None
        if latest is None:
            return None, revises
        content = kwargs.get("content")
        if content is None or latest.hash == content_hash(content):
            return latest, None
        return None, latest

    def _latest(self, anchor: dict[str, Any]) -> Any:
        if not anchor:
            return None
        qs = type(self).objects.filter(kind="readme", is_latest=True, **anchor)
        if self._has_trash:
            qs = qs.exclude(branch=TRASH)
        return qs.order_by("-id").first()

    @classmethod
    def _next_uid(cls, stem: str) -> str:
        from ..core.uids import decode_version_suffix

        last = cls.objects.filter(uid__startswith=stem).order_by("-uid").values_list("uid", flat=True).first()
        index = 0 if last is None else decode_version_suffix(last[cls._len_stem_uid:]) + 1
        return stem + encode_version_suffix(index)

    @property
    def stem_uid(self) -> str:
        return self.uid[: self._len_stem_uid]

    @property
    def version(self) -> str:
        """The version tag if one was given, else the uid's 4-character version suffix."""
        return self.version_tag or self.uid[-4:]

    def save(self, *args: Any, **kwargs: Any) -> Any:
        """Save; a new version of a readme takes over ``is_latest`` from the previous one."""
        if not self._state.adding:
            self.hash = content_hash(self.content)
            return super().save(*args, **kwargs)
        with transaction.atomic():
            if self.kind == "readme" and self._revises is not None:
                type(self).objects.filter(uid__startswith=self.stem_uid, is_latest=True).update(is_latest=False)
                self._revises.is_latest = False
            self.is_latest = True
            super().save(*args, **kwargs)
        self._revises = None
        return self

    def delete(self, permanent: bool | None = None, **_: Any) -> None:  # type: ignore[override]  # trash semantics (see BaseRecord.delete)
        """Delete (blocks with a branch go to the trash first); the previous readme version becomes the latest."""
        model = type(self)._concrete_registry()
        if self.pk is None:
            return None
        soft = self._has_trash and not permanent and self.branch != TRASH
        with transaction.atomic():
            if soft:
                model.objects.filter(pk=self.pk).update(branch=TRASH, is_latest=False)
                self.branch, self.is_latest = TRASH, False
            else:
                model.objects.filter(pk=self.pk).delete_rows()
                self.pk = self.id = None
            if self.kind == "readme":
                rest = model.objects.filter(uid__startswith=self.stem_uid)
                if self._has_trash:
                    rest = rest.exclude(branch=TRASH)
                if not rest.filter(is_latest=True).exists():
                    newest = rest.order_by("-uid").first()
                    if newest is not None:
                        model.objects.filter(pk=newest.pk).update(is_latest=True)
        return None


class Block(BlockBase):
    """A readme block of its own, found again by ``key`` (``"README.md"``, ``"__lamindb_block__"``, ...)."""

    _kinds = ("readme",)
    _has_trash = True
    key = models.CharField(max_length=1024, null=True, blank=True, db_index=True)
    branch = branch()

    class Meta:
        app_label = "lineagedb"

    def _extra_kwargs(self) -> set[str]:
        return {"key"}

    def _anchor(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        key = kwargs.get("key")
        return {} if key is None else {"key": key}


class RecordBlock(BlockBase):
    """A readme or comment on a record; ``record.notes`` is its latest readme.

    It lives on a branch (the current one, see ``ln.setup.switch``) without a trash: ``delete()`` removes it.
    ``created_on`` is the branch it was written on.
    """

    _host = "record"
    record = models.ForeignKey("lineagedb.Record", models.CASCADE, related_name="blocks")
    branch = branch()
    created_on = models.ForeignKey("lineagedb.Branch", models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        app_label = "lineagedb"

    def _extra_kwargs(self) -> set[str]:
        return {self._host, "branch", "branch_id", "created_on", "created_on_id"}

    def save(self, *args: Any, **kwargs: Any) -> Any:
        if self._state.adding and self.created_on_id is None:
            self.created_on_id = self.branch
        return super().save(*args, **kwargs)


class BranchBlock(BlockBase):
    """A readme or comment on a branch; ``branch.notes`` is its latest readme."""

    _host = "branch"
    branch = models.ForeignKey("lineagedb.Branch", models.CASCADE, related_name="blocks")

    class Meta:
        app_label = "lineagedb"
