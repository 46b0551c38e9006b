"""Features in queries, DataFrames and describe(): the hooks the shared query layer calls.

>>> ln.Artifact.filter(temperature__gt=20, suffix=".csv").to_dataframe(include="features")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Func, Q, TextField

from .. import errors
from ._dtypes import check_value, dtype_info, is_categorical, to_json
from ._features import NUMERIC, external_schema, host_values, value_hash
from ._labels import LABEL_LINKS, is_label_registry, labels_of, link_of

_TEXT_LOOKUPS = {"exact", "iexact", "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith",
                 "gt", "gte", "lt", "lte", "in", "range", "regex", "iregex"}
_NUMBER_LOOKUPS = {"exact", "gt", "gte", "lt", "lte", "in", "range"}


def _convert(f: Any, value: Any) -> Any:
    return to_json(f.dtype, check_value(f.dtype, value, coerce=True, feature=f.name))


def _plain_condition(f: Any, lookup: str, value: Any) -> dict[str, Any]:
    kind = dtype_info(f.dtype).kind
    many = lookup in {"in", "range"}
    if kind.startswith("list[") or kind == "dict":
        if lookup not in {"exact", "in"}:
            raise errors.InvalidArgument(f"feature {f.name!r} ({f.dtype}) supports only exact and __in lookups")
        hashes = [value_hash(_convert(f, v)) for v in (value if lookup == "in" else [value])]
        return {"featurevalue__hash__in": hashes}
    if kind in NUMERIC:
        if lookup not in _NUMBER_LOOKUPS:
            raise errors.InvalidArgument(f"feature {f.name!r} ({f.dtype}) supports lookups {sorted(_NUMBER_LOOKUPS)}, not {lookup!r}")
        conv = [float(_convert(f, v)) for v in value] if many else float(_convert(f, value))
        return {f"featurevalue__number__{lookup}": conv}
    if lookup not in _TEXT_LOOKUPS:
        raise errors.InvalidArgument(f"feature {f.name!r} ({f.dtype}) does not support lookup {lookup!r}")
    if kind in {"date", "datetime"}:
        text = [str(_convert(f, v)) for v in value] if many else str(_convert(f, value))
    else:
        text = [str(v) for v in value] if many else str(value)
    return {f"featurevalue__text__{lookup}": text}


def feature_filter(model: Any, key: str, value: Any) -> Q | None:
    """``temperature=21.6``, ``temperature__gt=20``, ``experiment="My experiment"``, ``donor__isnull=True``."""
    if getattr(model, "_feature_values", None) is None:
        return None
    from .feature import Feature

    name, _, lookup = key.partition("__")
    untyped_first = F("type_id").asc(nulls_first=True)
    f = Feature.objects.filter(name=name, is_type=False).order_by(untyped_first, "id").first()
    if f is None:
        return None
    return feature_condition(model, f, lookup or "exact", value)


def feature_condition(model: Any, f: Any, lookup: str, value: Any) -> Q | None:
    """The ``Q`` of ``model`` records (Artifact, Run, ...) whose value of feature ``f`` matches ``lookup``/``value``."""
    if getattr(model, "_feature_values", None) is None:
        return None
    from ._features import _host_link

    is_artifact = model._labels_as_links
    link, host = _host_link(model)
    host = f"{host}_id"
    info = dtype_info(f.dtype)
    cat_links = is_artifact and is_categorical(f.dtype) and is_label_registry(info.model)
    if lookup == "isnull":
        if cat_links:
            label_link, _, _ = link_of(info.model)
            having = label_link.objects.filter(feature_id=f.id).values(host)
        else:
            having = link.objects.filter(featurevalue__feature_id=f.id).values(host)
        return ~Q(id__in=having) if value else Q(id__in=having)
    if cat_links:
        label_link, field, _ = link_of(info.model)
        head = lookup.split("__")[0]
        label_fields = {x.name for x in info.model._meta.get_fields()} | {"pk"}
        if head in label_fields:
            cond = {f"{field}__{lookup}": value}
        elif isinstance(value, info.model) or (lookup == "in" and value and all(isinstance(v, info.model) for v in value)):
            cond = {f"{field}__{lookup}": value}
        else:
            cond = {f"{field}__{info.field}__{lookup}": value}
            if lookup == "exact" and isinstance(value, str):
                _check_label_exists(f, info, value)
        return Q(id__in=label_link.objects.filter(feature_id=f.id, **cond).values(host))
    cond = _plain_condition(f, lookup, value)
    rows = _indexed_text(link.objects.filter(featurevalue__feature_id=f.id), cond)
    return Q(id__in=rows.filter(**cond).values(host))


def _indexed_text(rows: Any, cond: dict[str, Any]) -> Any:
    """``rows`` narrowed by the head of an exact or ``in`` text condition, which the value index holds.

    ``text = x`` is split into head and tail (``SUBSTR(text, 201) = x[200:]``) and taken out of ``cond``:
    beside ``text = x`` SQLite would substitute ``x`` into the indexed expression and miss the index."""
    from .feature import TEXT_HEAD, TextHead

    if "featurevalue__text__in" in cond:
        heads = [t[:TEXT_HEAD] for t in cond["featurevalue__text__in"]]
        return rows.alias(_head=TextHead("featurevalue__text")).filter(_head__in=heads)
    if "featurevalue__text__exact" in cond:
        text = cond.pop("featurevalue__text__exact")
        tail = Func(F("featurevalue__text"), template=f"SUBSTR(%(expressions)s, {TEXT_HEAD + 1})", output_field=TextField())
        return rows.alias(_head=TextHead("featurevalue__text"), _tail=tail).filter(_head=text[:TEXT_HEAD],
                                                                                  _tail=text[TEXT_HEAD:])
    return rows


def _check_label_exists(f: Any, info: Any, value: str) -> None:
    """A label value no record has is a typo, not an empty result: say so, with close matches."""
    from ._features import _suggest

    if not info.model.objects.filter(**{info.field: value}).exists():
        raise errors.InvalidLookup(
            f"no {info.model.__name__} has {info.field}={value!r}, so no record can carry it under feature "
            f"{f.name!r}{_suggest(info.model, info.field, value)}"
        )


def feature_sort_value(model: Any, f: Any, descending: bool = False) -> list[Any]:
    """Subqueries giving each Artifact/Run its smallest (``descending``: largest) value of feature ``f``,
    for ``order_by``.

    Integers sort by their number, then by their exact text key (floats tie above 2**53)."""
    from django.db.models import OuterRef, Subquery

    from ._features import _host_link

    if getattr(model, "_feature_values", None) is None:
        raise errors.InvalidArgument(f"{model.__name__} records carry no feature values; order ln.Artifact, ln.Run or ln.Record by features")
    is_artifact = model._labels_as_links
    link, host = _host_link(model)
    host = f"{host}_id"
    info = dtype_info(f.dtype)
    sign = "-" if descending else ""
    if is_artifact and is_categorical(f.dtype) and is_label_registry(info.model):
        label_link, field, _ = link_of(info.model)
        rows = label_link.objects.filter(artifact_id=OuterRef("pk"), feature_id=f.id)
        column = f"{field}__{info.field}"
    else:
        rows = link.objects.filter(**{host: OuterRef("pk")}, featurevalue__feature_id=f.id)
        if info.kind == "int":
            ordered = rows.order_by(*(f"{sign}{c}" for c in ("featurevalue__number", "featurevalue__text")))
            return [Subquery(ordered.values(c)[:1]) for c in ("featurevalue__number", "featurevalue__text")]
        column = "featurevalue__number" if info.kind in NUMERIC else "featurevalue__text"
    return [Subquery(rows.order_by(f"{sign}{column}").values(column)[:1])]


def features_dataframe(qs: Any, df: Any, features: bool | list[str]) -> Any:
    """One column per feature, in one query for plain values and one per label registry.

    A feature named like one of the record's own columns (``id``, ``uid``, ``key``, ...) keeps its name; the
    record's column is renamed ``__lamindb_<registry>_<field>__`` (``__lamindb_artifact_id__`` for the index),
    the frame-exchange names sheets use too (``__lamindb_record_uid__``), so no value hides another.
    """
    model = qs.model
    if getattr(model, "_feature_values", None) is None:
        raise errors.InvalidArgument(f"{model.__name__} records carry no features; use ln.Artifact, ln.Run or ln.Record")
    names = list(features) if isinstance(features, (list, tuple)) else None
    if names:
        _refuse_ambiguous(names)
    if df.empty:
        for n in names or []:
            df[n] = []
        return df
    uids = list(df["uid"])
    hosts = model.objects.filter(uid__in=uids)
    id_of: dict[str, int] = dict(hosts.values_list("uid", "id"))
    values = host_values(model, hosts.values("id"), names)  # a subquery: the uid list is sent, not re-prepared
    columns: list[str] = list(names or [])
    for per in values.values():
        for n in per:
            if n not in columns:
                columns.append(n)
    df = df.copy()
    own = {c: f"__lamindb_{model.__name__.lower()}_{c}__" for c in [*df.columns, df.index.name] if c in columns}
    if own:  # a feature named like a field ("id", "uid"): the record's own column is renamed
        df = df.rename(columns=own)
        df.index.name = own.get(df.index.name, df.index.name)
    for n in columns:
        df[n] = [values.get(id_of[uid], {}).get(n) if uid in id_of else None for uid in uids]
    return df


def _refuse_ambiguous(names: list[str]) -> None:
    """Names given as columns must each name one feature (features of different types may share a name)."""
    from collections import Counter

    from .feature import Feature

    counts = Counter(Feature.objects.filter(name__in=names, is_type=False).values_list("name", flat=True))
    shared = sorted((name, n) for name, n in counts.items() if n > 1)
    if shared:
        listed = ", ".join(f"{name!r} ({n} features)" for name, n in shared)
        raise errors.InvalidArgument(
            f"Ambiguous feature names passed: {listed}. Features of different types share these names; "
            'use include="features" (which shows the categorical one, else the oldest) or rename one of them'
        )


def _fmt(value: Any) -> str:
    if isinstance(value, set):
        return ", ".join(sorted(map(str, value)))
    if isinstance(value, list):  # a record's list feature, in its order
        return ", ".join(map(str, value))
    return str(value)


def value_grid(aligned: bool) -> Any:
    """A borderless table for name / dtype / value rows; ``aligned``: names in 20 and dtypes in 25
    characters (``features.describe()``), else two spaces between columns (``describe()``)."""
    from rich.table import Table

    if not aligned:
        return Table.grid(padding=(0, 2))
    grid = Table.grid(padding=0)
    grid.add_column(min_width=20)
    grid.add_column(min_width=25)
    grid.add_column()
    return grid


def describe_features(record: Any, tree: Any, aligned: bool = False) -> None:
    """Features (with dtypes and values) and labels (grouped by registry and feature)."""
    from rich.markup import escape
    from rich.table import Table

    from .feature import Feature

    values = host_values(type(record), [record.id]).get(record.id, {})
    if values:
        dtypes = dict(Feature.objects.filter(name__in=list(values)).values_list("name", "dtype"))
        grid = value_grid(aligned)
        gap = " " if aligned else ""
        for name, value in values.items():
            grid.add_row(f"[bold]{escape(name)}[/bold]{gap}", f"[dim]{escape(dtypes.get(name, ''))}[/dim]{gap}",
                         escape(_fmt(value)))
        title = "External features" if external_schema(record) is not None else "Features"
        tree.add(f"[bold]{title}[/bold]").add(grid)
    if not type(record)._labels_as_links:
        return
    links = labels_of([record.id])
    if not links:
        return
    names = dict(Feature.objects.filter(id__in={fid for _, fid, _ in links if fid}).values_list("id", "name"))
    grouped: dict[tuple[str, str, str], list[str]] = {}  # (accessor, registry, feature name) -> labels
    under_feature = {(label._meta.label, label.id) for _, fid, label in links if fid}
    for _, fid, label in links:
        if not fid and (label._meta.label, label.id) in under_feature:
            continue
        _, _, accessor = LABEL_LINKS[label._meta.label]
        registry = label._meta.label.replace("lineagedb.", "")
        shown = str(getattr(label, dtype_info(f"cat[{registry}]").cat_field, None) or label.uid)
        entry = grouped.setdefault((f".{accessor}", registry, names[fid] if fid else ""), [])
        if shown not in entry:
            entry.append(shown)
    grid = Table.grid(padding=(0, 2))
    for (accessor, registry, feature), labels in grouped.items():
        by = f"[dim]feature {escape(feature)}[/dim]" if feature else ""
        grid.add_row(f"[bold]{accessor}[/bold]", f"[dim]{escape(registry)}[/dim]", escape(", ".join(labels)), by)
    tree.add("[bold]Labels[/bold]").add(grid)


