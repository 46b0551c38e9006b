"""``validate``, ``inspect`` and ``standardize`` against the saved records of any registry.

Values are matched on one field (default: the registry's main field); where the registry has a
``synonyms`` field and the main field is matched, synonyms and case variants map to canonical values.
Registries with public sources (``bio``) add ``organism=`` and ``public=`` on top.

>>> ln.User.validate(["alice", "nobody"], ln.User.handle)  # doctest: +SKIP
array([ True, False])
>>> ln.Record.filter(type=cell_lines).inspect(["HEK293", "hek-293"])["validated"]  # doctest: +SKIP
['HEK293']
"""

from __future__ import annotations

from typing import Any

from .. import errors
from ..core.vocabulary import InspectResult, Vocabulary, as_list
from ..core.vocabulary import inspect as _inspect
from ._fields import field_name


def _field(qs: Any, field: Any) -> str:
    from ._dtypes import default_field

    name = default_field(qs.model) if field is None else field_name(field)
    if name not in {f.name for f in qs.model._meta.concrete_fields}:
        raise errors.InvalidArgument(f"{qs.model.__name__} has no field {name!r} to match values on")
    return name


def vocabulary(qs: Any, field: Any = None) -> Vocabulary:
    """The values of ``field`` in ``qs`` (with synonyms when ``field`` is the main field)."""
    from ._dtypes import default_field

    name = _field(qs, field)
    fields = {f.name for f in qs.model._meta.concrete_fields}
    if "synonyms" in fields and name == default_field(qs.model):
        rows = list(qs.values_list(name, "synonyms"))
        return Vocabulary([r[0] for r in rows], [r[1] for r in rows])
    return Vocabulary(list(qs.values_list(name, flat=True)))


def validate(qs: Any, values: Any, field: Any = None) -> Any:
    """A boolean array: is each value saved in ``qs``? A single string gives one bool."""
    import numpy as np

    name = _field(qs, field)
    items = as_list(values)
    found = set(qs.filter(**{f"{name}__in": list({v for v in items if v is not None})}).values_list(name, flat=True))
    result = np.array([v in found for v in items], dtype=bool)
    return bool(result[0]) if isinstance(values, str) else result


def inspect(qs: Any, values: Any, field: Any = None, show: bool = True) -> InspectResult:
    """Validated values, non-validated ones and the synonyms or case variants that would fix them."""
    return _inspect(vocabulary(qs, field), values, show=show)


def standardize(qs: Any, values: Any, field: Any = None, mapper: bool = False) -> list | dict:
    """Synonyms and case variants -> canonical saved values (unknown values stay as they are)."""
    vocab = vocabulary(qs, field)
    items = as_list(values)
    if mapper:
        return vocab.mapper(items)
    return vocab.standardize(items)
