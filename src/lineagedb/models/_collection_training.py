"""``Collection.to_training_store``: a collection's AnnData cells as a preshuffled training store artifact.

The store is written by ``loaders`` (which know arrays, not registries); this module adds what makes it
traceable: the artifact's run lists the source artifacts (and the collection) as inputs, the store's
attributes name each source artifact's uid, and saving again under the same key makes a new version.
When the collection only grew at the end since the last version (``collection.append(artifact)``), the
new version is the previous store with the new artifacts' cells appended (the previous store version is
then an input of the run too); otherwise the store is written afresh.
"""

from __future__ import annotations

import shutil
from typing import Any

from .. import errors

TRANSFORM_KEY = "lineagedb.to_training_store"


def to_training_store(collection: Any, key: str | None, obs_keys: Any, chunk_size: int, layout: str | None,
                      codec: str, seed: int, description: str | None) -> Any:
    from ..loaders import append_training_store, store_attrs, write_training_store
    from ._collection_data import members
    from .artifact import Artifact, staging_path

    artifacts = members(collection)
    if not artifacts:
        raise errors.InvalidArgument("the collection has no artifacts to write a training store from")
    bad = [a.key or a.uid for a in artifacts if a.suffix not in (".h5ad", ".zarr")]
    if bad:
        raise errors.InvalidArgument(f"a training store is written from AnnData artifacts (.h5ad, .zarr); not {bad}")
    if key is None:
        key = f"{collection.key or collection.uid}.training.zarr"
    if not key.endswith(".zarr"):
        raise errors.InvalidArgument(f"a training store is a .zarr folder: its key must end in '.zarr', not {key!r}")
    previous = Artifact.filter(key=key, is_latest=True).first()
    uids = [a.uid for a in artifacts]
    staged = staging_path(".zarr")
    inputs = list(artifacts)
    try:
        old_uids = None
        if previous is not None:
            old_attrs = store_attrs(previous._local())
            old_uids = [s.get("uid") for s in old_attrs.get("sources", [])]
            same = old_attrs.get("chunk_size") == chunk_size and (layout is None or old_attrs.get("layout") == layout)
            wanted_keys = sorted([obs_keys] if isinstance(obs_keys, str) else list(obs_keys or []))
            same = same and sorted(old_attrs.get("obs", {})) == wanted_keys and old_attrs.get("codec") == codec
            if not (same and len(old_uids) <= len(uids) and uids[:len(old_uids)] == old_uids):
                old_uids = None
        if old_uids is not None and len(old_uids) == len(uids):
            return previous  # nothing new: the latest version already holds these artifacts
        if old_uids is not None and previous is not None:  # the collection grew at the end: append to a copy of the previous store
            new = artifacts[len(old_uids):]
            shutil.copytree(previous._local(), staged)
            append_training_store(staged, [str(a._local()) for a in new], sources=[{"uid": a.uid} for a in new],
                                  seed=seed + len(old_uids))
            inputs = [previous, *new]
        else:
            write_training_store([str(a._local()) for a in artifacts], staged, obs_keys=obs_keys, chunk_size=chunk_size,
                                 layout=layout, codec=codec, seed=seed, sources=[{"uid": u} for u in uids])
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    n_cells = store_attrs(staged)["n_cells"]
    run = _run_for(inputs, collection)
    artifact = Artifact._from_local_file(staged, ".zarr", key=key, description=description, run=run,
                                         n_observations=n_cells, kind="dataset")
    return artifact.save()


def _run_for(inputs: list[Any], collection: Any) -> Any:
    """The tracked run, or a new completed run of the ``to_training_store`` transform, with the inputs linked."""
    from django.utils import timezone

    from ..core.context import get_run
    from .run import Run
    from .transform import Transform

    run = get_run()
    if run is None:
        transform = Transform.filter(key=TRANSFORM_KEY).order_by("-created_at").first()
        if transform is None:
            transform = Transform(key=TRANSFORM_KEY, kind="function",
                                  description="Collection.to_training_store: a preshuffled, chunked training store").save()
        now = timezone.now()
        run = Run(transform=transform, status="completed", started_at=now, finished_at=now).save()
    run.input_artifacts.add(*[a for a in inputs if a.run_id != run.id])  # an output of this run is not its input
    if collection.pk is not None and not collection._state.adding:
        run.input_collections.add(collection)
    return run
