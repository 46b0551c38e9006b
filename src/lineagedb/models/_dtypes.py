"""The dtype grammar of features: parse anything a user passes into one canonical string.

Canonical forms::

    str  int  float  num  bool  date  datetime  dict  path  url  cat
    list[str]  list[int]  ...  list[cat[Record]]
    cat[Record]  cat[Record[Experiment]]  cat[bio.CellType]  cat[bio.ExperimentalFactor.ontology_id]
    cat[bio.Disease[source__uid='4a3ejKuf']]  cat[Record|bio.CellType]   (filters, unions: see _dtype_cat)

>>> parse_dtype(float)
'float'
>>> parse_dtype("list[int]")
'list[int]'
>>> check_value("float", 3)
3.0
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import numbers
import os
import re
from typing import Any, NamedTuple

from .. import errors
from ._dtype_cat import APP_PREFIXES, CatTerm, format_cat, parse_cat

SCALARS = ("str", "int", "float", "num", "bool", "date", "datetime", "dict", "path", "url")
_PY_TYPES = {str: "str", int: "int", float: "float", bool: "bool", dict: "dict", _dt.date: "date",
             _dt.datetime: "datetime"}
DATETIME_UTC = "datetime64[ns, UTC]"  # a timezone-aware datetime (kind "datetime"; frames get a UTC column)
_ALIASES = {"string": "str", "integer": "int", "number": "num", "boolean": "bool", "double": "float",
            "datetime64[ns]": "datetime", "datetime64[ns,UTC]": DATETIME_UTC}  # pandas' names (spaces removed)
_APP_PREFIXES = APP_PREFIXES

VALID_FORMS = (
    "str, int, float, num, bool, date, datetime, datetime64[ns, UTC], dict, path, url, "
    "list[<scalar>] (e.g. list[str]), "
    "cat[Record], cat[Record[<type name>]], cat[<Registry>] or cat[<Registry>.<field>] "
    "(e.g. cat[bio.CellType], cat[bio.ExperimentalFactor.ontology_id]), filters in brackets "
    "(cat[bio.Disease[source__uid='4a3ejKuf']]), unions (cat[Record|bio.CellType]); or pass Python types "
    "(float, str, list[int], datetime.date), registries (ln.Record, bt.CellType), a record type "
    "(a Record with is_type=True) or a registry field (bt.ExperimentalFactor.ontology_id)"
)

class DtypeInfo(NamedTuple):
    """``kind`` is a scalar name, ``"cat"``, or ``"list[...]"`` of one of those."""

    kind: str
    model: Any  # registry class for categorical dtypes
    field: str | None  # field values are matched on (categorical)
    type_name: str | None  # Record type filter, e.g. "Experiment"
    filters: dict[str, Any] | None = None  # Django filters on the registry, e.g. {"source__uid": "4a3ejKuf"}
    alternatives: tuple[DtypeInfo, ...] = ()  # every registry of a union dtype (cat[Record|bio.CellType])

    @property
    def cat_field(self) -> str:
        """The field values are matched on, for a categorical dtype (which always names one)."""
        if self.field is None:
            raise errors.InvalidArgument(f"dtype kind {self.kind!r} is not categorical: its values match no field")
        return self.field


def _invalid(x: Any, why: str = "") -> errors.ValidationError:
    extra = f" ({why})" if why else ""
    return errors.ValidationError(f"invalid dtype {x!r}{extra}. Valid dtypes: {VALID_FORMS}")


def _registry_name(model: Any) -> str:
    label = model._meta.app_label
    return model.__name__ if label == "lineagedb" else f"{label}.{model.__name__}"


def _get_model(name: str) -> Any:
    """``"Record"`` / ``"bio.CellType"`` / ``"bt.CellType"`` -> model class, or None."""
    from django.apps import apps

    app, _, cls = name.rpartition(".")
    app = _APP_PREFIXES.get(app, app)
    try:
        model = apps.get_model(app or "lineagedb", cls)
    except (LookupError, ValueError):
        return None
    from ._base import BaseRecord

    return model if issubclass(model, BaseRecord) else None


def default_field(model: Any) -> str:
    """The field that names ``model``'s records (its ``_name_field``, else name, key or uid): categorical values
    are matched on it when a dtype names no field, search ranks it first, pages and graphs show it."""
    names = {f.name for f in model._meta.concrete_fields}
    preferred: str | None = getattr(model, "_name_field", None)
    if preferred is not None and preferred in names:
        return preferred
    return "name" if "name" in names else ("key" if "key" in names else "uid")


def _cat_string(model: Any, field: str | None = None, type_name: str | None = None,
                filters: tuple[tuple[str, Any], ...] = ()) -> str:
    return format_cat([CatTerm(_registry_name(model), field, type_name, filters)])


def _parse_object(x: Any) -> str | None:
    """Python types, registries, registry fields and type records -> canonical string (None: not an object)."""
    from django.db.models.query_utils import DeferredAttribute

    from ._base import BaseRecord

    if isinstance(x, type):
        if x in _PY_TYPES:
            return _PY_TYPES[x]
        if issubclass(x, os.PathLike):
            return "path"
        if issubclass(x, BaseRecord):
            return _cat_string(x)
        raise _invalid(x)
    origin = getattr(x, "__origin__", None)
    if origin is list:
        args: tuple[Any, ...] = getattr(x, "__args__", ())
        if len(args) != 1:
            raise _invalid(x, "a list dtype needs exactly one element type")
        inner = parse_dtype(args[0])
        if inner.startswith("list["):
            raise _invalid(x, "nested lists are not supported")
        return f"list[{inner}]"
    if isinstance(x, (list, tuple)) and x and all(not isinstance(i, str) for i in x):
        terms = []
        for item in x:
            one = parse_dtype(item)
            if not one.startswith("cat["):
                raise _invalid(x, "a list dtype of several items is a union of registries, e.g. [ln.Record, bt.Gene]")
            terms.extend(parse_cat(one) or [])
        return format_cat(terms)
    if isinstance(x, DeferredAttribute):
        model, field = x.field.model, x.field.name
        if not issubclass(model, BaseRecord):
            raise _invalid(x)
        return _cat_string(model, field)
    if isinstance(x, BaseRecord):
        has_types = "type" in {f.name for f in type(x)._meta.concrete_fields}
        from .feature import Feature

        if has_types and getattr(x, "is_type", False) and not isinstance(x, Feature):
            return _cat_string(type(x), type_name=x.name)  # type: ignore[attr-defined]  # every registry with types has names
        raise _invalid(x, "a record can be a dtype only if it is a type (is_type=True)")
    return None


def _parse_string(s: str) -> str:
    s = s.strip().replace(" ", "") if "cat[" not in s else s.strip()  # type names may hold spaces
    s = _ALIASES.get(s, s)
    if s in SCALARS or s == "cat" or s == DATETIME_UTC:
        return s
    if s.startswith("list[") and s.endswith("]"):
        inner = _parse_string(s[5:-1])
        if inner.startswith("list["):
            raise _invalid(s, "nested lists are not supported")
        return f"list[{inner}]"
    try:
        terms = parse_cat(s)
    except ValueError as e:
        raise _invalid(s, str(e)) from None
    if terms is None:
        raise _invalid(s)
    return format_cat([_check_term(s, t) for t in terms])


def _check_term(s: str, term: CatTerm) -> CatTerm:
    """The term with its registry checked (and renamed canonically); its field and filters checked."""
    from ._dtype_cat import check_filter_key

    model = _get_model(term.registry)
    if model is None:
        raise _invalid(s, f"no registry named {term.registry!r}")
    if term.field is not None and term.field not in {f.name for f in model._meta.concrete_fields}:
        raise _invalid(s, f"{model.__name__} has no field {term.field!r}")
    if term.type_name is not None and "type" not in {f.name for f in model._meta.concrete_fields}:
        raise _invalid(s, f"{model.__name__} has no types; a type name in brackets needs e.g. cat[Record[Experiment]]")
    for key, _ in term.filters:
        check_filter_key(model, key, s)
    type_name = term.type_name.strip() if term.type_name else None
    return CatTerm(_registry_name(model), term.field, type_name, term.filters)


def parse_dtype(x: Any) -> str:
    """The canonical dtype string for a Python type, registry, registry field or dtype string.

    >>> parse_dtype("cat[bt.CellType]")  # doctest: +SKIP
    'cat[bio.CellType]'
    """
    if isinstance(x, str):
        return _parse_string(x)
    out = _parse_object(x)
    if out is None:
        raise _invalid(x)
    return out


def dtype_info(s: str) -> DtypeInfo:
    """Split a canonical dtype into kind, registry, match field and Record type filter (cached per string).

    >>> dtype_info("cat[Record[Experiment]]")  # doctest: +SKIP
    DtypeInfo(kind='cat', model=<Record>, field='name', type_name='Experiment')
    """
    return _dtype_info(s) if isinstance(s, str) else _dtype_info.__wrapped__(s)


@functools.lru_cache(maxsize=1024)
def _dtype_info(s: str) -> DtypeInfo:
    """Split a canonical dtype into kind, registry, match field and Record type filter.

    >>> dtype_info("cat[Record[Experiment]]")  # doctest: +SKIP
    DtypeInfo(kind='cat', model=<Record>, field='name', type_name='Experiment')
    """
    s = parse_dtype(s)
    if s.startswith("list["):
        inner = _dtype_info(s[5:-1])
        return DtypeInfo(f"list[{inner.kind}]", inner.model, inner.field, inner.type_name)
    if s in SCALARS or s == "cat":
        return DtypeInfo(s, None, None, None)
    if s == DATETIME_UTC:
        return DtypeInfo("datetime", None, None, None)
    infos = tuple(_term_info(t) for t in parse_cat(s) or [])
    first = infos[0]
    return first._replace(alternatives=infos) if len(infos) > 1 else first


def _term_info(term: CatTerm) -> DtypeInfo:
    model = _get_model(term.registry)
    return DtypeInfo("cat", model, term.field or default_field(model), term.type_name, dict(term.filters) or None)


def is_categorical(dtype: str) -> bool:
    """True for ``cat...`` and ``list[cat...]`` dtypes."""
    return dtype.startswith("cat") or dtype.startswith("list[cat")


# -- values ----------------------------------------------------------------------------------------

def _fail(dtype: str, value: Any, feature: str | None, hint: str = "") -> errors.ValidationError:
    who = f"feature {feature!r}" if feature else "value"
    extra = f"; {hint}" if hint else ""
    return errors.ValidationError(
        f"{who} expects dtype {dtype!r} but got {value!r} (type {type(value).__name__}){extra}"
    )


def _is_bool(v: Any) -> bool:
    return isinstance(v, bool) or type(v).__name__ in {"bool_", "bool"}


def _dict_from_text(text: str) -> dict | None:
    """The dict written as JSON (``'{"a": 1}'``) or as a Python literal (``"{'a': True}"``), else None."""
    import ast
    import json

    for parse in (json.loads, ast.literal_eval):
        try:
            value = parse(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(value, dict):
            try:
                json.dumps(value)  # sets, bytes, ... of a Python literal have no JSON form
            except (TypeError, ValueError):
                return None
            return value
    return None


def _scalar(kind: str, value: Any, coerce: bool, dtype: str, feature: str | None) -> Any:
    hint = "pass coerce_dtype=True on the feature to convert" if not coerce else ""
    if kind in {"str", "cat"}:
        if isinstance(value, str):
            return value
        if coerce and not isinstance(value, (dict, list)):
            return str(value)
        if kind == "cat" and feature:  # a categorical value must be a name (or a record)
            raise errors.ValidationError(
                f"1 term not validated in feature {feature!r}: {value!r} (type {type(value).__name__}) is not a name "
                f"or record of {dtype!r}; pass the name as a string or the record itself"
            )
        raise _fail(dtype, value, feature, hint)
    if kind == "bool":
        if _is_bool(value):
            return bool(value)
        if coerce and str(value).lower() in {"true", "false", "1", "0", "yes", "no"}:
            return str(value).lower() in {"true", "1", "yes"}
        raise _fail(dtype, value, feature, hint)
    if kind in {"int", "float", "num"}:
        if not _is_bool(value) and isinstance(value, numbers.Real):
            if kind == "int":
                if isinstance(value, numbers.Integral):
                    return int(value)
                if coerce and float(value).is_integer():
                    return math.trunc(value)
                raise _fail(dtype, value, feature, hint)
            if kind == "float":
                return float(value)
            return int(value) if isinstance(value, numbers.Integral) else float(value)
        if coerce and isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                raise _fail(dtype, value, feature, "it is not a number") from None
            if kind == "int" and not number.is_integer():
                raise _fail(dtype, value, feature, "it is not an integer")
            if kind == "int" or (kind == "num" and re.fullmatch(r"\s*[+-]?\d+\s*", value)):
                return int(number)
            return number
        raise _fail(dtype, value, feature, hint)
    if kind == "datetime":
        if isinstance(value, _dt.datetime):
            return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
        if isinstance(value, _dt.date):
            return _dt.datetime(value.year, value.month, value.day)
        if isinstance(value, str):
            try:
                return _dt.datetime.fromisoformat(value)
            except ValueError:
                raise _fail(dtype, value, feature, "use ISO format, e.g. '2024-05-17T14:00:00'") from None
        raise _fail(dtype, value, feature)
    if kind == "date":
        if isinstance(value, _dt.datetime):
            if coerce or (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
                return value.date()
            raise _fail(dtype, value, feature, "it has a time of day; pass a datetime.date")
        if isinstance(value, _dt.date):
            return value
        if isinstance(value, str):
            try:
                return _dt.date.fromisoformat(value)
            except ValueError:
                raise _fail(dtype, value, feature, "use ISO format, e.g. '2024-05-17'") from None
        raise _fail(dtype, value, feature)
    if kind == "dict":
        if isinstance(value, dict):
            return value
        parsed = _dict_from_text(value) if isinstance(value, str) else None
        if parsed is not None:  # its JSON or Python literal text, as a date from its ISO text
            return parsed
        raise _fail(dtype, value, feature, "pass a dict, or its JSON text")
    if kind == "url":
        if isinstance(value, str) and re.match(r"^[A-Za-z][\w+.-]*://\S+$", value):
            return value
        raise _fail(dtype, value, feature, "pass a URL such as 'https://example.org/x'")
    if kind == "path":
        if isinstance(value, (str, os.PathLike)):
            return str(value)
        raise _fail(dtype, value, feature)
    raise _invalid(dtype)


def check_value(dtype: str, value: Any, *, coerce: bool = False, feature: str | None = None) -> Any:
    """``value`` normalised for ``dtype`` (``date`` from ISO strings, ``float`` from ints, ...), else raise.

    Categorical values come back as strings (or the record itself when a record of the registry is
    passed); resolving them to records is the caller's job. ``None`` passes through unchanged.

    >>> check_value("date", "2024-05-17")
    datetime.date(2024, 5, 17)
    """
    if value is None:
        return None
    if dtype.startswith("list["):
        inner = dtype[5:-1]
        if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
            if not coerce:
                raise _fail(dtype, value, feature, "pass a list")
            value = [value]
        return [check_value(inner, v, coerce=coerce, feature=feature) for v in value]
    if dtype.startswith("cat"):
        from ._base import BaseRecord

        if isinstance(value, BaseRecord):
            info = dtype_info(dtype) if dtype != "cat" else None
            models_ = tuple(a.model for a in (info.alternatives or (info,))) if info is not None else ()
            if info is not None and not isinstance(value, models_):
                raise _fail(dtype, value, feature, f"pass a {info.model.__name__} record or its {info.field}")
            return value
        return _scalar("cat", value, coerce, dtype, feature)
    return _scalar("datetime" if dtype == DATETIME_UTC else dtype, value, coerce, dtype, feature)


def to_json(dtype: str, value: Any) -> Any:
    """A checked value as JSON (dates and datetimes as ISO strings)."""
    if isinstance(value, list):
        return [to_json(dtype, v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value


def from_json(dtype: str, value: Any) -> Any:
    """Inverse of :func:`to_json`: Python types back from stored JSON."""
    kind = dtype[5:-1] if dtype.startswith("list[") else dtype
    kind = "datetime" if kind == DATETIME_UTC else kind
    if isinstance(value, list):
        return [from_json(kind, v) for v in value]
    if value is None:
        return None
    if kind == "date":
        return _dt.date.fromisoformat(value)
    if kind == "datetime":
        return _dt.datetime.fromisoformat(value)
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # PostgreSQL's jsonb stores 1e16 as 10000000000000000
    return value


# -- arrays (the values of a schema with a dtype, e.g. an AnnData's X) ------------------------------

_ARRAY_KINDS = {"int": "iu", "float": "fiu", "num": "fiu", "bool": "b", "str": "OSU"}


def _whole_numbers(values: Any, chunk: int = 1 << 22) -> bool:
    """True if a float array holds only whole numbers (how scanpy stores counts: float32 1.0, 2.0, ...)."""
    import numpy as np

    data = getattr(values, "data", values) if hasattr(values, "tocsr") or hasattr(values, "indptr") else values
    flat = np.asarray(data).reshape(-1)
    for start in range(0, flat.size, chunk):
        part = flat[start:start + chunk]
        if not np.all(np.isfinite(part)) or not np.array_equal(part, np.floor(part)):
            return False
    return True


def array_dtype_problems(dtype: str, obj: Any) -> list[str]:
    """The numpy dtypes in ``obj`` (an array, sparse matrix or DataFrame) that do not fit a schema ``dtype``.

    A float array of whole numbers fits ``int``.

    >>> import numpy as np
    >>> array_dtype_problems("int", np.array([1.0, 2.0], dtype="float32"))
    []
    >>> array_dtype_problems("int", np.array([1.5]))
    ['float64']
    """
    kinds = _ARRAY_KINDS.get(dtype)
    if kinds is None:
        return []
    parts = [obj] if hasattr(obj, "dtype") else [obj[c] for c in obj.columns]
    bad = set()
    for part in parts:
        kind = getattr(part.dtype, "kind", "O")
        if kind in kinds:
            continue
        if dtype == "int" and kind == "f" and _whole_numbers(part.values if hasattr(part, "values") and not hasattr(part, "indptr") else part):
            continue
        bad.add(str(part.dtype))
    return sorted(bad)
