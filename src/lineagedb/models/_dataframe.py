"""Querysets to DataFrames in a bounded number of queries."""

from __future__ import annotations

from typing import Any


def _columns(model: Any) -> list[str]:
    cols = []
    for f in model._meta.concrete_fields:
        if f.name in {"branch", "source_code"} or f.name.startswith("_"):
            continue
        cols.append(f.attname)
    return cols


def _fetch(qs: Any, cols: list[str]) -> Any:
    """The columns as a DataFrame. On SQLite, datetimes come back as text and are parsed per column by
    pandas: Django's per-value conversion (parse, make aware) costs about a third of a 1,000-row frame."""
    import pandas as pd
    from django.db import connections
    from django.db.models import DateTimeField, TextField
    from django.db.models.functions import Cast

    model = qs.model
    as_text = []
    if connections[qs.db].vendor == "sqlite":
        fields = {f.attname: f for f in model._meta.concrete_fields}
        as_text = [c for c in cols if isinstance(fields[c], DateTimeField)]
    if not as_text:
        return pd.DataFrame.from_records(list(qs.values_list(*cols)), columns=cols)
    casts = {f"_text_{c}": Cast(c, TextField()) for c in as_text}
    selected = [f"_text_{c}" if c in as_text else c for c in cols]
    df = pd.DataFrame.from_records(list(qs.annotate(**casts).values_list(*selected)), columns=cols)
    for c in as_text:
        df[c] = pd.to_datetime(df[c], utc=True, format="ISO8601")
    return df


def queryset_to_dataframe(qs: Any, include: list[str], limit: int | None, compact: bool = False) -> Any:
    """One row per record, indexed by ``id``; ``include`` adds related values (sets when many-valued).

    ``compact`` (include or features were asked for): only ``uid`` and the registry's name field
    (``key``, ``name``, ``symbol``, ...) besides what was asked for.
    """
    import pandas as pd

    from ._dtypes import default_field

    model = qs.model
    cols = _columns(model)
    if compact:
        cols = [c for c in ("id", "uid", default_field(model)) if c in cols]
    if limit is not None and not qs.query.is_sliced:
        qs = qs[:limit]
    df = _fetch(qs, cols)
    if include and not df.empty:
        ids = list(df["id"])
        single, many = _split_includes(model, include)
        single = [s for s in single if s not in df.columns]  # a field already shown is not fetched twice
        if single:
            extra = pd.DataFrame.from_records(
                list(model.objects.filter(id__in=ids).values("id", *single)), columns=["id", *single]
            )
            df = df.merge(extra, on="id", how="left")
        for lookup in many:
            values: dict[int, set] = {}
            for rid, value in model.objects.filter(id__in=ids).values_list("id", lookup):
                if value is not None:
                    values.setdefault(rid, set()).add(value)
            df[lookup] = [values.get(i, set()) for i in df["id"]]
    elif include:
        for lookup in include:
            df[lookup] = []
    return df.set_index("id")  # the database id, as LaminDB users know it; uid stays the first column


def _split_includes(model: Any, include: list[str]) -> tuple[list[str], list[str]]:
    single: list[str] = []
    many: list[str] = []
    for lookup in include:
        current, multi = model, False
        for part in lookup.split("__"):
            try:
                f = current._meta.get_field(part)
            except Exception:  # noqa: BLE001 - a plain value transform such as __year
                break
            if f.is_relation:
                multi = multi or f.many_to_many or f.one_to_many
                current = f.related_model
        if "__" not in lookup:
            try:
                f = model._meta.get_field(lookup)
                if f.is_relation and not (f.many_to_many or f.one_to_many):
                    lookup = f"{lookup}__{'uid' if hasattr(f.related_model, 'uid') else 'id'}"
                elif f.is_relation:
                    lookup = f"{lookup}__{'name' if any(x.name == 'name' for x in f.related_model._meta.fields) else 'uid'}"
            except Exception:  # noqa: BLE001
                pass
        (many if multi else single).append(lookup)
    return single, many
