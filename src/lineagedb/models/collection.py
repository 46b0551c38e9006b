"""The Collection registry: ordered, versioned groups of artifacts.

>>> collection = ln.Collection([artifact1, artifact2], key="my-collection").save()  # doctest: +SKIP
>>> collection.load()                      # one DataFrame / AnnData, a column says which artifact  # doctest: +SKIP
>>> collection.mapped(obs_keys=["cell_type"])  # a torch-ready dataset over all cells           # doctest: +SKIP

The hash of a collection is the hash of its members' hashes in order: building a collection from the
same artifacts in the same order returns the saved one. Saving a collection under an existing key (or
with ``revises=``) makes a new version of that family, as for artifacts.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from ._base import BaseRecord
from ._describe import Section
from ._fields import uid_field
from ._lineage import HasLineage, through_run, visible_in_lineage
from ._tracked import Tracked, TracksUpdates, run_field
from ._versions import VersionedMixin, VersionTagField


class Collection(HasLineage, VersionedMixin, TracksUpdates, Tracked):
    """An ordered set of artifacts; the same members make the same collection.

    >>> ln.Collection([artifact1, artifact2], key="my-collection").save()  # doctest: +SKIP
    """

    _stem_length = 16
    _name_field = "key"
    _list_columns = ("key", "description", "version", "created_at")
    _positional = ("artifacts",)  # ln.Collection([artifact1, artifact2], key=...)
    _lineage_fill = "#e9f6ea"
    _delete_per_record = True  # bulk deletes go through delete(): trash, versions, managed bytes
    uid = uid_field(20)
    key = models.CharField(max_length=1024, null=True, blank=True, db_index=True)
    description = models.TextField(null=True, blank=True)
    hash = models.CharField(max_length=86, null=True, blank=True, db_index=True)
    version = VersionTagField(max_length=30, null=True, blank=True)  # reads the uid suffix when no tag was given
    is_latest = models.BooleanField(default=True, db_index=True)
    artifacts = models.ManyToManyField("lineagedb.Artifact", through="lineagedb.CollectionArtifact", related_name="collections")
    schema = models.ForeignKey("lineagedb.Schema", models.PROTECT, null=True, blank=True, related_name="validated_collections")
    meta_artifact = models.OneToOneField("lineagedb.Artifact", models.PROTECT, null=True, blank=True, related_name="_meta_of_collection")
    run = run_field("output_collections")

    class Meta:
        app_label = "lineagedb"

    @classmethod
    def _describe_sections(cls) -> tuple[Section, ...]:
        """describe(): key and version, hash, members in order, provenance."""
        from ._collection_members import collection_section

        return (collection_section,)

    @classmethod
    def _extra_lookup(cls, key: str, value: Any) -> Any:
        return through_run(key, value)  # Collection.filter(transform=t)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        members = kwargs.pop("artifacts", None)
        if members is None and args and not _is_row(self, args):
            members, args = args[0], args[1:]
        revises = kwargs.pop("revises", None)
        if members is None:  # Django building a row from the database, or a bare Collection()
            super().__init__(*args, **kwargs)
            self._pending_members, self._revises = None, None
            return
        from ._collection_members import build

        build(self, super().__init__, members, revises, args, kwargs)

    @property
    def transform(self):  # noqa: ANN201
        """The Transform whose run created this collection."""
        return self.run.transform if self.run_id is not None else None

    @property
    def ordered_artifacts(self) -> Any:
        """The member artifacts in the order the collection was made with.

        >>> collection.ordered_artifacts.to_dataframe()  # doctest: +SKIP
        """
        from .artifact import Artifact

        return Artifact.objects.filter(links_collection__collection_id=self.pk).order_by("links_collection__position")

    @property
    def data_artifact(self) -> Any:
        """The single member if the collection has exactly one artifact, else None."""
        members = list(self.ordered_artifacts[:2])
        return members[0] if len(members) == 1 else None

    def save(self, *args: Any, **kwargs: Any) -> Collection:  # type: ignore[override]  # returns the record (Django: None)
        """Write the collection and its ordered members; a known key or ``revises`` makes a new version.

        A schema set since the collection was built or loaded is verified first (see :meth:`verify_schema`).
        """
        from ._collection_members import schema_changed

        if schema_changed(self):
            self.verify_schema()
        members = getattr(self, "_pending_members", None)
        if members is None or not self._state.adding:
            return super().save(*args, **kwargs)
        from ._collection_members import save_new

        return save_new(self, lambda: BaseRecord.save(self, *args, **kwargs))

    def verify_schema(self) -> None:
        """Check that every member artifact was validated with this collection's schema; ``ValidationError`` names
        the artifacts that were not (e.g. one whose schema changed after the collection was made).

        >>> ln.Collection([artifact1, artifact2], key="batches", schema=schema).save().verify_schema()  # doctest: +SKIP
        """
        from ._collection_members import check_member_schemas, members_for_schema

        check_member_schemas(f"{self.key!r} ({self.uid})", self.schema, members_for_schema(self))

    def append(self, artifact: Any) -> Collection:
        """A new version of this collection with ``artifact`` added at the end (call ``.save()``).

        >>> collection_v2 = collection.append(artifact3).save()  # doctest: +SKIP
        """
        members = [*self.ordered_artifacts, artifact]
        return Collection(members, key=self.key, description=self.description, revises=self)  # type: ignore[misc]  # Collection.__init__'s arguments

    def cache(self) -> list[Any]:
        """Local paths of all member artifacts (downloaded where needed), in order."""
        from ._collection_data import cache, members

        return cache(members(self), source=self)

    def load(self, join: str = "outer", **kwargs: Any) -> Any:
        """All members concatenated: DataFrames or AnnData, with an ``artifact_uid`` column per row.

        >>> adata = collection.load(join="inner")  # doctest: +SKIP
        """
        from ._collection_data import load, members

        return load(members(self), source=self, join=join, **kwargs)

    def open(self, **kwargs: Any) -> Any:  # noqa: A003
        """One pyarrow dataset over all members (parquet collections; ``engine="polars"``: a polars LazyFrame);
        reads only what you query.

        >>> collection.open().to_table(filter=pc.field("n") > 1).to_pandas()  # doctest: +SKIP
        """
        from ._collection_data import members, open_dataset

        return open_dataset(members(self), source=self, **kwargs)

    def mapped(
        self,
        layers_keys: str | list[str] | None = None,
        obs_keys: str | list[str] | None = None,
        obsm_keys: str | list[str] | None = None,
        obs_filter: dict[str, Any] | tuple | None = None,
        join: str | None = "inner",
        encode_labels: bool | list[str] = True,
        unknown_label: str | dict[str, str] | None = None,
        cache_categories: bool = True,
        parallel: bool = False,
        dtype: str | None = None,
        stream: bool = False,
        is_run_input: bool | None = None,
    ) -> Any:
        """A map-style dataset over every cell of the member AnnData files, for ``torch.utils.data.DataLoader``.

        Takes the arguments of LaminDB's ``MappedCollection``: ``obs_filter`` keeps only cells whose obs
        values match (``{"cell_type": ["T cell", "B cell"]}``), ``stream=True`` reads remote files in place
        instead of caching them first. Works on an unsaved collection too.

        >>> dataset = collection.mapped(obs_keys=["cell_type"])  # doctest: +SKIP
        >>> loader = DataLoader(dataset, batch_size=256, shuffle=True, num_workers=2)  # doctest: +SKIP
        """
        from ._collection_data import mapped, members

        return mapped(members(self), source=self, stream=stream, is_run_input=is_run_input,
                      layers_keys=layers_keys, obs_keys=obs_keys, obsm_keys=obsm_keys, obs_filter=obs_filter,
                      join=join, encode_labels=encode_labels, unknown_label=unknown_label,
                      cache_categories=cache_categories, parallel=parallel, dtype=dtype)

    def to_training_store(self, key: str | None = None, obs_keys: str | list[str] | None = None, chunk_size: int = 512,
                          layout: str | None = None, codec: str = "lz4", seed: int = 0,
                          description: str | None = None) -> Any:
        """The member AnnData artifacts' cells as one preshuffled, chunked, compressed training store: a saved
        ``.zarr`` artifact whose run has the member artifacts as inputs. Open it with
        ``lineagedb.loaders.TrainingStore(artifact.cache())`` and train with ``store.loader(...)``.

        Saving under the same ``key`` makes a new version; when the collection only grew at the end
        (``collection.append(artifact)``), the new artifacts' cells are appended to a copy of the latest
        version instead of rewriting it.

        >>> artifact = collection.to_training_store(key="train/pbmc.zarr", obs_keys="cell_type")  # doctest: +SKIP
        """
        from ._collection_training import to_training_store

        return to_training_store(self, key=key, obs_keys=obs_keys, chunk_size=chunk_size, layout=layout, codec=codec,
                                 seed=seed, description=description)

    @classmethod
    def get(cls, *args: Any, is_run_input: Any = None, **kwargs: Any) -> Collection:
        """One collection (see ``Registry.get``); ``is_run_input=run`` (or True: the tracked run) records it as
        an input of that run.

        >>> ln.Collection.get(key="scrna/all-batches", is_run_input=True)  # doctest: +SKIP
        """
        record = super().get(*args, **kwargs)
        _mark_input(record, is_run_input, "input_collections")
        return record

    def delete(self, permanent: bool | None = False) -> None:  # type: ignore[override]  # trash semantics (see BaseRecord.delete)
        """Move to the trash (``permanent=True``: remove the row; member artifacts are kept)."""
        from ._collection_members import delete

        delete(self, permanent)

    def restore(self) -> Collection:
        """Bring a trashed collection back."""
        from ._collection_members import restore

        return restore(self)

    def _lineage_parents(self) -> list[Any]:
        """A collection comes from the run that saved it and from its member artifacts."""
        return super()._lineage_parents() + visible_in_lineage(self.artifacts.all())


def _mark_input(record: Any, is_run_input: Any, relation: str) -> None:
    """``is_run_input=``: True -> the tracked run; a Run -> that run; None/False -> nothing."""
    if is_run_input is None or is_run_input is False:
        return
    if is_run_input is True:
        from ..core.context import track_input

        track_input(record)
        return
    getattr(is_run_input, relation).add(record)


def _is_row(record: Any, args: tuple) -> bool:
    """Django builds a record from a database row with one positional value per column."""
    return len(args) == len(record._meta.concrete_fields)


class CollectionArtifact(models.Model):
    """Membership of an artifact in a collection, with its position."""

    collection = models.ForeignKey(Collection, models.CASCADE, related_name="links_artifact")
    artifact = models.ForeignKey("lineagedb.Artifact", models.PROTECT, related_name="links_collection")
    position = models.IntegerField(default=0)

    class Meta:
        app_label = "lineagedb"
        unique_together = [("collection", "artifact")]
        ordering = ["position"]
