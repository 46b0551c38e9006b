"""Curators: validate step by step, fix what failed (standardize, add new labels), then save the artifact."""

from __future__ import annotations

from typing import Any

from .. import errors
from ._fixes import fill_defaults, rename_synonym_columns, replace_synonyms
from ._polars import check_polars_schema, is_polars, validate_polars
from ._result import CatValues, ValidationResult
from ._validate import add_external, validate


def coerced_copy(df: Any, result: ValidationResult) -> Any:
    """A copy of pandas ``df`` with the columns validation coerced, or None when none was (no copy)."""
    coerced = {c: s for slot in result.slots for c, s in slot.coerced.items()}
    if not coerced:
        return None
    copy = df.copy()
    for column, series in coerced.items():
        copy[column] = series
    return copy


class CatManager:
    """``curator.cat``: the categorical columns, their non-validated values, and registering new ones."""

    def __init__(self, curator: Curator, slot: str | None = None) -> None:
        self._curator = curator
        self._slot = slot  # a ComponentCurator's manager only sees its slot

    def __repr__(self) -> str:
        keys = sorted({c.key for s in self._curator._current().slots for c in s.all_cats()})
        return f"CatManager(columns={keys})"

    @property
    def non_validated(self) -> dict[str, list[str]]:
        """``{column: [values in neither the registry nor its public source]}``.

        >>> curator.cat.non_validated  # doctest: +SKIP
        {'perturbation': ['IFNJ']}
        """
        found = self._curator._current().non_validated
        if self._slot is None:
            return found
        return {k.rpartition(":")[2]: v for k, v in found.items() if k.rpartition(":")[0] in {self._slot, ""}}

    def _find(self, key: str) -> list[CatValues]:
        result = self._curator._current()
        if self._slot is not None:
            key = f"{self._slot}:{key}"
        slot_name, _, column = key.rpartition(":")
        found = [c for s in result.slots if not slot_name or s.slot == slot_name for c in s.all_cats() if c.key == column]
        if not found:
            keys = sorted({c.key for s in result.slots for c in s.all_cats()})
            raise errors.InvalidArgument(f"no categorical column {key!r}; categorical columns: {keys}")
        return found

    def add_new_from(self, key: str) -> list[Any]:
        """Register the non-validated values of column ``key`` in its registry, then re-validate.

        >>> curator.cat.add_new_from("perturbation")  # doctest: +SKIP
        """
        from ..models._bulk import save

        created: list[Any] = []
        for cat in self._find(key):
            extra = {"type": cat.type_record} if cat.type_record is not None else {}
            created += [cat.model(**{cat.field: value}, **extra) for value in cat.non_validated]
        save(created)
        self._curator._result = None
        return created

    def standardize(self, key: str) -> None:
        """Replace synonyms by canonical values in column ``key``; ``"columns"`` renames synonym column names.

        >>> curator.cat.standardize("cell_type")  # doctest: +SKIP
        """
        curator = self._curator
        if key == "columns" and self._slot is None:
            curator._set_frame("columns", rename_synonym_columns(curator._frame("columns"), curator._main_schema()))
        else:
            slot_name = key.rpartition(":")[0]
            for cat in self._find(key):
                slot = slot_name or curator._slot_of(cat)
                frame = curator._frame(slot)
                if frame is not None:
                    curator._set_frame(slot, replace_synonyms(frame, cat.key, cat.synonyms))
        curator._result = None


class ComponentCurator:
    """The curator of one slot of a composite schema (``curator.slots["obs"]``): its ``cat`` and ``validate``.

    >>> curator.slots["rna:var"].cat.add_new_from("columns")  # doctest: +SKIP
    """

    def __init__(self, parent: Curator, slot: str) -> None:
        self._parent, self.slot = parent, slot
        self.cat = CatManager(parent, slot)

    def __repr__(self) -> str:
        return f"ComponentCurator(slot={self.slot!r}, Schema: {self.schema.name or self.schema.uid})"

    @property
    def schema(self) -> Any:
        return self._parent._schema.slots[self.slot]

    def validate(self) -> None:
        """Raise ``ln.errors.ValidationError`` if this slot does not validate."""
        self._parent._result = None
        result = self._parent._current()
        mine = ValidationResult(schema=result.schema, otype=result.otype,
                                slots=[s for s in result.slots if s.slot == self.slot])
        if not mine.ok:
            raise errors.ValidationError(mine.message())


class Curator:
    """Shared by the DataFrame and AnnData curators."""

    def __init__(self, dataset: Any, schema: Any, *, features: dict[str, Any] | None = None) -> None:
        from ..models import Schema

        if not isinstance(schema, Schema):
            raise errors.InvalidArgument(
                f"the schema argument must be a Schema, not {type(schema).__name__}: "
                "e.g. ln.Schema(features=[...]).save()"
            )
        if getattr(schema, "pk", None) is None:
            raise errors.InvalidArgument("Schema must be saved before curation. Please save it using '.save()'.")
        self._artifact = None
        from ..models.artifact import Artifact

        if isinstance(dataset, Artifact):  # curate a saved artifact in place
            self._artifact, dataset = dataset, dataset.load()
        self._data = dataset
        self._schema = schema
        self._features = dict(features or {})
        if self._artifact is not None and not self._features and "__external__" in (schema.slots or {}):
            self._features = self._artifact.features.get_values()  # the artifact's own dataset-level values
        self._result: ValidationResult | None = None
        self._validated_data: Any = None
        self._is_validated = False
        self.cat = CatManager(self)

    def __repr__(self) -> str:
        name = self._schema.name or self._schema.uid
        state = "validated" if self._is_validated else "unvalidated"
        return f"{type(self).__name__}(Schema: {name}, {state})"

    @property
    def schema(self) -> Any:
        return self._schema

    @property
    def slots(self) -> dict[str, ComponentCurator]:
        """``{slot: ComponentCurator}`` for a composite schema (empty for a plain one)."""
        return {name: ComponentCurator(self, name) for name in (self._schema.slots or {}) if name != "__external__"}

    @property
    def dataset(self) -> Any:
        """The data: after a successful ``validate()``, with the columns the schema allowed to coerce converted."""
        return self._validated_data if self._validated_data is not None else self._data

    def _main_schema(self) -> Any:
        return (self._schema.slots or {}).get("columns", self._schema)

    def _validate_data(self) -> ValidationResult:
        return validate(self._data, self._schema)

    def _current(self) -> ValidationResult:
        if self._result is None:
            self._is_validated = False
            self._validated_data = None
            self._result = self._validate_data()
            add_external(self._result, self._schema, self._features)
        return self._result

    def validate(self) -> None:
        """Raise ``ln.errors.ValidationError`` listing every problem; return None when the data is valid."""
        self._result = None
        result = self._current()
        if not result.ok:
            raise errors.ValidationError(result.message())
        self._validated_data = self._coerced()
        self._is_validated = True

    def _coerced(self) -> Any:
        """A copy of the data with coerced columns, or None when nothing needed coercion (pandas)."""
        return None

    def _annotate_existing(self) -> Any:
        """Annotate the saved artifact this curator was built from with the validation result."""
        from ._annotate import annotate_on_save

        if self._validated_data is not None:
            raise errors.InvalidArgument(
                "the schema coerced columns of this artifact's data; its stored bytes cannot change: save the "
                "coerced data as a new version with ln.Artifact.from_dataframe(curator.dataset, revises=artifact)"
            )
        return annotate_on_save(self._artifact, self._current())

    def _frame(self, slot: str) -> Any:
        raise NotImplementedError

    def _set_frame(self, slot: str, frame: Any) -> None:
        raise NotImplementedError

    def _slot_of(self, cat: CatValues) -> str:
        return next(s.slot for s in self._current().slots if cat in s.all_cats())

    def standardize(self) -> None:
        """Fill defaults and missing nullable columns, then replace synonyms by canonical values everywhere.

        >>> curator.standardize()  # "B-cell" -> "B cell"  # doctest: +SKIP
        """
        main = "obs" if "obs" in (self._schema.slots or {}) else "columns"
        frame = self._frame(main)
        if frame is not None and main == "columns":
            self._set_frame(main, fill_defaults(frame, self._schema))
        self._result = None
        for slot in self._current().slots:
            frame = self._frame(slot.slot)
            if frame is None:
                continue
            for cat in slot.cats:
                if cat.synonyms:
                    frame = replace_synonyms(frame, cat.key, cat.synonyms)
            self._set_frame(slot.slot, frame)
        self._result = None



class DataFrameCurator(Curator):
    """Validate a pandas or polars DataFrame (or LazyFrame) against a schema, fix it, save it as an artifact.

    >>> curator = ln.curators.DataFrameCurator(df, schema)  # doctest: +SKIP
    >>> curator.validate()  # raises ln.errors.ValidationError  # doctest: +SKIP
    >>> curator.cat.add_new_from("perturbation")  # doctest: +SKIP
    >>> artifact = curator.save_artifact(key="my_datasets/x.parquet")  # doctest: +SKIP
    """

    def __init__(self, dataset: Any, schema: Any, *, features: dict[str, Any] | None = None) -> None:
        super().__init__(dataset, schema, features=features)
        if is_polars(dataset):
            check_polars_schema(schema)
        else:
            for name in schema.slots or {}:
                if name not in {"columns", "attrs", "__external__"} and not name.startswith("attrs:"):
                    raise errors.InvalidArgument(f"Slot {name!r} is not supported for DataFrameCurator. Must be 'attrs'.")
        self._polars_coerced: Any = None

    @property
    def df(self) -> Any:
        return self.dataset

    def _validate_data(self) -> ValidationResult:
        if is_polars(self._data):
            result, self._polars_coerced = validate_polars(self._data, self._schema)
            return result
        return validate(self._data, self._schema)

    def _coerced(self) -> Any:
        if is_polars(self._data):
            return self._polars_coerced
        return coerced_copy(self._data, self._current())

    def _save_text_table(self, key: Any, suffix: str, description: Any, revises: Any) -> Any:
        """A pandas frame saved as the ``.csv`` / ``.tsv`` its key names (validated, then annotated)."""
        from ..models import Artifact
        from ..models.artifact import staging_path
        from . import validate_for_artifact

        validation = validate_for_artifact(self.dataset, self._schema, self._features or None)
        data = validation.data if validation.data is not None else self.dataset
        path = staging_path(f".{suffix}")
        data.to_csv(path, sep="\t" if suffix == "tsv" else ",", index=False)
        return Artifact._from_local_file(path, f".{suffix}", otype="DataFrame", n_observations=len(data), key=key,
                                         description=description, revises=revises, schema=self._schema,
                                         validation=validation).save()

    def _frame(self, slot: str) -> Any:
        return self._data if slot == "columns" else None

    def _set_frame(self, slot: str, frame: Any) -> None:
        if slot == "columns":
            self._data = frame

    def save_artifact(self, key: str | None = None, description: str | None = None, revises: Any = None) -> Any:
        """Validate (coercing where the schema allows), then save and annotate the artifact.

        A curator built from a saved artifact annotates that artifact (its bytes stay as they are).

        >>> artifact = curator.save_artifact(key="my_datasets/x.parquet")  # doctest: +SKIP
        """
        from ..models import Artifact

        self.validate()
        if self._artifact is not None:
            return self._annotate_existing()
        suffix = (key or "").rpartition(".")[2].lower()
        if suffix in {"csv", "tsv"} and not is_polars(self._data):
            return self._save_text_table(key, suffix, description, revises)
        return Artifact.from_dataframe(self.dataset, key=key, description=description, revises=revises,
                                       schema=self._schema, features=self._features or None).save()


class AnnDataCurator(Curator):
    """Validate an AnnData against a composite schema (``obs``, ``var.T``, ``uns``, ...) and save it.

    >>> curator = ln.curators.AnnDataCurator(adata, anndata_schema)  # doctest: +SKIP
    >>> curator.validate()  # doctest: +SKIP
    """

    _otype = "AnnData"

    def __init__(self, dataset: Any, schema: Any, *, features: dict[str, Any] | None = None) -> None:
        from ._slots import check_slots, otype_of

        super().__init__(dataset, schema, features=features)
        if otype_of(dataset) != self._otype:
            raise errors.InvalidArgument(f"{type(self).__name__} needs a(n) {self._otype} object, not {type(dataset).__name__}")
        if schema.otype not in (None, self._otype) or (schema.itype and not schema.slots):
            raise errors.InvalidArgument(
                f"{type(self).__name__} needs a composite schema with otype={self._otype!r} and slots, "
                f"e.g. ln.Schema(otype={self._otype!r}, slots={{...}}); got otype={schema.otype!r}"
            )
        check_slots(dataset, schema)

    @property
    def adata(self) -> Any:
        return self._data

    def _frame(self, slot: str) -> Any:
        from ._slots import resolve_slot

        try:
            kind, value = resolve_slot(self._data, slot)
        except errors.InvalidArgument:
            return None
        return value if kind == "frame" else None

    def _set_frame(self, slot: str, frame: Any) -> None:
        from ._slots import resolve_slot

        if frame is not self._frame(slot):  # pandas edits happen in place; replaced frames are set back
            container, _, component = slot.rpartition(":")
            target = resolve_slot(self._data, f"{container}:var.T")[1] if container else self._data
            setattr(target, component, frame)

    def _apply_coercions(self) -> None:
        for slot in self._current().slots:
            frame = self._frame(slot.slot)
            for column, series in slot.coerced.items():
                if frame is not None and column in frame.columns:
                    frame[column] = series

    def save_artifact(self, key: str | None = None, description: str | None = None, revises: Any = None) -> Any:
        """Validate, then save and annotate the AnnData artifact.

        >>> artifact = curator.save_artifact(key="my_datasets/x.h5ad")  # doctest: +SKIP
        """
        from ..models import Artifact

        self._apply_coercions()
        self.validate()
        if self._artifact is not None:
            return self._annotate_existing()
        return Artifact.from_anndata(self._data, key=key, description=description, revises=revises,
                                     schema=self._schema, features=self._features or None).save()
