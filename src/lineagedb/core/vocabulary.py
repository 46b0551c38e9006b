"""Validate, inspect and standardize values against a vocabulary (a public table or saved records).

>>> v = Vocabulary(["T cell", "B cell"], [["T-cell", "T lymphocyte"], None])
>>> v.standardize(["T-cell", "b cell", "blob"])
['T cell', 'B cell', 'blob']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def as_list(values: Any) -> list:
    """A str, list, array, Series or Index -> a list of values."""
    if isinstance(values, str):
        return [values]
    if hasattr(values, "tolist"):
        return values.tolist()
    return list(values)


def split_synonyms(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [s for s in value.split("|") if s]
    return [s for s in value if s]


class Vocabulary:
    """Canonical values of one field plus synonyms that map to them (case-insensitive fallback)."""

    def __init__(self, values: Sequence[Any], synonyms: Sequence[Any] | None = None) -> None:
        self.values = [v for v in values]
        self.exact = {v for v in self.values if v is not None}
        self.lower: dict[str, Any] = {}
        for v in self.values:
            if isinstance(v, str):
                self.lower.setdefault(v.lower(), v)
        self.synonyms: dict[str, Any] = {}
        for v, syns in zip(self.values, synonyms or []):
            if v is None:
                continue
            for s in split_synonyms(syns):
                self.synonyms.setdefault(s.lower(), v)

    def validate(self, values: Iterable[Any]) -> np.ndarray:
        return np.array([v in self.exact for v in values], dtype=bool)

    def canonical(self, value: Any) -> Any:
        """The canonical value ``value`` stands for (itself, case variant, or synonym), else None."""
        if value in self.exact:
            return value
        if isinstance(value, str):
            low = value.lower()
            return self.lower.get(low) or self.synonyms.get(low)
        return None

    def standardize(self, values: Iterable[Any]) -> list:
        return [c if (c := self.canonical(v)) is not None else v for v in values]

    def mapper(self, values: Iterable[Any]) -> dict[Any, Any]:
        """Only the values that change: ``{given: canonical}``."""
        out = {}
        for v in values:
            c = self.canonical(v)
            if c is not None and c != v:
                out[v] = c
        return out


@dataclass
class InspectResult:
    """What ``inspect`` found: ``validated`` values, ``non_validated`` ones, and synonym fixes."""

    validated: list = field(default_factory=list)
    non_validated: list = field(default_factory=list)
    synonyms_mapper: dict = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        """``result["validated"]`` as well as ``result.validated``."""
        if key not in ("validated", "non_validated", "synonyms_mapper"):
            raise KeyError(key)
        return getattr(self, key)

    def __repr__(self) -> str:
        lines = [f"{len(self.validated)} validated, {len(self.non_validated)} not validated"]
        if self.synonyms_mapper:
            pairs = ", ".join(f"{k!r} -> {v!r}" for k, v in list(self.synonyms_mapper.items())[:10])
            lines.append(f"  synonyms or case variants (fix with .standardize()): {pairs}")
        rest = [v for v in self.non_validated if v not in self.synonyms_mapper]
        if rest:
            lines.append(f"  unknown: {', '.join(repr(v) for v in rest[:20])}" + (" ..." if len(rest) > 20 else ""))
        return "\n".join(lines)


def inspect(vocab: Vocabulary, values: Any, show: bool = True) -> InspectResult:
    items = list(dict.fromkeys(as_list(values)))
    ok = vocab.validate(items)
    result = InspectResult(
        validated=[v for v, good in zip(items, ok) if good],
        non_validated=[v for v, good in zip(items, ok) if not good],
    )
    result.synonyms_mapper = vocab.mapper(result.non_validated)
    if show:
        print(result)
    return result


_WORDS = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORDS.findall(text.lower())
