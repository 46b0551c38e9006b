"""What ``ln.Feature(...)`` accepts: keyword checks, ``coerce=``, ``cat_filters=``, ``values_through=``.

>>> ln.Feature(name="disease", dtype=bt.Disease, cat_filters={"source__uid": "4a3ejKuf"}).dtype  # doctest: +SKIP
"cat[bio.Disease[source__uid='4a3ejKuf']]"
"""

from __future__ import annotations

import warnings
from typing import Any

from .. import errors

# keywords the constructor takes besides the model's own fields
EXTRA_KWARGS = ("coerce", "cat_filters", "values_through")


def normalize_kwargs(model: type, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The model fields for ``Feature(**kwargs)``: dtype canonical, filters folded in, unknown keys refused."""
    from ._dtype_cat import CatTerm, format_cat, parse_cat
    from ._dtypes import parse_dtype

    kwargs = dict(kwargs)
    fields = {f.name for f in model._meta.fields} | {f.attname for f in model._meta.fields}
    unknown = sorted(set(kwargs) - fields - set(EXTRA_KWARGS))
    if unknown:
        raise errors.FieldValidationError(
            f"Feature() got unexpected keyword argument(s) {unknown}; valid ones are name, dtype, unit, description, "
            f"nullable, default_value, synonyms, coerce, cat_filters, values_through"
        )
    name = kwargs.get("name")
    if not name or not isinstance(name, str):
        raise errors.InvalidArgument("a Feature needs a name: ln.Feature(name='temperature', dtype=float)")
    if "coerce_dtype" in kwargs:
        warnings.warn("`coerce_dtype` argument was renamed to `coerce`", DeprecationWarning, stacklevel=3)
    if "coerce" in kwargs:
        coerce = kwargs.pop("coerce")
        kwargs["coerce_dtype"] = bool(coerce) if coerce is not None else False
    if kwargs.get("dtype") is None:
        raise errors.ValidationError(
            f"pass a dtype: ln.Feature(name={name!r}, dtype=float) (or str, int, ln.Record, bt.CellType, ...)"
        )
    given = kwargs["dtype"]
    dtype = parse_dtype(given)
    shown = given if isinstance(given, str) else dtype
    cat_filters = kwargs.pop("cat_filters", None)
    if cat_filters:
        if dtype.startswith("list["):
            raise errors.ValidationError(f"cat_filters are incompatible with nested dtypes: {shown!r}")
        terms = parse_cat(dtype)
        if terms is None:
            raise errors.ValidationError(f"cat_filters need a categorical dtype such as bt.Disease, not {dtype!r}")
        if len(terms) > 1:
            raise errors.ValidationError(f"cat_filters are incompatible with union dtypes: {shown!r}")
        term = terms[0]
        added = tuple(_filter_items(cat_filters, term))
        dtype = parse_dtype(format_cat([CatTerm(term.registry, term.field, term.type_name, term.filters + added)]))
    kwargs["dtype"] = dtype
    through = kwargs.pop("values_through", None)
    if through is not None:
        kwargs["values_through"] = values_through_spec(through, dtype)
    return kwargs


def _filter_items(cat_filters: Any, term: Any) -> list[tuple[str, Any]]:
    """``{"source": source_record, "is_type": True}`` -> ``[("source__uid", "..."), ("is_type", True)]``."""
    if not isinstance(cat_filters, dict):
        raise errors.ValidationError(f"cat_filters must be a dict of Django filters, e.g. {{'source__uid': 'x'}}; got {cat_filters!r}")
    out = []
    for key, value in cat_filters.items():
        empty_number = isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0
        if value is None or empty_number or (isinstance(value, (str, list, tuple, set, dict)) and not value):
            raise errors.ValidationError(f"Empty value in filter {key}: pass a non-empty value or leave the filter out")
        if hasattr(value, "_meta") and hasattr(value, "uid"):
            if getattr(value, "pk", None) is None:
                raise errors.ValidationError(f"the record in filter {key} is not saved yet: save it first")
            key, value = f"{key}__uid", value.uid
        if isinstance(value, (list, tuple, set, dict)):
            raise errors.ValidationError(f"filter {key} takes a single value (a string, number, bool or record), not {value!r}")
        out.append((key, value))
    return out


def values_through_spec(through: Any, dtype: str) -> str:
    """``values_through=``: a saved Feature (stored as ``feature:<uid>``) or a field name of the value registry."""
    from .feature import Feature

    if isinstance(through, Feature):
        assert through.pk is not None, f"values_through requires a saved Feature object; save {through.name!r} first"
        return f"feature:{through.uid}"
    if isinstance(through, str) and through.isidentifier():
        return through
    raise errors.ValidationError(
        f"values_through={through!r}: pass a saved Feature or the name of a field, e.g. values_through='created_at'"
    )


def set_values_through(feature: Any, value: Any) -> Any:
    """``feature.values_through = source``: the stored spec; refused while the feature has values.

    >>> target.values_through = source_feature  # doctest: +SKIP
    """
    if value is None or (isinstance(value, str) and value == feature.__dict__.get("values_through")):
        return value
    if isinstance(value, str) and value.startswith("feature:"):
        spec = value  # the stored form (e.g. re-read from the database)
    else:
        spec = values_through_spec(value, feature.dtype)
    if feature.pk is not None and not feature._state.adding:
        _check_no_values(feature)
    return spec


def _check_no_values(feature: Any) -> None:
    from ._dtypes import dtype_info
    from .feature import FeatureValue

    values = FeatureValue.objects.filter(feature_id=feature.pk)
    used = [rel.name for rel in FeatureValue._meta.related_objects]  # every host's link table
    in_use = values.exclude(**{f"{name}__isnull": True for name in used})
    if not in_use.exists():
        return
    example = ""
    from django.apps import apps

    link = apps.get_model("lineagedb", "RecordFeatureValue").objects.filter(featurevalue__feature_id=feature.pk)
    first = link.select_related("record", "featurevalue").order_by("id").first()
    if first is not None:
        shown = first.featurevalue.value
        example = f"; e.g. record={first.record.name!r} (uid={first.record.uid}) -> value={shown!r}"
        info = dtype_info(feature.dtype)
        if info.model is not None and isinstance(shown, str):
            target = info.model.objects.filter(**{info.field: shown}).first()
            if target is not None:
                example += f" (uid={target.uid})"
    raise errors.InvalidArgument(
        f"values_through can only be set when no RecordRecord links (values of this feature) exist for "
        f"feature: {feature.name!r} (uid={feature.uid}){example}. Remove its values first, e.g. "
        f"record.features.remove_values({feature.name!r})"
    )
