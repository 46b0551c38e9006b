"""Curators: validate step by step, fix what failed (standardize, add new labels), then save the artifact."""

from __future__ import annotations

from typing import Any

from .. import errors
from ._result import CatValues, ValidationResult
from ._validate import validate


class CatManager:
    """``curator.cat``: the categorical columns, their non-validated values, and registering new ones."""

    def __init__(self, curator: Curator) -> None:
        self._curator = curator

    @property
    def non_validated(self) -> dict[str, list[str]]:
        """``{column: [values in neither the registry nor its public source]}``.

        >>> curator.cat.non_validated  # doctest: +SKIP
        {'perturbation': ['IFNJ']}
        """
        return self._curator._current().non_validated

    def _find(self, key: str) -> list[CatValues]:
        result = self._curator._current()
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


class Curator:
    """Shared by the DataFrame and AnnData curators."""

    def __init__(self, data: Any, schema: Any) -> None:
        if schema is None:
            raise errors.InvalidArgument("a curator needs a schema, e.g. ln.Schema(itype=ln.Feature).save()")
        if getattr(schema, "pk", None) is None:
            schema = schema.save()
        self._data = data
        self._schema = schema
        self._result: ValidationResult | None = None
        self.cat = CatManager(self)

    @property
    def schema(self) -> Any:
        return self._schema

    def _current(self) -> ValidationResult:
        if self._result is None:
            self._result = validate(self._data, self._schema)
        return self._result

    def validate(self) -> None:
        """Raise ``ln.errors.ValidationError`` listing every problem; return None when the data is valid."""
        self._result = None
        result = self._current()
        if not result.ok:
            raise errors.ValidationError(result.message())

    def _frames(self) -> dict[str, Any]:
        raise NotImplementedError

    def standardize(self) -> None:
        """Replace synonyms in categorical columns by the registry's canonical values (e.g. "B-cell" -> "B cell")."""
        import pandas as pd

        frames = self._frames()
        for slot in self._current().slots:
            frame = frames.get(slot.slot)
            if frame is None:
                continue
            for cat in slot.cats:
                if not cat.synonyms or cat.key not in frame.columns:
                    continue
                column = frame[cat.key]
                if isinstance(column.dtype, pd.CategoricalDtype):
                    mapping = {c: cat.synonyms.get(str(c), c) for c in column.cat.categories}
                    frame[cat.key] = column.astype(object).map(mapping).astype("category")
                else:
                    frame[cat.key] = column.map(lambda v: cat.synonyms.get(v, v) if isinstance(v, str) else v)
        self._result = None

    def _apply_coercions(self) -> None:
        frames = self._frames()
        for slot in self._current().slots:
            frame = frames.get(slot.slot)
            for column, series in slot.coerced.items():
                if frame is not None and column in frame.columns:
                    frame[column] = series


class DataFrameCurator(Curator):
    """Validate a DataFrame against a schema, fix it step by step, save it as a validated artifact.

    >>> curator = ln.curators.DataFrameCurator(df, schema)  # doctest: +SKIP
    >>> curator.validate()  # raises ln.errors.ValidationError  # doctest: +SKIP
    >>> curator.cat.add_new_from("perturbation")  # doctest: +SKIP
    >>> artifact = curator.save_artifact(key="my_datasets/x.parquet")  # doctest: +SKIP
    """

    @property
    def df(self) -> Any:
        return self._data

    def _frames(self) -> dict[str, Any]:
        return {"columns": self._data}

    def save_artifact(self, key: str | None = None, description: str | None = None, revises: Any = None) -> Any:
        """Validate (coercing where the schema allows), then save and annotate the artifact."""
        from ..models import Artifact

        self._apply_coercions()
        self.validate()
        return Artifact.from_dataframe(self._data, key=key, description=description, revises=revises,
                                       schema=self._schema).save()


class AnnDataCurator(Curator):
    """Validate an AnnData against a composite schema (``obs``, ``var.T``, ``uns``, ...) and save it.

    >>> curator = ln.curators.AnnDataCurator(adata, anndata_schema)  # doctest: +SKIP
    >>> curator.validate()  # doctest: +SKIP
    """

    @property
    def adata(self) -> Any:
        return self._data

    def _frames(self) -> dict[str, Any]:
        return {"obs": self._data.obs, "var": self._data.var}

    def save_artifact(self, key: str | None = None, description: str | None = None, revises: Any = None) -> Any:
        from ..models import Artifact

        self._apply_coercions()
        self.validate()
        return Artifact.from_anndata(self._data, key=key, description=description, revises=revises,
                                     schema=self._schema).save()
