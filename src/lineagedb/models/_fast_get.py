"""``Registry.get(key=...)``, ``get(uid=...)`` and ``get(id=...)`` without building a queryset per call.

A warm ``get`` spends most of its time making Django querysets (trash filter, hidden kinds, the lookup, the
latest-version preference) and compiling them to SQL, though for one registry and one field the SQL is always
the same text with a different value. So the first such call compiles the very querysets the general ``get``
would run (``_filters.candidates``), with a stand-in value, and keeps their SQL, parameters and row converters;
later calls put the value in, run the SQL through Django's cursor and build the record with ``Model.from_db``.

What is kept depends only on the registry, the field and the database connection; it is kept per Django
connection object (each thread has its own; connecting to another instance makes new ones, which compile
afresh) and goes with it, so nothing in it can go stale.
Any other call (more keywords, positional uid, a value of another type) takes the general path.

>>> ln.Artifact.get(key="my_datasets/rnaseq1.parquet")  # doctest: +SKIP
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from django.db import connections

from ..core.context import visible_branch_ids
from . import _filters

if TYPE_CHECKING:
    from ._base import BaseRecord

MISS = object()  # the fast path does not apply: use the general one

# the stand-in value compiled into the SQL, per field; found again among the compiled parameters
_STAND_IN: dict[str, Any] = {"key": "\x00lineagedb fast get key\x00", "uid": "\x00lineagedb uid\x00", "id": 987_654_321}
_TYPES: dict[str, type] = {"key": str, "uid": str, "id": int}
# per Django connection: (registry, field, visible branches) -> ([(sql, params, slot of the value)], field names, columns to convert)
# or None; nothing in a plan refers to its connection, so the plans go when the connection goes
_PLANS: WeakKeyDictionary[Any, dict[tuple[type, str, tuple[int, ...]], Any]] = WeakKeyDictionary()


def fast_get(model: type[BaseRecord], kwargs: dict[str, Any]) -> Any:
    """The record ``model.get(**kwargs)`` returns, or ``MISS`` when the call is not one this path serves."""
    if len(kwargs) != 1:
        return MISS
    (name, value), = kwargs.items()
    kind = _TYPES.get(name)
    if kind is None or type(value) is not kind:
        return MISS
    alias = model.objects.db
    connection = connections[alias]
    plans = _PLANS.get(connection)
    if plans is None:
        plans = _PLANS[connection] = {}
    branches = visible_branch_ids()  # the plans hold the branch filters of the branch in use when they were made
    plan = plans.get((model, name, branches), MISS)
    if plan is MISS:
        plan = plans[(model, name, branches)] = _compile(model, name, connection)
    if plan is None:
        return MISS
    queries, init_list, converters = plan
    if isinstance(value, str) and name == "key":  # keys are stored NFC: found by any spelling, as in _filters.translate
        value = unicodedata.normalize("NFC", value)
    rows: list[Any] = []
    for sql, params, slot in queries:
        params = params.copy()
        params[slot] = value
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if rows:
            break
    if not rows:
        raise _filters.no_match(model, (), kwargs)
    if len(rows) > 1:
        raise _filters.several(model, kwargs)
    row = list(rows[0])
    for pos, expression in converters:  # as Django's compiler converts (asked here: the plan holds no connection)
        for convert in connection.ops.get_db_converters(expression) + expression.get_db_converters(connection):
            row[pos] = convert(row[pos], expression, connection)
    return model.from_db(alias, init_list, row)


def _compile(model: type[BaseRecord], name: str, connection: Any) -> Any:
    """([(sql, params, slot of the value)], field names, columns to convert), or None where the general
    ``get`` would build a query this path cannot repeat (no such field, related rows or annotations)."""
    if name not in {f.name for f in model._meta.concrete_fields}:
        return None
    stand_in = _STAND_IN[name]
    kwargs = {name: stand_in}
    filtered = model._visible(dict(kwargs)).filter(**kwargs)
    queries, init_list, converters = [], None, []
    for candidate in _filters.candidates(model, filtered, kwargs):
        compiler = candidate.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = [i for i, p in enumerate(params) if type(p) is type(stand_in) and p == stand_in]
        info = compiler.klass_info
        if len(slots) != 1 or info is None or info.get("related_klass_infos") or compiler.annotation_col_map:
            return None
        select = compiler.select
        fields = info["select_fields"]
        if fields != list(range(len(select))) or info["model"] is not model:
            return None
        names = [column[0].target.attname for column in select]
        if init_list is not None and names != init_list:
            return None
        init_list = names
        converters = [(pos, expression) for pos, (_, expression) in compiler.get_converters([s[0] for s in select]).items()]
        queries.append((sql, list(params), slots[0]))
    return queries, init_list, converters
