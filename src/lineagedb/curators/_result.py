"""What validation found: per slot, the features met, the categorical values and their records, the problems."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as _field  # CatValues has a field named 'field'
from typing import Any


@dataclass
class CatValues:
    """The distinct values of one categorical column (or of var's index) matched against a registry."""

    key: str  # the column name, or "var_index" for the values of a registry-typed slot
    model: Any  # registry class
    field: str  # field the values are matched on
    feature: Any = None  # the Feature the column stands for (None for registry-typed slots)
    type_record: Any = None  # Record type filter of cat[Record[Type]]
    organism: Any = None
    values: list[str] = _field(default_factory=list)
    records: dict[str, Any] = _field(default_factory=dict)  # value -> saved record
    from_source: dict[str, Any] = _field(default_factory=dict)  # value -> source key (created on save)
    synonyms: dict[str, str] = _field(default_factory=dict)  # value -> canonical value (standardize)
    non_validated: list[str] = _field(default_factory=list)
    suggestions: dict[str, list[str]] = _field(default_factory=dict)
    blocking: bool = True  # False: non-validated values are reported but do not fail (e.g. genes, no maximal_set)

    @property
    def fails(self) -> bool:
        return self.blocking and bool(self.non_validated or self.synonyms)


@dataclass
class SlotResult:
    """The outcome for one slot (``columns`` of a DataFrame, ``obs``, ``var.T``, ``uns``, ...)."""

    slot: str
    schema: Any
    features: list[Any] = _field(default_factory=list)  # features met, in column order (itype Feature)
    cats: list[CatValues] = _field(default_factory=list)
    members: CatValues | None = None  # registry-typed slots: the column names / var index values
    metadata: dict[str, Any] = _field(default_factory=dict)  # dataset-level feature values (attrs / uns)
    problems: list[str] = _field(default_factory=list)
    coerced: dict[str, Any] = _field(default_factory=dict)  # column -> coerced pandas Series
    skipped: list[str] = _field(default_factory=list)  # columns that are no registered feature

    def all_cats(self) -> list[CatValues]:
        return self.cats + ([self.members] if self.members is not None else [])


@dataclass
class ValidationResult:
    """Everything ``annotate_on_save`` needs, computed once before anything is written."""

    schema: Any
    otype: str
    slots: list[SlotResult] = _field(default_factory=list)
    data: Any = None  # the data with coerced columns (None: unchanged), what is stored on save

    @property
    def ok(self) -> bool:
        return not any(s.problems or any(c.fails for c in s.all_cats()) for s in self.slots)

    @property
    def non_validated(self) -> dict[str, list[str]]:
        """``{column: [values that did not validate]}`` (slot-qualified when a composite has several)."""
        out: dict[str, list[str]] = {}
        multi = len(self.slots) > 1
        for s in self.slots:
            for c in s.all_cats():
                if c.non_validated:
                    out[f"{s.slot}:{c.key}" if multi else c.key] = list(c.non_validated)
        return out

    def message(self) -> str:
        from ._message import format_message

        return format_message(self)
