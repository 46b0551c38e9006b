"""Reading many artifacts as one: local paths, one concatenated object, a streaming pyarrow dataset, or a
mapped (torch-ready) dataset. Used by ``Collection`` and by artifact querysets
(``collection.artifacts.all().load()``, ``ln.Artifact.filter(...).mapped()``).

Each entry point records the collection (or, for a queryset, each artifact) as an input of the active run.
"""

from __future__ import annotations

from typing import Any

from .. import errors
from ..core.context import track_input

SOURCE_COLUMN = "artifact_uid"


def members(collection: Any) -> list[Any]:
    """The member artifacts in order: saved ones from the database, else those the collection was made with."""
    if collection.pk is None or collection._state.adding:
        pending = getattr(collection, "_pending_members", None)
        if pending is None:
            raise errors.InvalidArgument("save the collection first: collection.save()")
        return list(pending)
    return list(collection.ordered_artifacts.select_related("storage"))


def _track(source: Any, artifacts: list[Any]) -> None:
    for record in [source] if source is not None else artifacts:
        track_input(record)


def cache(artifacts: list[Any], source: Any = None) -> list[Any]:
    paths = [artifact._local() for artifact in artifacts]
    _track(source, artifacts)
    return paths


def load(artifacts: list[Any], source: Any = None, join: str = "outer", **kwargs: Any) -> Any:
    """Concatenate the artifacts (all DataFrames or all AnnData) along rows; ``artifact_uid`` tells each row's source."""
    if join not in ("inner", "outer"):
        raise errors.InvalidArgument(f"join must be 'inner' or 'outer', not {join!r}")
    from ..formats import loader_for

    suffixes = sorted({a.suffix for a in artifacts})
    if len(suffixes) > 1:
        raise errors.InvalidArgument(
            f"Can only load collections where all artifacts have the same suffix; these have {suffixes}. "
            "Load each artifact on its own: [a.load() for a in collection.ordered_artifacts]"
        )
    objects = [loader_for(a.suffix)(a._local()) for a in artifacts]
    uids = [a.uid for a in artifacts]
    kinds = {type(o).__name__ for o in objects}
    _track(source, artifacts)
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


def open_dataset(artifacts: list[Any], source: Any = None, engine: str = "pyarrow", **kwargs: Any) -> Any:
    """One ``pyarrow.dataset.Dataset`` (``engine="polars"``: one polars LazyFrame) over all parquet artifacts,
    local or remote, read lazily."""
    suffixes = {a.suffix for a in artifacts}
    if suffixes != {".parquet"}:
        raise errors.InvalidArgument(
            f"collection.open() streams parquet collections; this one holds {sorted(suffixes)}. "
            "For AnnData use collection.mapped(...) or artifact.open() per member"
        )
    paths = [a._existing_path() for a in artifacts]
    _track(source, artifacts)
    from ..core.storage import is_local, local_path

    if engine == "polars":
        import polars as pl

        return pl.scan_parquet([str(local_path(p)) if is_local(p) else str(p) for p in paths], **kwargs)
    if engine != "pyarrow":
        raise errors.InvalidArgument(f"engine must be 'pyarrow' or 'polars', not {engine!r}")
    import pyarrow.dataset as pads

    if all(is_local(p) for p in paths):
        return pads.dataset([str(local_path(p)) for p in paths], format="parquet", **kwargs)
    from pyarrow.fs import FSSpecHandler, PyFileSystem

    fs = paths[0].fs
    return pads.dataset([p.path for p in paths], format="parquet", filesystem=PyFileSystem(FSSpecHandler(fs)), **kwargs)


def mapped(artifacts: list[Any], source: Any = None, stream: bool = False, is_run_input: bool | None = None,
           **kwargs: Any) -> Any:
    """A :class:`~lineagedb.loaders.MappedCollection` over the AnnData artifacts (``stream=True``: read remote
    files in place instead of caching them locally first)."""
    from ..loaders import MappedCollection

    paths = []
    for artifact in artifacts:
        path = artifact._existing_path() if stream else artifact._local()
        paths.append(str(path))
    if is_run_input is not False:
        _track(source, artifacts)
    return MappedCollection(paths, **kwargs)
