"""Features inferred from data: ``Feature.from_dataframe(df)`` and ``Feature.from_dict(d)``.

>>> ln.Feature.from_dict({"n": 3, "tags": ["a"]})  # doctest: +SKIP
[Feature(name='n', dtype='int'), Feature(name='tags', dtype='list[str]')]
"""

from __future__ import annotations

import datetime as _dt
import numbers
from typing import TYPE_CHECKING, Any

from .. import errors

if TYPE_CHECKING:
    from .feature import Feature


class FeatureList(list):
    """A list of unsaved features whose ``save()`` saves them all (and returns the list).

    >>> ln.Feature.from_dataframe(df).save()  # doctest: +SKIP
    """

    def save(self) -> FeatureList:
        for i, feature in enumerate(self):
            self[i] = feature.save()
        return self


def pandas_dtype_string(dtype: Any) -> str:
    """``int64`` -> ``int``, ``float32`` -> ``float``, ``category`` -> ``cat``, ``object`` -> ``str``, ..."""
    import pandas as pd

    if isinstance(dtype, pd.CategoricalDtype):
        return "cat"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        return "str"
    raise errors.ValidationError(f"cannot infer a feature dtype from the pandas dtype {dtype!r}; create the feature by hand")


def value_dtype_string(value: Any, str_as_cat: bool = False) -> str:
    """The dtype of one Python value: ``3`` -> ``int``, ``["a"]`` -> ``list[str]``, ``{}`` -> ``dict``."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, numbers.Integral):
        return "int"
    if isinstance(value, numbers.Real):
        return "float"
    if isinstance(value, str):
        return "cat" if str_as_cat else "str"
    if isinstance(value, _dt.datetime):
        return "datetime"
    if isinstance(value, _dt.date):
        return "date"
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, (list, tuple)) and value:
        inner = {value_dtype_string(v, str_as_cat) for v in value}
        if inner <= {"int", "float"}:
            inner = {"float"} if "float" in inner else {"int"}
        if len(inner) == 1 and not next(iter(inner)).startswith(("list", "dict")):
            return f"list[{inner.pop()}]"
    raise errors.ValidationError(f"cannot infer a feature dtype from {value!r}; create the feature by hand")


def _check_field(model: type[Feature], field: Any) -> None:
    if field is None:
        return
    if getattr(getattr(field, "field", None), "model", None) is not model:
        raise errors.InvalidArgument(f"field must be a Feature FieldAttr such as ln.Feature.name, not {field!r}")


def features_from_dataframe(model: type[Feature], df: Any, field: Any = None, type: Any = None) -> FeatureList:
    """One feature per column of ``df`` (an existing feature of the same name is reused on save)."""
    _check_field(model, field)
    if not hasattr(df, "columns") or not hasattr(df, "dtypes"):
        raise errors.InvalidArgument(f"from_dataframe() takes a pandas DataFrame, not {df.__class__.__name__}")
    return FeatureList(
        model(name=str(col), dtype=pandas_dtype_string(dtype), type=type) for col, dtype in df.dtypes.items()
    )


def features_from_dict(model: type[Feature], dictionary: dict[str, Any], field: Any = None, type: Any = None,
                       str_as_cat: bool = False) -> FeatureList:
    """One feature per key of ``dictionary``, typed by its value."""
    _check_field(model, field)
    if not isinstance(dictionary, dict):
        raise errors.InvalidArgument(f"from_dict() takes a dict, not {dictionary.__class__.__name__}")
    return FeatureList(
        model(name=str(k), dtype=value_dtype_string(v, str_as_cat), type=type) for k, v in dictionary.items()
    )
