"""Sheets: a record type exported whole, one row per record typed under it.

>>> samples = ln.Record(name="Samples", is_type=True).save()  # doctest: +SKIP
>>> for i in range(101): ln.Record(name=f"sample_{i}", type=samples).save()  # doctest: +SKIP
>>> len(samples.to_dataframe())  # every record, no row limit  # doctest: +SKIP
101
"""

from __future__ import annotations

from typing import Any

from .. import errors

INDEX, UID, NAME = "__lamindb_record_id__", "__lamindb_record_uid__", "__lamindb_record_name__"


def sheet_frame(record_type: Any, features: list[Any] | None = None, ids: list[int] | None = None) -> Any:
    """The records directly under ``record_type`` (not trashed) as a DataFrame, one column per feature.

    Columns: the schema's features (or ``features``), then any other feature a record has; a frame whose schema
    has an index feature is indexed by it (the records' names), otherwise the index is the record id and uid and
    name columns follow the features. ``ids`` keeps only those records, in that order. Two queries, whatever the number of records.
    """
    import pandas as pd

    from ._features import host_values
    from ._record_fields import related_values, schema_mapped

    if not getattr(record_type, "is_type", False):
        raise errors.InvalidArgument(
            f"{record_type!r} is not a type; only a record type (is_type=True) exports its records as a sheet, "
            f"e.g. ln.{type(record_type).__name__}.filter(type=...).to_dataframe()"
        )
    model = type(record_type)._meta.concrete_model
    query = model.all().filter(type_id=record_type.pk)
    if ids is not None:
        query = query.filter(id__in=ids)
    rows = list(query.order_by("id").values_list("id", "uid", "name"))
    if ids is not None:  # in the order given (a queryset's ordering)
        position = {pk: n for n, pk in enumerate(ids)}
        rows.sort(key=lambda r: position[r[0]])
    schema = record_type.schema if record_type.schema_id is not None else None
    index = schema.index if schema is not None and schema.index_id is not None else None
    declared = [f.name for f, _ in schema.feature_links() if f.id != getattr(index, "id", None)] if schema else []
    wanted = [getattr(f, "name", f) for f in features] if features is not None else None
    values = host_values(model, [r[0] for r in rows], names=wanted)
    for feature, field in schema_mapped(schema):  # features kept in the records' own fields
        if wanted is None or feature.name in wanted:
            for rid, value in query.values_list("id", field):
                if value is not None:
                    values.setdefault(rid, {})[feature.name] = value
    for rid, per in related_values(schema, [(r[0], r[2]) for r in rows], wanted).items():
        values.setdefault(rid, {}).update(per)
    columns = wanted if wanted is not None else declared + sorted(
        {n for per in values.values() for n in per} - set(declared))
    data = {c: [_cell(values.get(r[0], {}).get(c)) for r in rows] for c in columns}
    dtypes = _dtypes(schema, columns)
    data = {c: _column(column, dtypes.get(c)) for c, column in data.items()}
    if index is not None:
        return pd.DataFrame(data, columns=columns, index=pd.Index([r[2] for r in rows], name=index.name))
    data.update({UID: [r[1] for r in rows], NAME: [r[2] for r in rows]})
    return pd.DataFrame(data, columns=[*columns, UID, NAME], index=pd.Index([r[0] for r in rows], name=INDEX))


_PANDAS = {"int": ("int64", "Int64"), "bool": ("bool", "boolean"), "float": ("float64", "float64")}


def _dtypes(schema: Any, columns: list[str]) -> dict[str, str]:
    """{column: feature dtype}: the schema's features first, then features of that name."""
    from .feature import Feature

    known = {f.name: f.dtype for f, _ in schema.feature_links()} if schema is not None else {}
    rest = [c for c in columns if c not in known]
    if rest:
        for name, dtype in Feature.objects.filter(name__in=rest, is_type=False).order_by("-id").values_list("name", "dtype"):
            known[name] = dtype
    return known


def _column(values: list[Any], dtype: str | None) -> Any:
    """A column of an int, bool or float feature as its pandas dtype: nullable (``Int64``, ``boolean``) when a
    record has no value, plain otherwise; other columns as they are."""
    import pandas as pd

    if dtype not in _PANDAS or any(isinstance(v, list) for v in values):
        return values
    plain, nullable = _PANDAS[dtype]
    try:
        return pd.array(values, dtype=nullable if any(v is None for v in values) else plain)
    except (TypeError, ValueError):  # a stored value that does not fit the dtype: leave the column as read
        return values


def _cell(value: Any) -> Any:
    """Several values of a feature as a sorted list; one value as itself."""
    if isinstance(value, set):
        return sorted(value, key=str)
    return value
