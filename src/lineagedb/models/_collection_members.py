"""How a Collection is made from artifacts: member checks, the member hash, dedup, versions, trash, describe().

Collection keeps the registry's fields and methods; this module holds the work behind them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import errors
from ..core.context import visible_branch_ids
from ._versions import MAIN, TRASH

if TYPE_CHECKING:
    from ._base import BaseRecord

_ALLOWED = {"key", "description", "version", "version_tag", "run", "meta_artifact", "skip_hash_lookup", "schema",
            "branch", "branch_id", "space", "space_id"}
# what LaminDB's Collection() accepts (named in the error); those lineagedb has no field for are refused
_LAMINDB_ARGS = "artifacts, key, description, schema, meta, reference, reference_type, run, revises, skip_hash_lookup, branch, space"


def member_hash(members: list[Any]) -> str:
    """The hash of an ordered list of artifacts: of their content hashes (uids where a hash is missing)."""
    from ..core.hashing import hash_bytes

    return hash_bytes("\n".join(a.hash or f"uid:{a.uid}" for a in members).encode())


def _check_members(members: Any) -> list[Any]:
    from .artifact import Artifact

    if not isinstance(members, Artifact) and not _is_iterable(members):
        raise errors.InvalidArgument(
            f"Artifact or list[Artifact] is allowed, not {type(members).__name__}: ln.Collection([artifact1, artifact2], key=...)"
        )
    items = [members] if isinstance(members, Artifact) else list(members)
    if not items:
        raise errors.InvalidArgument("a collection needs at least one artifact")
    for item in items:
        if not isinstance(item, Artifact):
            raise errors.InvalidArgument(
                f"Artifact or list[Artifact] is allowed; got a {type(item).__name__}: pass ln.Artifact records"
            )
    unsaved = [item.key or item.uid for item in items if item.pk is None or item._state.adding]
    if unsaved:
        raise errors.InvalidArgument(f"Not all artifacts are yet saved, please save them first: {unsaved}")
    if len({a.pk for a in items}) != len(items):
        raise errors.InvalidArgument("an artifact appears twice in the collection; pass each artifact once")
    return items


def _is_iterable(value: Any) -> bool:
    return isinstance(value, (list, tuple)) or hasattr(value, "model") and hasattr(value, "iterator")


def build(record: Any, model_init: Callable[..., None], members: Any, revises: Any, args: tuple, kwargs: dict) -> None:
    """``Collection(artifacts, key=..., description=..., revises=...)``: a new record, or the saved one with these members."""
    if args:
        raise errors.InvalidArgument(
            "Only one non-keyword arg allowed: artifacts; pass the key, description, ... by name: "
            "ln.Collection(artifacts, key=...)"
        )
    unknown = set(kwargs) - _ALLOWED
    if unknown:
        raise errors.FieldValidationError(
            f"Only {_LAMINDB_ARGS} can be passed, you passed: {', '.join(sorted(unknown))} "
            f"(lineagedb accepts artifacts, revises, {', '.join(sorted(_ALLOWED))})"
        )
    if "version_tag" in kwargs:  # LaminDB 2's name for the version a user gives
        tag = kwargs.pop("version_tag")
        kwargs["version"] = kwargs.get("version") or tag
    from ._versions import check_revises

    check_revises(type(record), revises)
    items = _check_members(members)
    model = type(record)
    kwargs["schema"] = _schema_for(model, kwargs.get("schema"), revises, kwargs.get("key"))
    check_member_schemas(repr(kwargs["key"]) if kwargs.get("key") else "(new)", kwargs["schema"], items)
    skip_hash_lookup = kwargs.pop("skip_hash_lookup", False)
    digest = member_hash(items)
    existing = None if skip_hash_lookup else model.objects.filter(hash=digest, branch__in=visible_branch_ids()).order_by("-id").first()
    record._pending_members, record._revises = None, None
    if existing is not None:
        model_init(**{f.attname: getattr(existing, f.attname) for f in model._meta.concrete_fields})
        record._state.adding, record._state.db = False, existing._state.db
        print(f"→ returning the existing collection with the same artifacts: {existing.key or existing.uid} ({existing.uid})")
        for name in ("key", "description", "schema"):
            new = kwargs.get(name)
            if new is not None and new != getattr(record, name):
                print(f"→ its {name} changes from {getattr(record, name)!r} to {new!r} when you save() it")
                setattr(record, name, new)
        return
    if kwargs.get("key") is None and revises is not None:
        kwargs["key"] = revises.key
    from ._versions import check_version_free, provisional_uid

    uid = provisional_uid(model, revises=revises, key=kwargs.get("key"))
    check_version_free(model, uid[: model._stem_length], kwargs.get("version"))
    model_init(hash=digest, uid=uid, **kwargs)
    record._pending_members, record._revises = items, revises


def _schema_for(model: type[BaseRecord], schema: Any, revises: Any, key: str | None) -> Any:
    """The schema a new collection validates against: the one passed, else that of the version it revises
    (``revises=``, or the latest collection of ``key``)."""
    from .schema import Schema

    if schema is not None:
        if not isinstance(schema, Schema) or schema.pk is None:
            raise errors.InvalidArgument(f"schema must be a saved ln.Schema, not {schema!r}: call schema.save() first")
        return schema
    if revises is None and key is not None:
        revises = model.objects.filter(key=key, is_latest=True, branch__in=visible_branch_ids()).only("schema").first()
    return revises.schema if revises is not None and revises.schema_id is not None else None


def check_member_schemas(which: str, schema: Any, members: list[Any]) -> None:
    """Refuse members that were not validated with ``schema`` (nothing to check without one); ``which`` names
    the collection in the message."""
    if schema is None:
        return
    strangers = {a.key or a.uid: a.schema_id for a in members if a.schema_id != schema.pk}
    if strangers:
        raise errors.ValidationError(
            f"Artifact schemas do not match the collection schema in collection {which}: expected "
            f"schema {schema.name or schema.uid} (id {schema.pk}); these artifacts have another (schema id): "
            f"{strangers}. Validate them with schema= or leave the collection's schema out"
        )


def members_for_schema(collection: Any) -> list[Any]:
    """The members :func:`check_member_schemas` looks at: those given to an unsaved collection, else the stored ones."""
    if collection.schema_id is None:
        raise errors.InvalidArgument("this collection has no schema to verify: set collection.schema = schema first")
    pending = getattr(collection, "_pending_members", None)
    if pending is not None:
        return pending
    return list(collection.ordered_artifacts.only("uid", "key", "schema_id"))


def schema_changed(collection: Any) -> bool:
    """Whether ``save()`` must verify the schema: a new collection's members (in memory), or a saved collection
    whose schema was set to another one since it was loaded (one query)."""
    if collection.schema_id is None:
        return False
    if collection._state.adding or collection.pk is None:
        return getattr(collection, "_pending_members", None) is not None
    stored = type(collection).objects.filter(pk=collection.pk).values_list("schema_id", flat=True).first()
    return stored != collection.schema_id


def save_new(record: Any, write_row: Callable[[], None]) -> Any:
    """Insert the collection as a new record (or the next version of its key / ``revises``) with its members."""
    from ..core.uids import encode_version_suffix
    from ._versions import save_new_version
    from .collection import CollectionArtifact

    members = record._pending_members
    if record.key is not None and record._revises is None:  # the key's latest version has these members already
        same = type(record).objects.filter(key=record.key, hash=record.hash, is_latest=True,
                                           branch__in=visible_branch_ids()).first()
        if same is not None:
            for f in type(record)._meta.concrete_fields:
                setattr(record, f.attname, getattr(same, f.attname))
            record._state.adding, record._state.db = False, same._state.db
            record._pending_members, record._revises = None, None
            print(f"→ key {record.key!r} already has these artifacts as collection {same.uid}; returning it")
            return record

    def insert() -> None:
        write_row()
        CollectionArtifact.objects.bulk_create(
            [CollectionArtifact(collection=record, artifact=a, position=i) for i, a in enumerate(members)]
        )
        if record.run_id is not None:  # the run that made the collection consumed its artifacts
            record.run.input_artifacts.add(*[a for a in members if a.run_id != record.run_id])

    fresh = record.uid if record.uid.endswith(encode_version_suffix(0)) else None  # planned as a new family
    save_new_version(record, insert, revises=record._revises, key=record.key, new_family_uid=fresh)
    record._pending_members, record._revises = None, None
    return record


def delete(record: Any, permanent: bool | None) -> None:
    from django.db import transaction

    from ._versions import refresh_latest

    if record.pk is None:
        raise errors.InvalidArgument("this collection was never saved; there is nothing to delete")
    model, stem = type(record), record.stem_uid
    with transaction.atomic():
        if permanent:
            model.objects.filter(pk=record.pk).delete_rows()
            record.pk = record.id = None
        else:
            model.objects.filter(pk=record.pk).update(branch=TRASH, is_latest=False)
            record.branch, record.is_latest = TRASH, False
        refresh_latest(model, stem)


def release_member(artifact: Any) -> list[str]:
    """Take an artifact that is being deleted for good out of every collection holding it (inside ``atomic``).

    Each collection keeps its other members in order and gets the hash of what it now holds, so a later
    ``ln.Collection(...)`` of the old members never finds it by hash. Returns ``"key (uid)"`` of each such
    collection for the caller's warning; an empty list when no collection held the artifact.
    """
    from .collection import Collection, CollectionArtifact

    ids = list(CollectionArtifact.objects.filter(artifact_id=artifact.pk).values_list("collection_id", flat=True))
    if not ids:
        return []
    CollectionArtifact.objects.filter(artifact_id=artifact.pk).delete()
    names = []
    for collection in Collection.objects.filter(pk__in=ids).order_by("id"):
        remaining = list(collection.ordered_artifacts.only("uid", "hash"))
        Collection.objects.filter(pk=collection.pk).update(hash=member_hash(remaining))
        names.append(f"{collection.key or '(no key)'} ({collection.uid}, {len(remaining)} left)")
    return names


def restore(record: Any) -> Any:
    from django.db import transaction

    from ._versions import refresh_latest

    model = type(record)
    with transaction.atomic():
        model.objects.filter(pk=record.pk).update(branch=MAIN)
        refresh_latest(model, record.stem_uid)
    record.refresh_from_db()
    return record


def collection_section(collection: Any, tree: Any) -> None:
    """Key and version, hash, members in order, provenance."""
    title = collection.key or "(no key)"
    if collection.version_tag:
        title += f"  version {collection.version_tag}"
    tree.add(f"key: {title}" + ("" if collection.is_latest else "  [dim](not the latest version)[/dim]"))
    if collection.description:
        tree.add(f"description: {collection.description}")
    if collection.schema_id is not None:
        tree.add(f"schema: {collection.schema.name or '(no name)'} ({collection.schema.uid})")
    tree.add(f"hash: {collection.hash}")
    if collection.pk is None:
        tree.add("[dim]not saved[/dim]")
        return
    members = list(collection.ordered_artifacts.only("uid", "key", "suffix", "otype", "n_observations", "size"))
    node = tree.add(f"[bold]artifacts[/bold] ({len(members)})")
    for artifact in members:
        details = ", ".join(
            str(v) for v in (artifact.otype, f"{artifact.n_observations} obs" if artifact.n_observations else None) if v
        )
        node.add(f"{artifact.key or artifact.uid}  [dim]{artifact.uid}{'  ' + details if details else ''}[/dim]")
    tree.add(f"created_at: {collection.created_at:%Y-%m-%d %H:%M:%S}  by {collection.created_by.handle}")
    if collection.run_id is not None:
        run = collection.run
        prov = tree.add("[bold]provenance[/bold]")
        prov.add(f"transform: {run.transform.key or run.transform.uid}")
        prov.add(f"run: {run.uid}  started {run.started_at:%Y-%m-%d %H:%M:%S}" if run.started_at else f"run: {run.uid}")
