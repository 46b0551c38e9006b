"""How a Collection is made from artifacts: member checks, the member hash, dedup, versions, trash, describe().

Collection keeps the registry's fields and methods; this module holds the work behind them.
"""

from __future__ import annotations

from typing import Any, Callable

from .. import errors
from ._describe import section
from ._versions import MAIN, TRASH

_ALLOWED = {"key", "description", "version", "run", "meta_artifact"}


def member_hash(members: list[Any]) -> str:
    """The hash of an ordered list of artifacts: of their content hashes (uids where a hash is missing)."""
    from ..core.hashing import hash_bytes

    return hash_bytes("\n".join(a.hash or f"uid:{a.uid}" for a in members).encode())


def _check_members(members: Any) -> list[Any]:
    from .artifact import Artifact

    items = [members] if isinstance(members, Artifact) else list(members)
    if not items:
        raise errors.InvalidArgument("a collection needs at least one artifact")
    for item in items:
        if not isinstance(item, Artifact):
            raise errors.InvalidArgument(f"collections hold artifacts, not {type(item).__name__}; pass ln.Artifact records")
        if item.pk is None:
            raise errors.InvalidArgument(f"save the artifact {item.key or item.uid} before adding it to a collection")
    if len({a.pk for a in items}) != len(items):
        raise errors.InvalidArgument("an artifact appears twice in the collection; pass each artifact once")
    return items


def build(record: Any, model_init: Callable[..., None], members: Any, revises: Any, args: tuple, kwargs: dict) -> None:
    """``Collection(artifacts, key=..., description=..., revises=...)``: a new record, or the saved one with these members."""
    if args:
        raise errors.InvalidArgument("pass the collection's key, description, ... as keywords: Collection(artifacts, key=...)")
    unknown = set(kwargs) - _ALLOWED
    if unknown:
        raise errors.InvalidArgument(f"Collection() got unexpected arguments {sorted(unknown)}; allowed: artifacts, revises, {sorted(_ALLOWED)}")
    items = _check_members(members)
    digest = member_hash(items)
    model = type(record)
    existing = model.objects.filter(hash=digest, branch=MAIN).order_by("-id").first()
    record._pending_members, record._revises = None, None
    if existing is not None:
        model_init(**{f.attname: getattr(existing, f.attname) for f in model._meta.concrete_fields})
        record._state.adding, record._state.db = False, existing._state.db
        print(f"→ returning the existing collection with the same artifacts: {existing.key or existing.uid} ({existing.uid})")
        return
    if revises is not None and not isinstance(revises, model):
        raise errors.InvalidArgument(f"revises must be a Collection, not {type(revises).__name__}")
    if kwargs.get("key") is None and revises is not None:
        kwargs["key"] = revises.key
    model_init(hash=digest, **kwargs)
    record._pending_members, record._revises = items, revises


def save_new(record: Any, write_row: Callable[[], None]) -> Any:
    """Insert the collection as a new record (or the next version of its key / ``revises``) with its members."""
    from .collection import CollectionArtifact
    from ._versions import save_new_version

    members = record._pending_members

    def insert() -> None:
        write_row()
        CollectionArtifact.objects.bulk_create(
            [CollectionArtifact(collection=record, artifact=a, position=i) for i, a in enumerate(members)]
        )

    save_new_version(record, insert, revises=record._revises, key=record.key)
    record._pending_members, record._revises = None, None
    return record


def delete(record: Any, permanent: bool) -> None:
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


def restore(record: Any) -> Any:
    from django.db import transaction

    from ._versions import refresh_latest

    model = type(record)
    with transaction.atomic():
        model.objects.filter(pk=record.pk).update(branch=MAIN)
        refresh_latest(model, record.stem_uid)
    record.refresh_from_db()
    return record


@section("Collection")
def collection_section(collection: Any, tree: Any) -> None:
    """Key and version, hash, members in order, provenance."""
    title = collection.key or "(no key)"
    if collection.version:
        title += f"  version {collection.version}"
    tree.add(f"key: {title}" + ("" if collection.is_latest else "  [dim](not the latest version)[/dim]"))
    if collection.description:
        tree.add(f"description: {collection.description}")
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
