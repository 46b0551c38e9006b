"""Synonyms and abbreviations of registries that carry a ``synonyms`` (and an ``abbr``) field.

Synonyms are stored ``|``-separated in one text field; a synonym belongs to one record of a registry,
so curators can map it to that record without ambiguity.

>>> cell_type.add_synonym("T-cell")  # doctest: +SKIP
>>> cell_type.set_abbr("TC")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import errors


def split_synonyms(value: str | None) -> list[str]:
    """``"a|b"`` -> ``["a", "b"]`` (None and empty parts dropped)."""
    return [s for s in (value or "").split("|") if s]


def _wanted(synonym: str | Iterable[str]) -> list[str]:
    items = [synonym] if isinstance(synonym, str) else list(synonym)
    wanted: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise errors.ValidationError(f"a synonym is a string, not {item!r} (type {type(item).__name__})")
        if "|" in item:
            raise errors.ValidationError(f"a synonym cannot contain '|' (it separates synonyms): {item!r}")
        if item and item not in wanted:
            wanted.append(item)
    return wanted


def _holders(record: Any, synonyms: list[str]) -> dict[str, Any]:
    """The other records of the registry that already carry one of ``synonyms``."""
    model = type(record)
    held: dict[str, Any] = {}
    for syn in synonyms:
        others = model.objects.filter(synonyms__contains=syn)
        if record.pk is not None:
            others = others.exclude(pk=record.pk)
        for other in others:
            if syn in split_synonyms(other.synonyms):
                held[syn] = other
                break
    return held


class HasSynonyms:
    """``add_synonym`` / ``remove_synonym`` for registries with a ``synonyms`` field (Feature, bio registries).

    Both save a record that is already saved (``save=False`` leaves that to you) and ignore empty strings.
    """

    synonyms: str | None

    def add_synonym(self, synonym: str | Iterable[str], force: bool = False, save: bool | None = None) -> None:
        """Add one synonym or several; one that another record of the registry carries is refused
        (``ln.errors.ValidationError`` naming that record) unless ``force=True``.

        >>> bt.CellType.get(name="T cell").add_synonym(["T-cell", "T lymphocyte"])  # doctest: +SKIP
        """
        wanted = _wanted(synonym)
        if not wanted:
            return
        if not force:
            held = _holders(self, wanted)
            if held:
                syn, other = next(iter(held.items()))
                raise errors.ValidationError(
                    f"synonym {syn!r} already belongs to {type(other).__name__} {other.uid!r} "
                    f"({getattr(other, 'name', other.uid)!r}): remove it there first "
                    f"(record.remove_synonym({syn!r})), pick another synonym, or pass force=True"
                )
        current = split_synonyms(self.synonyms)
        self._set_synonyms(current + [s for s in wanted if s not in current], save)

    def remove_synonym(self, synonym: str | Iterable[str], save: bool | None = None) -> None:
        """Remove one synonym or several (absent ones are ignored)."""
        gone = set(_wanted(synonym))
        self._set_synonyms([s for s in split_synonyms(self.synonyms) if s not in gone], save)

    def _set_synonyms(self, synonyms: list[str], save: bool | None) -> None:
        self.synonyms = "|".join(synonyms) or None
        if save is None:
            save = not self._state.adding  # type: ignore[attr-defined]
        if save:
            self.save()  # type: ignore[attr-defined]


class HasAbbr:
    """``set_abbr`` for registries with an ``abbr`` field; the abbreviation also becomes a synonym when the
    registry has synonyms and it differs from the name."""

    abbr: str | None

    def set_abbr(self, value: str) -> None:
        """Set the abbreviation (saved at once for a saved record).

        >>> bt.ExperimentalFactor.get(name="single-cell RNA sequencing").set_abbr("scRNA-seq")  # doctest: +SKIP
        """
        self.abbr = value
        if isinstance(self, HasSynonyms) and value != getattr(self, "name", None):
            self.add_synonym(value, save=False)
        if not self._state.adding:  # type: ignore[attr-defined]
            self.save()  # type: ignore[attr-defined]
