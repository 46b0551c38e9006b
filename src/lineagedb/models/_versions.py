"""Version families: records sharing a uid stem, exactly one of them ``is_latest``.

Used by Artifact, Collection and Transform alike. A new record joins a family by ``revises=`` or by
reusing a ``key``; it gets the family's stem plus the next 4-character suffix and takes over
``is_latest``. Saving a version happens in one transaction that holds a per-family lock (PostgreSQL:
an advisory transaction lock; SQLite: ``BEGIN IMMEDIATE`` already serializes writers), and retries
when a unique constraint catches a concurrent writer anyway.

>>> v2 = ln.Artifact.from_dataframe(df2, revises=v1).save()   # doctest: +SKIP
>>> v2.uid[:16] == v1.uid[:16], v2.is_latest, v1.is_latest     # doctest: +SKIP
(True, True, False)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, models, transaction

from .. import errors
from ..core.uids import base62, decode_version_suffix, encode_version_suffix
from ._mixin import RegistryMixin

if TYPE_CHECKING:
    from django.db.models import Model

TRASH, MAIN = -1, 1
RETRIES = 8


class _TagOrSuffix:
    """``record.version``: the version tag you gave, else the last 4 characters of the uid (its index in the family).

    A data descriptor over the raw value in ``record.__dict__`` (what Django loads, saves and queries), so
    ``filter(version="1.0")`` still matches the stored tag only.
    """

    def __init__(self, field: Any) -> None:
        self.field = field

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        attname = self.field.attname
        if attname not in instance.__dict__:  # deferred: load it
            instance.refresh_from_db(fields=[attname])
        tag = instance.__dict__[attname]
        uid = instance.__dict__.get("uid")
        return tag if tag is not None or not uid else uid[-4:]

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class VersionTagField(models.CharField):
    """The stored version tag (column ``version``), read as ``version`` with the uid-suffix fallback; a plain
    CharField in migrations. ``version_tag`` (see :class:`VersionedMixin`) is the raw tag."""

    descriptor_class = _TagOrSuffix

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        return model_instance.__dict__.get(self.attname)  # the tag, never the fallback

    def value_from_object(self, obj: Any) -> Any:
        return obj.__dict__.get(self.attname)

    def deconstruct(self) -> Any:
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


class VersionedMixin(RegistryMixin):
    """Adds ``stem_uid``, ``version_tag`` and ``versions`` to a registry with ``uid``, ``version`` and ``is_latest``."""

    if TYPE_CHECKING:  # the fields each versioned registry declares
        uid: str
        version: str | None
        is_latest: bool

    _stem_length = 16
    _query_aliases = {"version_tag": "version"}  # LaminDB 2's name of the stored tag

    @property
    def stem_uid(self) -> str:
        return self.uid[: self._stem_length]

    @property
    def version_tag(self) -> str | None:
        """The version you gave (LaminDB 2's name for the stored ``version`` field), or None.

        >>> artifact.version_tag = "1.0"; artifact.version  # doctest: +SKIP
        '1.0'
        """
        if "version" not in self.__dict__:  # deferred: load it
            self.refresh_from_db(fields=["version"])
        return self.__dict__["version"]  # the raw tag, also where ``version`` falls back to the uid suffix

    @version_tag.setter
    def version_tag(self, value: str | None) -> None:
        self.version = value

    @property
    def versions(self) -> Any:
        """Every version of this record's family on main and the current branch (not in the trash), oldest first.

        >>> artifact.versions.to_dataframe()  # doctest: +SKIP
        """
        from ..core.context import visible_branch_ids

        return type(self).objects.filter(uid__startswith=self.stem_uid, branch__in=visible_branch_ids()).order_by("uid")

    @classmethod
    def _new_family_uid(cls) -> str:
        return base62(cls._stem_length) + encode_version_suffix(0)

    @classmethod
    def _next_uid_in_family(cls, stem: str) -> str:
        """The uid for the next version of family ``stem`` (all versions, trash included, count)."""
        last = _scalar(f"SELECT uid FROM {_table(cls)} WHERE uid LIKE %s ORDER BY uid DESC LIMIT 1", [stem + "%"])
        index = 0 if last is None else decode_version_suffix(last[cls._stem_length:]) + 1
        return stem + encode_version_suffix(index)


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _scalar(sql: str, params: list) -> Any:
    """The first column of the first row (raw SQL: the hot paths of save() skip the ORM's compiler)."""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    return row[0] if row else None


def lock_family(model: type[VersionedMixin], token: str) -> None:
    """Serialize writers of one family until the current transaction ends (call inside ``atomic``)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"{model._meta.db_table}:{token}"])


def family_stem_by_key(model: type[VersionedMixin], key: str) -> str | None:
    """The uid stem of the family that owns ``key`` (its latest version, else its newest record)."""
    key_column = connection.ops.quote_name("key")
    sql = f"SELECT uid FROM {_table(model)} WHERE {key_column} = %s ORDER BY is_latest DESC, branch DESC, id DESC LIMIT 1"
    uid = _scalar(sql, [key])
    return uid[: model._stem_length] if uid else None


def check_revises(model: type[Model], revises: Any) -> None:
    """Refuse a ``revises=`` that is not a record of ``model`` (``InvalidType``, also a ``TypeError``)."""
    if revises is not None and not isinstance(revises, model):
        raise errors.InvalidType(
            f"`revises` has to be of type `{model.__name__}`, not {type(revises).__name__}: pass the saved "
            f"{model.__name__} this one is a new version of"
        )


def _stem_for(record: Any, revises: Any, key: str | None) -> str | None:
    model = type(record)
    if revises is not None:
        check_revises(model, revises)
        if revises.pk is None:
            raise errors.InvalidArgument(f"revises: save the {model.__name__} you revise first")
        stem = revises.uid[: model._stem_length]
        if key is not None:
            other = family_stem_by_key(model, key)
            if other is not None and other != stem:
                raise errors.InvalidArgument(
                    f"key {key!r} belongs to another {model.__name__} family ({other}); "
                    "pass either revises= or that key, not both"
                )
        return stem
    return family_stem_by_key(model, key) if key is not None else None


def save_new_version(record: Any, insert: Callable[[], None], *, revises: Any = None, key: str | None = None,
                     new_family_uid: str | None = None) -> Any:
    """Insert ``record`` as the newest version of its family (or as a new family) and return it.

    ``insert()`` writes the row (and whatever must commit with it); it runs inside the transaction
    after ``record.uid``/``is_latest`` are set and the previous latest version was demoted.
    ``new_family_uid`` (from :func:`planned_uid`) is used if the record turns out to start a new family.
    """
    model = type(record)
    last_error: Exception | None = None
    for _ in range(RETRIES):
        try:
            with transaction.atomic():
                if key is not None:
                    lock_family(model, f"key:{key}")  # before the lookup: a concurrent first version waits here
                stem = _stem_for(record, revises, key)
                if stem is None:
                    record.uid = new_family_uid or model._new_family_uid()
                else:
                    lock_family(model, f"stem:{stem}")
                    record.uid = model._next_uid_in_family(stem)
                    _demote_latest(model, stem, _branch_of(record))
                record.is_latest = True
                insert()
            if revises is not None and _branch_of(revises) == _branch_of(record):
                revises.is_latest = False  # the caller's object agrees with the database
            return record
        except IntegrityError as e:  # a concurrent writer took the uid or the latest slot: try again
            last_error = e
            record.pk = record.id = None
            record._state.adding = True
    raise errors.LineageDBError(f"could not save a new version of {model.__name__} after {RETRIES} tries: {last_error}")


def _branch_of(record: Any) -> Any:
    """The branch id of ``record`` (None for registries without a branch column: one family-wide latest)."""
    from ._trash import branch_attname

    attname = branch_attname(type(record))
    return None if attname is None else getattr(record, attname)


def _demote_latest(model: type[VersionedMixin], stem: str, branch: Any) -> None:
    """Clear ``is_latest`` of family ``stem`` on ``branch`` (every branch when None): each branch has its own latest."""
    sql = f"UPDATE {_table(model)} SET is_latest = %s WHERE uid LIKE %s AND is_latest = %s"
    params: list[Any] = [False, stem + "%", True]
    if branch is not None:
        column = model._meta.get_field("branch").column  # type: ignore[union-attr]  # a field, never a reverse relation
        sql += f" AND {connection.ops.quote_name(column or 'branch')} = %s"
        params.append(branch)
    with connection.cursor() as cur:
        cur.execute(sql, params)


def planned_uid(record: Any, *, revises: Any = None, key: str | None = None) -> str | None:
    """A uid for ``record`` decided before any transaction, or None when it can only be decided under the lock.

    The first version of a new family gets a fresh random stem nobody else can take, so its uid is known
    up front (a cloud upload can then go to its final name before the row's transaction); a new version
    of an existing family gets its index under the family lock (:func:`save_new_version`).
    """
    model = type(record)
    if revises is not None or (key is not None and family_stem_by_key(model, key) is not None):
        return None
    return model._new_family_uid()


def provisional_uid(model: type[VersionedMixin], *, revises: Any = None, key: str | None = None) -> str:
    """The uid an unsaved record will most likely get: a fresh stem + ``0000``, or its family's next suffix.

    Shown before ``save()`` (``collection.uid.endswith("0001")``); :func:`save_new_version` decides again under
    the family lock, so a concurrent writer can only move the suffix on, never share it.
    """
    stem = None
    if revises is not None and getattr(revises, "uid", None):
        stem = revises.uid[: model._stem_length]
    elif key is not None:
        stem = family_stem_by_key(model, key)
    return model._new_family_uid() if stem is None else model._next_uid_in_family(stem)


def check_version_free(model: type[VersionedMixin], stem: str, version: str | None) -> None:
    """Refuse a version tag that another record of family ``stem`` already carries (trash included)."""
    if version is None:
        return
    taken = model.objects.filter(uid__startswith=stem, version=version).values_list("uid", flat=True).first()
    if taken is not None:
        raise errors.InvalidArgument(
            f"Please change the version tag or leave it `None`, {version!r} is already taken "
            f"(by {model.__name__} {taken} of the same family)"
        )


def refresh_latest(model: type[VersionedMixin], stem: str) -> None:
    """Make the newest version of family ``stem`` on each branch the latest one there (inside ``atomic``);
    versions in the trash or the archive are never the latest."""
    from ._trash import branch_attname

    lock_family(model, f"stem:{stem}")
    attname = branch_attname(model)
    newest: dict[Any, tuple[int, str]] = {}
    columns = ("pk", "uid", attname) if attname else ("pk", "uid")
    for pk, uid, *rest in model.objects.filter(uid__startswith=stem).values_list(*columns):
        branch = rest[0] if rest else None
        if branch is not None and branch < MAIN:
            continue
        if branch not in newest or uid > newest[branch][1]:
            newest[branch] = (pk, uid)
    keep = [pk for pk, _ in newest.values()]
    model.objects.filter(uid__startswith=stem, is_latest=True).exclude(pk__in=keep).update(is_latest=False)
    if keep:
        model.objects.filter(pk__in=keep, is_latest=False).update(is_latest=True)
