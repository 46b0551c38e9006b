"""Feature predicates and order expressions: ``ln.Artifact.filter(temperature > 20).order_by(-temperature)``.

``feature == value`` (``!=``, ``<``, ``<=``, ``>``, ``>=``, ``feature.is_null()``) builds a predicate that
``filter()`` turns into a subquery on the artifacts (or runs) having that value; ``feature`` and
``-feature`` in ``order_by()`` sort by the feature's value and keep only the records that have one.

>>> ln.Artifact.filter(temperature >= 21, experiment == "E1")  # doctest: +SKIP
>>> ln.Artifact.filter(donor.is_null())  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from .. import errors

_LOOKUPS = {"__exact": "exact", "__ne": "exact", "__gt": "gt", "__gte": "gte", "__lt": "lt", "__lte": "lte",
            "__isnull": "isnull"}


class FeaturePredicate:
    """A condition on one feature's value; pass it to ``filter()`` (it is not a boolean)."""

    def __init__(self, feature: Any, comparator: str, value: Any) -> None:
        self.feature, self.comparator, self.value = feature, comparator, value

    def __repr__(self) -> str:
        return f"FeaturePredicate({self.feature.name!r}{self.comparator} {self.value!r})"

    def __bool__(self) -> bool:
        raise TypeError(
            "Feature predicates cannot be used as booleans; pass them to filter(): "
            "ln.Artifact.filter(feature == value). To compare Feature records use feature.pk == other.pk"
        )

    def for_model(self, model: Any) -> Any:
        """The ``Q`` selecting the records of ``model`` (Artifact or Run) that satisfy the predicate."""
        from ._feature_hooks import feature_condition

        if self.feature.pk is None:
            raise errors.InvalidArgument(f"feature {self.feature.name!r} is not saved yet: save it before filtering by it")
        lookup = _LOOKUPS[self.comparator]
        q = feature_condition(model, self.feature, lookup, self.value)
        # __ne: has a value for the feature, and not this one
        having = feature_condition(model, self.feature, "isnull", False) if self.comparator == "__ne" else None
        if q is None:
            raise errors.InvalidLookup(
                f"Feature predicates are only supported for Artifact, Run, and Record, not {model.__name__}. "
                f"{model.__name__} records carry no feature values; filter ln.Artifact, ln.Run or ln.Record"
            )
        return q if having is None else having & ~q


class FeatureOrder:
    """``feature`` / ``-feature`` in ``order_by()``: sort by the feature's value."""

    def __init__(self, feature: Any, descending: bool = False) -> None:
        self.feature, self.descending = feature, descending

    def __neg__(self) -> FeatureOrder:
        return FeatureOrder(self.feature, not self.descending)

    def __bool__(self) -> bool:
        raise TypeError("Feature order expressions cannot be used as booleans; pass them to order_by()")

    def for_model(self, model: Any) -> list[Any]:
        """The Django ordering expressions for ``model``."""
        from ._feature_hooks import feature_sort_value

        values = feature_sort_value(model, self.feature, self.descending)
        return [v.desc(nulls_last=True) if self.descending else v.asc(nulls_last=True) for v in values]


def check_is_null_flag(flag: Any) -> bool:
    if not isinstance(flag, bool):
        raise TypeError(f"is_null() takes True or False, not {flag!r}")
    return flag


def translate_ordering(model: Any, fields: tuple[Any, ...]) -> tuple[tuple[Any, ...], list[Any]]:
    """``order_by`` arguments with Feature objects and ``-feature`` replaced by ordering expressions, and
    the conditions keeping only records that have a value for those features (as LaminDB does)."""
    from ._feature_hooks import feature_condition
    from .feature import Feature

    out, having = [], []
    for item in fields:
        if isinstance(item, Feature):
            item = FeatureOrder(item)
        if isinstance(item, FeatureOrder):
            out.extend(item.for_model(model))
            having.append(feature_condition(model, item.feature, "isnull", False))
        else:
            out.append(item)
    return tuple(out), having
