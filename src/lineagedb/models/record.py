"""The Record registry: universal labels with types and a hierarchy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models

from ..core.context import get_branch_id
from ._base import hybridmethod, registry_frame
from ._describe import Section, fields_section
from ._features import FeaturesDescriptor
from ._fields import uid_field
from ._labels import label_link
from ._record_export import RecordManager
from ._record_features import RecordFeatures, TypeField
from ._tracked import Tracked
from ._typed import HasParents, HasType, unique_name_in_type


class Record(HasType, HasParents, Tracked):
    """A label (``ln.Record(name="DMSO")``) or a label type (``ln.Record(name="Experiment", is_type=True)``).

    >>> experiment_type = ln.Record(name="Experiment", is_type=True).save()  # doctest: +SKIP
    >>> ln.Record(name="Experiment 1", type=experiment_type).save()  # doctest: +SKIP
    """

    _required = ()  # a record may be nameless (a sheet row identified by its features), as in LaminDB
    _constructor_keywords = ("features",)  # validated and stored on save()
    _values_in_order = True  # a list feature's values come back in the order given (see _features.host_values)
    _has_notes = True  # readme and comment blocks (RecordBlock): record.notes, describe(include="comments")
    _feature_values = ("RecordFeatureValue", "record")  # link model and host field of feature values (see _features)
    # record fields a feature may name in values_through=, with the feature dtype each needs
    _values_through_fields = {"name": "str", "description": "str", "reference": "str", "created_at": "datetime",
                              "created_by": "User", "run": "Run", "type": "Record"}
    objects: ClassVar[RecordManager] = RecordManager()  # querysets that export to a sheet artifact (to_artifact)
    if TYPE_CHECKING:
        _import_values: list[tuple[Any, Any]]  # (feature, value) a sheet import stores in bulk (_record_import)
    uid = uid_field(16)
    name = models.CharField(max_length=150, db_index=True)
    description = models.TextField(null=True, blank=True)
    type = TypeField("self", models.PROTECT, null=True, blank=True, related_name="records")  # checked on assignment
    is_type = models.BooleanField(default=False, db_index=True)
    reference = models.CharField(max_length=255, null=True, blank=True)
    reference_type = models.CharField(max_length=25, null=True, blank=True)  # what the reference is, e.g. "url"
    parents = models.ManyToManyField("self", symmetrical=False, related_name="children", blank=True)
    artifacts = models.ManyToManyField("lineagedb.Artifact", through="lineagedb.ArtifactRecord", related_name="records")
    schema = models.ForeignKey("lineagedb.Schema", models.PROTECT, null=True, blank=True, related_name="record_types")

    class Meta:
        app_label = "lineagedb"
        constraints = unique_name_in_type("record")

    @classmethod
    def _describe_sections(cls) -> tuple[Section, ...]:
        """describe(): the plain fields, then the record's features."""
        from ._feature_hooks import describe_features

        return fields_section, describe_features

    query_records = HasType.query_instances
    features = FeaturesDescriptor(RecordFeatures)

    def _sheet_frame(self, features: list[Any] | None = None) -> Any:
        """On the class: the latest records (see ``BaseRecord.to_dataframe``); on a record type: its sheet, every
        record typed under it as a row (no row limit), one column per feature (only ``features`` if given).

        >>> ln.Record.get(name="Samples").to_dataframe()  # doctest: +SKIP
        """
        from ._sheet import sheet_frame

        return sheet_frame(self, features)

    to_dataframe = hybridmethod(registry_frame, _sheet_frame)

    df = to_dataframe

    @classmethod
    def from_dataframe(cls, df: Any, type: Record | str | None = None) -> Any:  # noqa: A002  (LaminDB's keyword)
        """Unsaved records of the record type ``type``, one per row of ``df``; ``.save()`` stores them in bulk.
        A name (``type="Samples"``) creates that record type under the ``Imports`` type, with a schema of the frame's
        feature columns; a record type of that name under ``Imports`` already existing is refused.

        Row names come from the schema's index feature (``df.index`` or a column named after it) or a
        ``__lamindb_record_name__`` column; the other columns are features, validated column by column.

        >>> ln.Record.from_dataframe(df, type=samples).save()  # doctest: +SKIP
        """
        from ._record_import import from_dataframe

        return from_dataframe(df, type)

    def to_artifact(self, key: str | None = None, description: str | None = None,
                    link_individual_inputs: bool = True) -> Any:
        """This record type's sheet (every record typed under it) as a csv artifact, by default at
        ``record_exports/<name>.csv``; its export run lists the type and (``link_individual_inputs``) the records
        as inputs (``input_of_runs``) and is initiated by the tracked run, if any.

        >>> artifact = ln.Record.get(name="Samples").to_artifact()  # doctest: +SKIP
        """
        from ._record_export import record_type_to_artifact

        return record_type_to_artifact(self, key=key, description=description,
                                       link_individual_inputs=link_individual_inputs)

    @property
    def notes(self) -> str | None:
        """The content of this record's latest readme block (``ln.models.RecordBlock``), or None.

        >>> ln.models.RecordBlock(record=sample, content="# Notes", kind="readme").save(); sample.notes  # doctest: +SKIP
        '# Notes'
        """
        from .block import latest_readme

        return latest_readme(self.blocks)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not args and kwargs and kwargs.keys() <= _SIMPLE_KWARGS:
            _fast_init(self, {**kwargs, "branch": get_branch_id()})  # ln.Record(name=...) by the ten thousand: skip the generic set-up
            return
        features = kwargs.pop("features", None)
        super().__init__(*args, **kwargs)
        if isinstance(features, dict) and features:  # features kept in the record's own fields (values_through="description") are fields
            from ._record_fields import assign, split_mapped

            mapped, features = split_mapped(features)
            assign(self, mapped)
        if "type" in kwargs:
            self.check_type()
            if self.type_id is not None:
                from ._record_features import check_required, pop_index

                features = pop_index(self, features)  # the schema's index feature is stored as the name
                check_required(self, features or {})  # a typed record must bring its type's required features
        if features is not None:
            self._pending_features = features

    def save(self, *args: Any, **kwargs: Any) -> Record:  # type: ignore[override]  # returns the record (Django: None)
        """Save; ``features=`` given to the constructor are validated and stored with the record."""
        pending = self.__dict__.get("_pending_features")
        if not pending:
            return super().save(*args, **kwargs)
        from django.db import transaction

        with transaction.atomic():
            super().save(*args, **kwargs)
            self.features.set_values(pending)
        self._pending_features = None
        return self

    @classmethod
    def _after_bulk_save(cls, records: list[Record]) -> None:
        """``ln.save(records)``: store the ``features=`` each record was constructed with (as ``save()`` does)."""
        for record in records:
            pending = record.__dict__.get("_pending_features")
            if pending:
                record.features.set_values(pending)
                record._pending_features = None

    @property
    def is_page(self) -> bool:
        """A type without a schema (a folder of records)."""
        return bool(self.is_type) and self.schema_id is None

    @property
    def is_frame(self) -> bool:
        """A type with a schema: its records are the rows of a sheet with the schema's columns."""
        return bool(self.is_type) and self.schema_id is not None

    @property
    def is_sheet(self) -> bool:
        """Deprecated name of :attr:`is_frame`."""
        import warnings

        warnings.warn("Use is_frame instead of is_sheet", DeprecationWarning, stacklevel=2)
        return self.is_frame

    @property
    def is_data(self) -> bool:
        """A record that is not a type."""
        return not self.is_type


_SIMPLE_KWARGS = frozenset({"name", "description", "reference", "reference_type", "is_type"})
_PLAN: list[tuple[str, Any]] = []


def _fast_init(record: Record, kwargs: dict[str, Any]) -> None:
    """What ``Model.__init__`` does for plain keyword fields, with the field plan computed once."""
    from django.db.models.base import ModelState
    from django.db.models.signals import post_init, pre_init

    if not _PLAN:
        for f in Record._meta.concrete_fields:
            _PLAN.append((f.attname, f._get_default))  # type: ignore[attr-defined]  # Django's own default getter (private)
    if pre_init.has_listeners(Record) or post_init.has_listeners(Record):
        return models.Model.__init__(record, **kwargs)
    record._state = ModelState()
    values = record.__dict__
    for attname, default in _PLAN:
        values[attname] = kwargs[attname] if attname in kwargs else default()
    return None


ArtifactRecord = label_link("Record", app_label="lineagedb", module=__name__, accessor="records")
