"""Querysets of artifacts read as one: ``ln.Artifact.filter(...).load()``, ``.mapped()``, ``.open()``, ``.cache()``.

>>> ln.Artifact.filter(key__startswith="batches/").mapped(obs_keys=["cell_type"])  # doctest: +SKIP
>>> collection.artifacts.order_by("-created_at").load()   # one AnnData, an artifact_uid column  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from .queryset import Manager, QuerySet


class ArtifactQuerySet(QuerySet):
    """A QuerySet of artifacts with the collection readers (each artifact is recorded as a run input)."""

    def load(self, join: str = "outer", **kwargs: Any) -> Any:
        """All matched artifacts concatenated (DataFrames or AnnData), in the queryset's order."""
        from ._collection_data import load

        return load(list(self.select_related("storage")), join=join, **kwargs)

    def cache(self) -> list[Any]:
        """Local paths of all matched artifacts (downloaded where needed)."""
        from ._collection_data import cache

        return cache(list(self.select_related("storage")))

    def open(self, **kwargs: Any) -> Any:  # noqa: A003
        """One pyarrow dataset (``engine="polars"``: a LazyFrame) over the matched parquet artifacts."""
        from ._collection_data import open_dataset

        return open_dataset(list(self.select_related("storage")), **kwargs)

    def mapped(self, **kwargs: Any) -> Any:
        """A MappedCollection over the matched AnnData artifacts (same arguments as ``Collection.mapped``)."""
        from ._collection_data import mapped

        return mapped(list(self.select_related("storage")), **kwargs)


class ArtifactManager(Manager.from_queryset(ArtifactQuerySet)):  # type: ignore[misc]
    """Artifact's default manager (trash hidden as for every registry), with :class:`ArtifactQuerySet`."""

    def get_queryset(self) -> ArtifactQuerySet:
        return ArtifactQuerySet(self.model, using=self._db)
