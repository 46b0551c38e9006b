"""Reading a collection's data: local paths, one concatenated object, or a streaming pyarrow dataset.

Each entry point records the collection as an input of the active run (``track_input``).
"""

from __future__ import annotations

from typing import Any

from .. import errors
from ..core.context import track_input

SOURCE_COLUMN = "artifact_uid"


def _members(collection: Any) -> list[Any]:
    if collection.pk is None:
        raise errors.InvalidArgument("save the collection first: collection.save()")
    return list(collection.ordered_artifacts.select_related("storage"))


def cache(collection: Any) -> list[Any]:
    paths = [artifact.cache() for artifact in _members(collection)]
    track_input(collection)
    return paths


def load(collection: Any, join: str = "outer", **kwargs: Any) -> Any:
    """Concatenate the members (all DataFrames or all AnnData) along rows; ``artifact_uid`` tells each row's source."""
    if join not in ("inner", "outer"):
        raise errors.InvalidArgument(f"join must be 'inner' or 'outer', not {join!r}")
    from ..formats import loader_for

    members = _members(collection)
    objects = [loader_for(a.suffix)(a.cache()) for a in members]
    uids = [a.uid for a in members]
    kinds = {type(o).__name__ for o in objects}
    track_input(collection)
    if kinds == {"DataFrame"}:
        import pandas as pd

        frames = [o.assign(**{SOURCE_COLUMN: uid}) for o, uid in zip(objects, uids)]
        out = pd.concat(frames, join=join, **kwargs)
        out[SOURCE_COLUMN] = pd.Categorical(out[SOURCE_COLUMN], categories=uids)
        return out
    if kinds == {"AnnData"}:
        import anndata as ad

        names = [n for o in objects for n in o.obs_names]
        index_unique = None if len(set(names)) == len(names) else "-"
        kwargs.setdefault("index_unique", index_unique)
        return ad.concat(objects, join=join, label=SOURCE_COLUMN, keys=uids, **kwargs)
    raise errors.InvalidArgument(
        f"collection.load() concatenates DataFrames or AnnData objects, got {sorted(kinds)}; "
        "iterate over collection.ordered_artifacts and load each one instead"
    )


def open_dataset(collection: Any, **kwargs: Any) -> Any:
    """One ``pyarrow.dataset.Dataset`` over all parquet members, local or remote, read lazily."""
    import pyarrow.dataset as pads

    members = _members(collection)
    suffixes = {a.suffix for a in members}
    if suffixes != {".parquet"}:
        raise errors.InvalidArgument(
            f"collection.open() streams parquet collections; this one holds {sorted(suffixes)}. "
            "For AnnData use collection.mapped(...) or artifact.open() per member"
        )
    paths = [a.path for a in members]
    track_input(collection)
    from ..core.storage import is_local, local_path

    if all(is_local(p) for p in paths):
        return pads.dataset([str(local_path(p)) for p in paths], format="parquet", **kwargs)
    from pyarrow.fs import FSSpecHandler, PyFileSystem

    fs = paths[0].fs
    return pads.dataset([p.path for p in paths], format="parquet", filesystem=PyFileSystem(FSSpecHandler(fs)), **kwargs)
