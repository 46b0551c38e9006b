"""The Artifact registry: files, folders and in-memory objects in storage.

Creating an artifact hashes its content (and, for a source outside every registered storage, places it
into the default storage's store: ``core/store``, copied and hashed in one read); ``.save()`` commits the
row with the placement: the bytes wait at their pending name inside the transaction and move to
``<root>/.lineagedb/<uid><suffix>`` after the commit (see ``core/storage.py`` for the temp names).
"""

from __future__ import annotations

import os
import weakref
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Substr

from .. import errors
from ..core import storage as st
from ..core.store import store_for
from ._artifact_set import ArtifactManager
from ._artifact_validation import annotate_on_save, check_file_schema, validate_for_schema
from ._base import BaseRecord
from ._describe import Section
from ._features import FeaturesDescriptor
from ._fields import uid_field
from ._lineage import HasLineage, through_run, visible_in_lineage
from ._lineage_kind import INTERNAL_KIND, LAMINDB_INTERNAL_KIND
from ._polars_io import is_polars, stage_polars
from ._tracked import Tracked, TracksUpdates, run_field
from ._versions import (
    MAIN,
    TRASH,
    VersionedMixin,
    VersionTagField,
    check_revises,
    family_stem_by_key,
    planned_uid,
    refresh_latest,
    save_new_version,
)

_DISCARDED = object()  # the placement's bytes were removed after a failed save: create the artifact again


def _info(message: str) -> None:
    from ..core.user_settings import settings

    if settings.verbosity in ("info", "debug"):
        print(f"→ {message}")


def _is_dataframe(obj: Any) -> bool:
    """A pandas DataFrame, a polars DataFrame or a polars LazyFrame."""
    from ._polars_io import is_polars

    name, module = type(obj).__name__, type(obj).__module__
    return (name == "DataFrame" and module.startswith("pandas")) or is_polars(obj)


def _n_rows(df: Any) -> int | None:
    if type(df).__name__ == "LazyFrame":
        return None  # counting would run the whole query; the parquet file has the number
    return len(df)


_OTYPE_BY_SUFFIX = {".parquet": ("DataFrame", "from_dataframe"), ".h5ad": ("AnnData", "from_anndata"),
                    ".h5mu": ("MuData", "from_mudata")}


def _hint(otype: str, method: str) -> None:
    from ._artifact_dedup import logger

    logger.warning(f"data is a {otype}, please use .{method}()")


def _otype_hint(path: Any) -> str | None:
    """The object type a file of this suffix holds (with a hint at the ``from_*`` constructor), else None."""
    found = _OTYPE_BY_SUFFIX.get(st.suffix_of(str(path)))
    if found is None:
        return None
    _hint(*found)
    return found[0]


def _check_key_suffix(key: str | None, source: Any) -> None:
    """A key must end in the data's suffix: ``x.parquet`` for parquet bytes, no suffix for a suffix-less file."""
    if key is None or source.real_key is not None:
        return
    key_suffix = st.suffix_of(key)
    if key_suffix != source.suffix:
        raise errors.InvalidArgument(
            f"The passed path's suffix '{source.suffix}' must match the passed key's suffix '{key_suffix}'."
        )


class Artifact(HasLineage, VersionedMixin, TracksUpdates, Tracked):
    """A dataset, model or any file or folder, versioned and content-hashed.

    ``Artifact(path_or_data, *, key=None, description=None, revises=None, run=None, kind=None,
    version=None, skip_hash_lookup=False)``: ``path_or_data`` is a local file or folder, a UPath or
    URL, or a DataFrame. ``key`` is a virtual relative path (reusing one makes a new version);
    ``revises`` makes a new version of another artifact; ``run`` defaults to the tracked run;
    ``skip_hash_lookup=True`` creates a new artifact even when one with the same content exists.

    >>> ln.Artifact("./my_data.fcs", key="my_data.fcs").save()  # doctest: +SKIP
    >>> ln.Artifact.from_dataframe(df, key="my_datasets/rnaseq1.parquet").save()  # doctest: +SKIP
    >>> ln.Artifact.filter(branch=-1).to_dataframe()   # the trash  # doctest: +SKIP
    """

    _feature_values = ("ArtifactFeatureValue", "artifact")  # link model and host field of feature values (see _features)
    features = FeaturesDescriptor()  # artifact.features.add_values(...), .get_values(), .describe()

    _stem_length = 16
    _name_field = "key"
    _list_columns = ("key", "description", "suffix", "size", "version", "created_at")
    _labels_as_links = True  # a categorical feature's values are label links, with their feature, and schema slots
    _positional = ("path_or_data",)  # ln.Artifact("./my_data.fcs", key=...)
    _delete_per_record = True  # bulk deletes go through delete(): trash, versions, managed bytes
    _query_aliases = {**VersionedMixin._query_aliases, "transform": "run__transform"}  # transform: made by a run of it
    objects: ClassVar[ArtifactManager] = ArtifactManager()  # querysets that load()/mapped()/open() many artifacts at once
    _hidden = {"kind": INTERNAL_KIND}  # tracking's environments and reports stay out of user listings
    uid = uid_field(20)
    key = models.CharField(max_length=1024, null=True, blank=True, db_index=True)
    description = models.TextField(null=True, blank=True)
    storage = models.ForeignKey("lineagedb.Storage", models.PROTECT, related_name="artifacts")
    suffix = models.CharField(max_length=30, default="", blank=True)
    size = models.BigIntegerField(null=True, blank=True, db_index=True)
    hash = models.CharField(max_length=86, null=True, blank=True, db_index=True)
    hash_type = models.CharField(max_length=30, null=True, blank=True)
    n_files = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=20, null=True, blank=True, db_index=True)
    otype = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    n_observations = models.BigIntegerField(null=True, blank=True)
    version = VersionTagField(max_length=30, null=True, blank=True)  # reads the uid suffix when no tag was given
    is_latest = models.BooleanField(default=True, db_index=True)
    # path relative to the storage root for in-place registered artifacts; None: managed at .lineagedb/<uid><suffix>
    _real_key = models.CharField(max_length=1024, null=True, blank=True, db_column="real_key")
    schema = models.ForeignKey("lineagedb.Schema", models.PROTECT, null=True, blank=True, related_name="validated_artifacts")
    feature_sets = models.ManyToManyField("lineagedb.Schema", through="lineagedb.ArtifactSchema", related_name="artifacts")
    # who sees it; None: the space "all". Moving to another space moves the bytes to a storage of that space.
    space = models.ForeignKey("lineagedb.Space", models.PROTECT, null=True, blank=True, related_name="artifacts")
    run = run_field("output_artifacts")

    _placement: Any = None  # a core.store Placement until the bytes are committed (or _DISCARDED)
    _revises: Any = None
    _local_source: Path | None = None
    _validation: Any = None

    class Meta:
        app_label = "lineagedb"
        constraints = [
            models.UniqueConstraint(  # one latest version per key and branch (ln.setup.switch)
                fields=["key", "branch"], condition=Q(is_latest=True, key__isnull=False),
                name="artifact_one_latest_per_key",
            ),
            models.UniqueConstraint(Substr("uid", 1, 16), F("branch"), condition=Q(is_latest=True),
                                    name="artifact_one_latest_per_family"),
        ]

    @classmethod
    def _describe_sections(cls) -> tuple[Section, ...]:
        """describe(): the core fields, the schema and feature sets, then features and labels."""
        from ._artifact_describe import artifact_section
        from ._describe_schema import artifact_schema_section
        from ._feature_hooks import describe_features

        return artifact_section, artifact_schema_section, describe_features

    # -- construction --------------------------------------------------------------------------
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if len(args) == len(self._meta.concrete_fields) or (not args and "path_or_data" not in kwargs):
            super().__init__(*args, **kwargs)  # Django: from_db(*values) or plain fields
            return
        if len(args) > 1:
            raise TypeError("Artifact() takes one positional argument (a path, URL or DataFrame); pass the rest by name")
        self._init_from_source(args[0] if args else kwargs.pop("path_or_data"), **kwargs)

    def _init_from_source(
        self,
        path_or_data: Any,
        *,
        key: str | None = None,
        description: str | None = None,
        revises: Artifact | None = None,
        run: Any = None,
        kind: str | None = None,
        version: str | None = None,
        skip_hash_lookup: bool | None = None,
        schema: Any = None,
        otype: str | None = None,
        n_observations: int | None = None,
        key_is_virtual: bool | None = None,
        overwrite_versions: bool | None = None,
        parquet_kwargs: dict[str, Any] | None = None,
        storage: Any = None,
        _move: bool = False,
        _suffix: str | None = None,
        _validation: Any = None,
        _via_from: bool = False,
        **kwargs: Any,
    ) -> None:
        from ._artifact_dedup import adopt, find_existing
        from ._artifact_sources import resolve

        key = st.validate_key(key)
        if kind == LAMINDB_INTERNAL_KIND:
            kind = INTERNAL_KIND
        if key_is_virtual is False:
            raise errors.InvalidArgument(
                "key_is_virtual=False is not supported: lineagedb stores bytes under <root>/.lineagedb/<uid><suffix> "
                "and keeps the key virtual; register a file in place by saving it inside a registered storage root"
            )
        passed_key = key
        if revises is not None:
            check_revises(Artifact, revises)
            key = revises.key if key is None else key
            description = revises.description if description is None else description
        features = kwargs.pop("features", None)  # dataset-level values: the schema's __external__ slot
        explicit_otype = otype is not None
        if _is_dataframe(path_or_data):
            if not _via_from:
                _hint("DataFrame", "from_dataframe")
            _validation = validate_for_schema(path_or_data, schema, features)
            data = getattr(_validation, "data", None)  # with the columns the schema coerces converted
            data = path_or_data if data is None else data
            if is_polars(data) and parquet_kwargs is None:
                path_or_data, _suffix, n_observations = stage_polars(data, key, staging_path)  # streamed, no pandas
            else:
                path_or_data, n_observations = _stage_dataframe(data, parquet_kwargs), _n_rows(data)
                _suffix = ".parquet"
            otype, _move = "DataFrame", True
        elif parquet_kwargs is not None:
            raise errors.InvalidArgument("parquet_kwargs= applies to DataFrames only (ln.Artifact.from_dataframe(df, ...))")
        elif type(path_or_data).__name__ in ("AnnData", "MuData"):
            from ._anndata_artifacts import stage_object

            otype = type(path_or_data).__name__
            _hint(otype, f"from_{otype.lower()}")
            _validation = validate_for_schema(path_or_data, schema, features)
            path_or_data, _suffix, n_observations = stage_object(path_or_data, key, kwargs.pop("format", None))
            _move = True
        elif otype is None and not _move and (isinstance(path_or_data, (str, os.PathLike)) or st.is_upath(path_or_data)):
            explicit_otype, otype = False, _otype_hint(path_or_data)
        _deferred = False  # a file whose schema needs feature values an existing artifact may already have
        if schema is not None and not _move and _validation is None:  # a plain file, nothing validated yet
            _deferred = check_file_schema(schema, path_or_data, otype, explicit_otype, features)
        if not _deferred and _validation is None and (features or (schema is not None and "__external__" in schema.slots)):
            _validation = validate_for_schema(None, schema, features)  # any file: only its external features
        local_source = None
        if not _move and isinstance(path_or_data, (str, os.PathLike)) and st.is_local(path_or_data):
            local_source = Path(path_or_data).expanduser()
        try:
            source = resolve(path_or_data, move=_move, suffix=_suffix, storage=storage)
        except BaseException:
            if _move:  # a temporary serialization is ours: never leave it behind
                st.remove_local(Path(path_or_data))
            raise
        try:
            _check_key_suffix(passed_key, source)
            existing = find_existing(type(self), source, passed_key, skip_hash_lookup)
            if existing is not None:
                if source.placement is not None:
                    source.placement.discard()
                super().__init__(*[getattr(existing, f.attname) for f in self._meta.concrete_fields])
                adopt(self, existing)
                if _deferred:  # the existing artifact supplies the values the schema asks for
                    _validation = validate_for_schema(None, schema, existing.features.get_values())
                self._validation = _validation
                if schema is not None and self.schema_id is None:
                    self.schema = schema
                return
            if _deferred:
                _validation = validate_for_schema(None, schema, features)  # raises: no values were given
            fields = dict(
                key=key if key is not None else (source.default_key if source.real_key is not None else None),
                description=description, storage=source.storage, suffix=source.suffix, size=source.hashed.size,
                hash=source.hashed.hash, hash_type=source.hashed.hash_type, n_files=source.hashed.n_files,
                kind=kind, otype=otype, n_observations=n_observations, version=version, _real_key=source.real_key,
            )
            fields["key"] = st.validate_key(fields["key"])
            if run is not None:
                fields["run"] = run
            if schema is not None:
                fields["schema"] = schema
            super().__init__(**fields, **kwargs)
        except BaseException:
            if source.placement is not None:
                source.placement.discard()
            raise
        self._revises, self._validation, self._placement = revises, _validation, source.placement
        if source.placement is not None:
            if local_source is not None:
                self._local_source = local_source
            weakref.finalize(self, source.placement.discard)  # never saved: the placed bytes go away

    @classmethod
    def _extra_lookup(cls, key: str, value: Any) -> Any:
        """``path=`` (where the bytes are), ``transform=`` (via the run), then feature names."""
        if key == "path":
            from ._artifact_path import path_lookup

            return path_lookup(cls, key, value)
        return through_run(key, value) or super()._extra_lookup(key, value)

    @classmethod
    def from_dataframe(
        cls, df: Any, *, key: str | None = None, description: str | None = None, schema: Any = None,
        revises: Artifact | None = None, **kwargs: Any,
    ) -> Artifact:
        """An artifact from a pandas DataFrame, stored as parquet (``otype="DataFrame"``).

        With ``schema``, the DataFrame is validated first (``ln.errors.ValidationError``, nothing
        written) and annotated on save.

        >>> ln.Artifact.from_dataframe(df, key="my_datasets/rnaseq1.parquet").save()  # doctest: +SKIP
        """
        kwargs.setdefault("kind", "dataset")
        if isinstance(df, (str, Path)) or type(df).__name__ in {"UPath", "PosixUPath", "LocalPath"}:
            from ._dataframe_files import from_dataframe_file

            return from_dataframe_file(cls, df, key=key, schema=schema, description=description, revises=revises,
                                       **kwargs)
        if not _is_dataframe(df):
            raise errors.InvalidArgument(
                f"from_dataframe() needs a pandas or polars DataFrame (or polars LazyFrame), not {type(df).__name__}"
            )
        return cls(df, key=key, description=description, schema=schema, revises=revises, _via_from=True, **kwargs)  # type: ignore[misc]  # Artifact.__init__'s keywords

    @classmethod
    def from_dir(cls, path: Any, *, key: str | None = None, run: Any = None, **kwargs: Any) -> Any:
        """One artifact per file below a folder (keys ``<key>/<relative path>``), as a list with ``save()``.

        >>> ln.Artifact.from_dir("./raw_images", key="images/batch1").save()  # doctest: +SKIP
        """
        from ._artifact_dir import from_dir

        return from_dir(cls, path, key=key, run=run, **kwargs)

    @classmethod
    def from_anndata(cls, adata: Any, *, key: str | None = None, description: str | None = None, schema: Any = None,
                     format: str | None = None, revises: Artifact | None = None, **kwargs: Any) -> Artifact:  # noqa: A002
        """An artifact from an AnnData object or an ``.h5ad``/``.zarr`` path (``otype="AnnData"``).

        ``format`` is ``"h5ad"`` (default, or as the key's suffix says) or ``"zarr"``. With ``schema``,
        the AnnData is validated before anything is written and annotated on save.

        >>> ln.Artifact.from_anndata(adata, key="my_datasets/my_rnaseq1.h5ad").save()  # doctest: +SKIP
        """
        from ._anndata_artifacts import from_anndata

        return from_anndata(cls, adata, key=key, description=description, schema=schema, format=format,
                            revises=revises, **kwargs)

    @classmethod
    def from_mudata(cls, mdata: Any, *, key: str | None = None, description: str | None = None, schema: Any = None,
                    revises: Artifact | None = None, **kwargs: Any) -> Artifact:
        """An artifact from a MuData object (stored as ``.h5mu``) or a path to one (``otype="MuData"``).

        >>> ln.Artifact.from_mudata(mdata, key="my_datasets/multiome.h5mu").save()  # doctest: +SKIP
        """
        from ._anndata_artifacts import from_mudata

        return from_mudata(cls, mdata, key=key, description=description, schema=schema, revises=revises, **kwargs)

    @classmethod
    def get(cls, *args: Any, is_run_input: Any = None, **kwargs: Any) -> Artifact:
        """One artifact (see ``Registry.get``: by uid, key, path=..., ...); ``is_run_input=run`` (or True: the
        tracked run) records it as an input of that run.

        >>> ln.Artifact.get(key="my_datasets/rnaseq1.parquet", is_run_input=True)  # doctest: +SKIP
        """
        from .collection import _mark_input

        record = super().get(*args, **kwargs)
        _mark_input(record, is_run_input, "input_artifacts")
        return record

    @property
    def labels(self) -> Any:
        """Every label linked to this artifact (Record, ULabel, Project, bio, ...): ``.add``, ``.remove``,
        ``.get``, ``.add_from(other_artifact)``.

        >>> artifact.labels.add(dmso, feature="perturbation")  # doctest: +SKIP
        """
        from ._artifact_labels import LabelManager

        return LabelManager(self)

    @property
    def schemas(self) -> Any:
        """The schemas (feature sets) describing this artifact's slots; the same manager as ``feature_sets``.

        >>> artifact.schemas.all()  # doctest: +SKIP
        """
        return self.feature_sets

    @property
    def overwrite_versions(self) -> bool:
        """Always False: every version keeps its own bytes (``overwrite_versions=`` is accepted, see docs/compat.md)."""
        return False

    @classmethod
    def _from_local_file(
        cls, tmp_path: str | Path, suffix: str, *, otype: str | None = None, n_observations: int | None = None,
        key: str | None = None, description: str | None = None, revises: Artifact | None = None,
        schema: Any = None, validation: Any = None, kind: str | None = "dataset", **kwargs: Any,
    ) -> Artifact:
        """An artifact from a temporary serialized file (or folder) that lineagedb takes over.

        The file is moved into the default storage's staging area (renamed when on the same file
        system, else copied and removed), hashed once, and deduplicated like any artifact.
        ``validation`` (from :func:`validate_for_schema`) is annotated on save.
        Write into :func:`staging_path` to avoid even the move. If creating the artifact fails (a bad
        key, say), the temporary file is removed: it is lineagedb's from the call on.
        """
        try:
            st.validate_key(key)
            return cls(Path(tmp_path), key=key, description=description, revises=revises, schema=schema,
                       otype=otype, n_observations=n_observations, kind=kind, _move=True, _suffix=suffix,
                       _validation=validation, **kwargs)  # type: ignore[misc]  # Artifact.__init__'s arguments
        except BaseException:
            st.remove_local(Path(tmp_path))
            raise

    # -- saving --------------------------------------------------------------------------------
    def save(self, *args: Any, **kwargs: Any) -> Artifact:  # type: ignore[override]  # returns the record (Django: None)
        """Write the row (and, for a new artifact, place its bytes) and return the artifact.

        After ``artifact.storage = other``, asks before moving the bytes; answering "n" returns None.
        """
        if self.storage_id is None:
            raise errors.InvalidArgument("an Artifact needs data: ln.Artifact(path, key=...) or Artifact.from_dataframe(df, ...)")
        if not self._state.adding:
            return self._save_update(*args, **kwargs)
        self.key = st.validate_key(self.key)
        placement = self._placement
        if placement is _DISCARDED:
            raise errors.InvalidArgument("an earlier save() of this artifact failed and its copy was removed; create it again")
        if self._real_key is None and not self._storage_record().is_managed:
            raise errors.InvalidArgument(
                "Cannot save an artifact to a storage location that is not managed by the current instance. "
                f"({self._storage_record().root}; pass storage= a location this instance manages)"
            )
        from ._artifact_dedup import adopt, info, same_key_and_content

        existing = same_key_and_content(self)
        if existing is not None:  # the key's latest version has these bytes already: no duplicate version
            if placement is not None:
                placement.discard()
            self._placement = None
            adopt(self, existing)
            info(f"key {self.key!r} already has this content as artifact {existing.uid}; returning it")
            if self._validation is not None:
                self._save_update()
            return self

        def insert() -> None:
            if placement is not None:
                placement.assign(self.uid)  # the bytes wait at their pending name while the row commits
            BaseRecord.save(self, *args, **kwargs)
            annotate_on_save(self, self._validation)

        in_outer = transaction.get_connection().in_atomic_block
        try:
            planned = None
            if placement is not None:  # slow transfers (a cloud upload) before the transaction
                planned = placement.prepare(partial(planned_uid, self, revises=self._revises, key=self.key))
            save_new_version(self, insert, revises=self._revises, key=self.key, new_family_uid=planned)
        except BaseException:
            if placement is not None:  # a cloud upload can be retried from the user's file; a local copy is gone
                self._placement = placement if placement.discard() else _DISCARDED
            raise
        self._validation = None
        if placement is not None:
            if in_outer:
                transaction.on_commit(partial(self._commit_bytes, placement))
            else:
                self._commit_bytes(placement)
        return self

    def _commit_bytes(self, placement: Any) -> None:
        root = placement.store.root
        try:
            placement.commit()
        except BaseException as e:  # no row without its file: take the row back
            with transaction.atomic():
                type(self).objects.filter(pk=self.pk).delete_rows()
                refresh_latest(type(self), self.stem_uid)
            placement.discard()
            self._placement = _DISCARDED
            raise errors.StorageError(f"could not move the artifact into {root}: {e}") from e
        self._placement = None
        _sweep_leftovers(root)

    def _save_update(self, *args: Any, **kwargs: Any) -> Artifact:
        stored_key = type(self).objects.filter(pk=self.pk).values_list("key", flat=True).first()
        if self.key != stored_key and self.key is None:
            raise errors.InvalidArgument(
                "Cannot update an artifact key to None. Set another key, e.g. artifact.key = 'my_datasets/x.parquet'"
            )
        from ._artifact_move import CANCELLED, changed_suffix, moved_storage, rename_bytes

        old_suffix = changed_suffix(self, stored_key)  # artifact.suffix = ".tsv": the key follows, bytes renamed below
        st.validate_key(self.key)
        if self.key is not None and self.key != stored_key and st.suffix_of(self.key) != self.suffix:
            raise errors.InvalidArgument(
                f"The suffix '{st.suffix_of(self.key)}' of the provided key is incorrect, it should be '{self.suffix}'. "
                f"(artifact {self.uid}: a key ends in the data's suffix)"
            )
        moved = moved_storage(self)  # artifact.storage = other; save(): asks, moves the bytes, writes the row
        if moved == CANCELLED:
            return None  # type: ignore[return-value]  # cancelled: nothing saved
        if moved:
            return self
        if self.key is not None and self.is_latest:
            other = family_stem_by_key(type(self), self.key)
            if other is not None and other != self.stem_uid:
                raise errors.InvalidArgument(
                    f"key {self.key!r} is used by another artifact family ({other}); pick another key or save a new "
                    "version with ln.Artifact(..., key=...)"
                )
        def write_row() -> None:
            with transaction.atomic():
                BaseRecord.save(self, *args, **kwargs)
                annotate_on_save(self, self._validation)

        try:
            if old_suffix is None:
                write_row()
            elif not rename_bytes(self, old_suffix, write_row):
                return None  # type: ignore[return-value]  # answered no: nothing changed on disk or in the row
        except IntegrityError as e:
            raise errors.InvalidArgument(f"cannot save artifact {self.uid}: {e}") from e
        self._validation = None
        return self

    # -- deleting ------------------------------------------------------------------------------
    def delete(self, permanent: bool = False, **_: Any) -> None:  # type: ignore[override]
        """Move to the trash (hidden from queries; ``ln.Artifact.filter(branch=-1)`` lists it), or with
        ``permanent=True`` remove the row and the bytes this instance manages. Deleting an artifact that is in
        the trash asks on a terminal whether to delete it permanently (no terminal: it stays in the trash).

        Deleting the latest version makes the previous one the latest. An unsaved artifact: nothing happens.
        """
        if self.pk is None or self._state.adding:
            return None
        if permanent:
            self._delete_permanently()
            return
        if self.branch == TRASH:  # asked on a terminal only: unattended, nothing is deleted for good
            from ..core.user_settings import confirm

            if confirm(f"Artifact {self.uid} is already in the trash; deleting it again deletes it permanently.",
                       default=False):
                self._delete_permanently()
                return
            _info(f"artifact {self.uid} is already in the trash; delete(permanent=True) removes it for good")
            return
        with transaction.atomic():
            type(self).objects.filter(pk=self.pk).update(branch=TRASH, is_latest=False)
            refresh_latest(type(self), self.stem_uid)
        self.branch, self.is_latest = TRASH, False

    def restore(self) -> None:
        """Take the artifact out of the trash (it becomes latest again if it is the newest version)."""
        with transaction.atomic():
            type(self).objects.filter(pk=self.pk).update(branch=MAIN)
            refresh_latest(type(self), self.stem_uid)
        self.refresh_from_db(fields=["branch", "is_latest"])

    def _delete_permanently(self) -> None:
        from django.db.models import ProtectedError

        storage = self._storage_record()
        managed = self._real_key is None and storage.is_managed
        store, uid, suffix = store_for(storage.root), self.uid, self.suffix
        from ._collection_members import release_member

        with transaction.atomic():
            undo = store.hide(uid, suffix) if managed else None
            try:
                held_by = release_member(self)  # collections keep their other members
                models.Model.delete(self)  # the row only: bytes and versions are handled here
                refresh_latest(type(self), uid[: self._stem_length])
            except BaseException as e:
                if undo is not None:
                    undo()
                if isinstance(e, ProtectedError):
                    users = sorted({type(o).__name__ for o in e.protected_objects})
                    raise errors.InvalidArgument(
                        f"artifact {uid} is still used by {', '.join(users)}; delete or unlink those first"
                    ) from None
                raise
            if undo is not None:
                transaction.on_commit(partial(store.remove_pending, uid, suffix))
        self.branch, self.is_latest = TRASH, False
        if held_by:
            from ._artifact_dedup import logger

            logger.warning(f"artifact {uid} was deleted for good and removed from the collections holding it: "
                           f"{'; '.join(held_by)}")

    # -- reading -------------------------------------------------------------------------------
    def _storage_record(self) -> Any:
        cached = self._state.fields_cache.get("storage")
        if cached is not None:
            return cached
        from ._artifact_sources import storage_by_id

        return storage_by_id(self.storage_id)

    @property
    def path(self) -> st.UPath:
        """Where the bytes are: a UPath (``<root>/.lineagedb/<uid><suffix>`` or the in-place path).

        While the bytes still wait for a transaction to commit (a save inside ``transaction.atomic()``), the
        path is their pending place in the same folder, so they can be read before the commit.
        """
        placement = self._placement
        if placement is not None and placement is not _DISCARDED:
            waiting = placement.path  # staged, or pending until the outer transaction commits
            if waiting is not None:
                return waiting
        root = self._storage_record().root
        if self._real_key is not None:
            return st.upath(root) / self._real_key
        return store_for(root).final_path(self.uid, self.suffix)

    def _existing_path(self) -> st.UPath:
        path = self.path
        if st.is_local(path) and not st.local_path(path).exists():
            root = self._storage_record().root
            if self._real_key is not None or not store_for(root).roll_forward(self.uid, self.suffix):
                raise errors.StorageError(f"the bytes of artifact {self.uid} are missing at {path}")
        return path

    def _local(self) -> Path:
        source = self._local_source
        if self._state.adding and source is not None and source.exists():
            return source  # not saved yet: the user's own file (same bytes as the staged copy)
        path = self._existing_path()
        if st.is_local(path):
            return st.local_path(path)
        from ..core._cache import cache

        return cache(str(path), **path.storage_options)  # re-downloads only what changed remotely

    def cache(self) -> Path:
        """A local path to the bytes (for local storage the stored file itself; cloud: downloaded once)."""
        from ..core.context import track_input

        local = self._local()
        track_input(self)
        return local

    def load(self, **kwargs: Any) -> Any:
        """Load into memory: parquet/csv/tsv -> DataFrame, json/yaml -> object, h5ad -> AnnData;
        images, html, svg and rds -> their local path.

        Tables take ``engine="polars"`` for a polars DataFrame; other kwargs go to the reader.

        >>> artifact.load(engine="polars")  # doctest: +SKIP
        """
        from ..core.context import track_input
        from ..formats import loader_for

        loader = loader_for(self.suffix)
        obj = loader(self._local(), **kwargs)
        track_input(self)
        return obj

    def open(self, **kwargs: Any) -> Any:  # noqa: A003
        """Stream without loading: parquet -> ``pyarrow.dataset.Dataset`` (``engine="polars"``: a polars
        LazyFrame); h5ad/zarr -> backed AnnData.

        >>> artifact.open(engine="polars").filter(pl.col("a") > 1).collect()  # doctest: +SKIP
        """
        from ..core.context import track_input
        from ..formats import opener_for

        opener = opener_for(self.suffix)
        handle = opener(self._existing_path(), **kwargs)
        track_input(self)
        return handle

    @property
    def transform(self):  # noqa: ANN201
        """The Transform whose run created this artifact."""
        return self.run.transform if self.run_id is not None else None

    def _lineage_children(self) -> list[Any]:
        """An artifact is used by the runs that loaded it and the collections that hold it."""
        return super()._lineage_children() + visible_in_lineage(self.collections.all())



def _sweep_leftovers(root: Any) -> None:
    """Once per process and root: finish or remove what crashed saves left behind (``core/integrity``)."""
    from ..core.integrity import sweep_once

    try:
        sweep_once(root)
    except Exception:  # noqa: BLE001 - tidying is best effort; it never fails a save that succeeded
        pass


def staging_path(suffix: str) -> Path:
    """A fresh local file name where the default storage's store takes a serialization over most cheaply.

    Serialize an object there and pass it to :meth:`Artifact._from_local_file`: a local store then hashes it
    in place (its staging area); for a cloud root it is a temporary file, removed once uploaded.
    """
    from ..core.user_settings import settings

    return store_for(settings.storage.root).scratch_path(suffix)


def _stage_dataframe(df: Any, parquet_kwargs: dict[str, Any] | None = None) -> Path:
    from ..formats._tables import write_parquet

    path = staging_path(".parquet")
    try:
        write_parquet(df, path, **(parquet_kwargs or {}))
    except OSError as e:  # a full or read-only temporary folder: name it, leave nothing behind
        path.unlink(missing_ok=True)
        raise errors.StorageError(
            f"cannot write the DataFrame to {path} ({e.strerror or e}); free space there or point TMPDIR elsewhere"
        ) from e
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


class ArtifactSchema(models.Model):
    """Which schema (feature set) describes which slot of an artifact (``obs``, ``var.T``, ...)."""

    artifact = models.ForeignKey(Artifact, models.CASCADE, related_name="links_schema")
    schema = models.ForeignKey("lineagedb.Schema", models.PROTECT, related_name="links_artifact")
    slot = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        app_label = "lineagedb"
        unique_together = [("artifact", "schema", "slot")]
