"""``ln.Record.from_dataframe(df, type=sheet)``: one record per row of a DataFrame, saved in bulk.

Each row's name comes from the schema's index feature (``df.index`` named after it, or a column of that name)
or from a ``__lamindb_record_name__`` column; every other column is a feature. Values are validated column by
column (one label lookup per categorical column, not per row), so saving a frame runs a number of queries that
does not grow with its rows.

>>> records = ln.Record.from_dataframe(df, type=samples)  # doctest: +SKIP
>>> records.save()  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from .. import errors
from ._sheet import NAME

IMPORTS = "Imports"  # the record type (and the schema type) that record types made by an import go under


class RecordList(list):
    """Unsaved records with their feature values; ``.save()`` inserts them and their values in bulk.
    ``type`` is the record type they are typed under."""

    type: Any = None

    def save(self) -> RecordList:
        """Save the records (ln.save) and then their feature values, in one transaction."""
        from django.db import transaction

        from ._bulk import save

        with transaction.atomic():
            save(self)
            _store_values(self)
        return self


def _missing(value: Any) -> bool:
    """None, NaN, pd.NA and NaT are 'no value'; lists and arrays never are."""
    if value is None:
        return True
    if isinstance(value, (list, tuple, set, dict)) or hasattr(value, "__len__") and not isinstance(value, str):
        return False
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(value: Any) -> Any:
    """numpy scalars and arrays as Python values."""
    if hasattr(value, "tolist") and not isinstance(value, str):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _names(df: Any, record_type: Any) -> tuple[list[Any], Any]:
    """(row names, frame without the name column) from the index feature or ``__lamindb_record_name__``."""
    schema = record_type.schema if record_type.schema_id is not None else None
    index = schema.index.name if schema is not None and schema.index_id is not None else None
    if index is not None and df.index.name == index:
        return list(df.index), df
    for column in (index, NAME):
        if column is not None and column in df.columns:
            return list(df[column]), df.drop(columns=[column])
    raise errors.InvalidArgument(
        f"from_dataframe needs a name for each row: add a {NAME!r} column"
        + (f", or name df.index (or a column) {index!r} after the schema's index feature" if index else "")
    )


def _check_type(record_type: Any) -> None:
    from .record import Record

    if not isinstance(record_type, Record):
        raise errors.InvalidArgument(f"type= takes a record type (ln.Record(name=..., is_type=True)), not {record_type!r}")
    if not record_type.is_type:
        raise errors.InvalidArgument(f"type={record_type!r} must be a record with is_type=True to hold the rows")
    if not record_type.name:
        raise errors.InvalidArgument("type= must have a non-null `name`: name the record type before importing rows")
    if record_type.pk is None:
        raise errors.InvalidArgument(f"type={record_type.name!r} is not saved yet: call .save() on it first")


def _column_values(feature: Any, values: list[Any]) -> list[Any]:
    """The stored (json) values of one column, row by row (None where a row has no value); labels looked up once."""
    from ._dtypes import check_value, dtype_info, is_categorical, to_json
    from ._features import _storable, resolve_labels

    name, dtype = feature.name, feature.dtype
    if not is_categorical(dtype):
        return [None if v is None else _storable(name, to_json(dtype, check_value(dtype, v, coerce=feature.coerce_dtype, feature=name)))
                for v in values]
    inner = dtype[5:-1] if dtype.startswith("list[") else dtype
    rows = [None if v is None else [check_value(inner, x, coerce=feature.coerce_dtype, feature=name)
                                    for x in (v if isinstance(v, (list, tuple, set)) else [v])] for v in values]
    flat = list(dict.fromkeys(x for row in rows if row for x in row if isinstance(x, str)))
    others = [x for row in rows if row for x in row if not isinstance(x, str)]
    found = resolve_labels(feature, flat + others)  # one lookup for the column; raises naming what is missing
    info = dtype_info(dtype)  # a bare "cat" names no field: its values stay strings
    text = {n: (r if isinstance(r, str) else getattr(r, info.cat_field)) for n, r in zip(flat, found)}
    return [None if row is None else [text[x] if isinstance(x, str) else getattr(x, info.cat_field) for x in row]
            for row in rows]


def _import_type(df: Any, name: str) -> Any:
    """``type="Samples"``: a new record type of that name under the ``Imports`` type, with a schema of the frame's
    feature columns (all optional: empty cells are allowed), typed under the ``Imports`` schema type."""
    from django.db import transaction

    from ._feature_keys import resolve_keys
    from .record import Record
    from .schema import Schema

    if not name:
        raise errors.InvalidArgument("type= takes a record type or the name of a new one, not an empty string")
    with transaction.atomic():
        imports = Record.filter(name=IMPORTS, is_type=True, type=None).first() or Record(name=IMPORTS, is_type=True).save()
        if Record.filter(name=name, type=imports).exists():
            raise errors.InvalidArgument(
                f"a record type {name!r} already exists under {IMPORTS!r}: pass it as "
                f"type=ln.Record.get(name={name!r}, type__name={IMPORTS!r}), or pick another name"
            )
        columns = [str(c) for c in df.columns if str(c) != NAME]
        features = [f for f, _ in resolve_keys({c: None for c in columns}).values()]  # unknown columns raise here
        schema_type = Schema.filter(name=IMPORTS, is_type=True).first() or Schema(name=IMPORTS, is_type=True).save()
        optional = [f.with_config(optional=True) for f in features]
        schema = Schema(optional, name=f"{name} (import)", type=schema_type).save()  # type: ignore[misc]  # positional features
        return Record(name=name, is_type=True, schema=schema, type=imports).save()


def from_dataframe(df: Any, record_type: Any) -> RecordList:
    """Unsaved records of ``record_type`` (or of a new import type of that name), one per row of ``df``, carrying
    their validated feature values."""
    from ._feature_keys import resolve_keys
    from .record import Record

    if isinstance(record_type, str):
        record_type = _import_type(df, record_type)
    _check_type(record_type)
    names, df = _names(df, record_type)
    schema = record_type.schema if record_type.schema_id is not None else None
    features = resolve_keys({str(c): None for c in df.columns}, schema)  # unknown columns raise here
    stored = {}
    for column in df.columns:
        raw = [None if _missing(v) else _plain(v) for v in df[column].tolist()]
        stored[str(column)] = _column_values(features[str(column)][0], raw)
    records = RecordList()
    records.type = record_type
    for i, name in enumerate(names):
        if _missing(name) or not isinstance(name, str):
            raise errors.InvalidArgument(f"row {i}: the record name must be a string, got {name!r}")
        row = {features[n][0]: col[i] for n, col in stored.items()}
        record = Record(name=name, type=record_type, features=row)  # type: ignore[misc]  # required features are columns of df
        record._pending_features = None  # stored in bulk by RecordList.save, not one record at a time
        record._import_values = [(f, v) for f, v in row.items() if v is not None]  # an empty cell: no value
        records.append(record)
    return records


def _store_values(records: list[Any]) -> None:
    """Insert the feature values of freshly saved records: shared FeatureValue rows, then one link per value."""
    from django.db.models import Q

    from ._dtypes import is_categorical
    from ._features import value_hash
    from .feature import FeatureValue
    pairs: list[tuple[int, Any, Any]] = []
    for r in records:
        for f, v in getattr(r, "_import_values", ()):
            items = v if is_categorical(f.dtype) else [v]
            pairs.extend((r.id, f, x) for x in items)
        r._import_values = []
    if not pairs:
        return
    wanted = {(f.id, value_hash(v)): (f, v) for _, f, v in pairs}
    keys = list(wanted)
    rows: dict[tuple, Any] = {}

    def fetch() -> None:
        for i in range(0, len(keys), 300):
            cond = Q()
            for fid, h in keys[i:i + 300]:
                cond |= Q(feature_id=fid, hash=h)
            rows.update({(r.feature_id, r.hash): r for r in FeatureValue.objects.filter(cond)})

    fetch()
    new = [FeatureValue(feature=f, value=v, hash=k[1], **_typed(f, v)) for k, (f, v) in wanted.items() if k not in rows]
    if new:
        FeatureValue.objects.bulk_create(new, ignore_conflicts=True)
        fetch()
    from ._features import _host_link

    through, host_field = _host_link(records[0])
    through.objects.bulk_create(
        [through(**{f"{host_field}_id": rid, "featurevalue_id": rows[(f.id, value_hash(v))].id}) for rid, f, v in pairs],
        ignore_conflicts=True,
    )


def _typed(feature: Any, value: Any) -> dict[str, Any]:
    from ._features import typed_columns

    number, text = typed_columns(feature.dtype, value)
    return {"number": number, "text": text}
