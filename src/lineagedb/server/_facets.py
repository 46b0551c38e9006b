"""Facets of a record list: counts of labels (by registry), feature values, suffixes, creators and creation
dates that narrow the list.

Each facet value carries the query parameters that select it (``label=T cell``, ``suffix=.parquet``,
``created_by_id=1``, ``feature=donor&value=D77``, ``created_at__year=2026&created_at__month=3``,
``created_at__date=2026-03-14``), so a facet link is the same list with one more filter. Feature values are
read from the registry's ``_feature_values`` declaration, labels from ``LABEL_LINKS``.

>>> facets(Artifact, Artifact.filter())  # doctest: +SKIP
[Facet(title='CellType', values=[FacetValue(text='T cell', count=3, params={'label': 'T cell'})]), ...]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TOP = 8  # values shown per facet
FIELDS = ("suffix", "kind", "created_by")  # plain facets, where a registry has the field


@dataclass
class FacetValue:
    text: str
    count: int
    params: dict[str, str]


@dataclass
class Facet:
    title: str
    values: list[FacetValue] = field(default_factory=list)


def _label_facets(ids: Any) -> list[Facet]:
    from django.db.models import Count

    from ..models._labels import mounted_links
    from ..models._search import search_fields

    out = []
    for link, name, _ in mounted_links().values():
        label_model = link._meta.get_field(name).related_model
        main = search_fields(label_model)[0]
        rows = (link.objects.filter(artifact_id__in=ids).values(f"{name}__{main}")
                .annotate(n=Count("artifact_id", distinct=True)).order_by("-n", f"{name}__{main}")[:TOP])
        values = [FacetValue(str(r[f"{name}__{main}"]), r["n"], {"label": str(r[f"{name}__{main}"])}) for r in rows]
        if values:
            out.append(Facet(label_model.__name__, values))
    return out


def _field_facet(model: Any, qs: Any, name: str) -> Facet | None:
    from django.db.models import Count

    f = model._meta.get_field(name)
    if f.is_relation:
        from ._registries import title

        rows = qs.values(f.attname).annotate(n=Count("id")).order_by("-n", f.attname)[:TOP]
        related = f.related_model.objects.in_bulk([r[f.attname] for r in rows if r[f.attname] is not None])
        values = [FacetValue(title(related[r[f.attname]]), r["n"], {f.attname: str(r[f.attname])})
                  for r in rows if r[f.attname] in related]
    else:
        rows = qs.exclude(**{f"{name}__isnull": True}).values(name).annotate(n=Count("id")).order_by("-n", name)[:TOP]
        values = [FacetValue(str(r[name]) or "(none)", r["n"], {name: str(r[name])}) for r in rows if r[name] != ""]
    if len(values) < 1:
        return None
    return Facet(name.replace("_", " "), values)


def _feature_facets(model: Any, ids: Any) -> list[Facet]:
    """One facet per feature (most used first): its most frequent values among the records."""
    from django.apps import apps
    from django.db.models import Count

    from ..models import FeatureValue

    spec = getattr(model, "_feature_values", None)
    if spec is None:
        return []
    link, host = apps.get_model("lineagedb", spec[0]), f"{spec[1]}_id"
    rows = (link.objects.filter(**{f"{host}__in": ids}).values("featurevalue_id")
            .annotate(n=Count(host, distinct=True)).order_by("-n", "featurevalue_id")[:TOP * TOP])
    values = FeatureValue.objects.select_related("feature").in_bulk([r["featurevalue_id"] for r in rows])
    by_feature: dict[str, Facet] = {}
    for r in rows:
        row = values[r["featurevalue_id"]]
        if isinstance(row.value, (dict, list)):
            continue  # not selectable by equality
        name, text = row.feature.name, _text(row.value)
        facet = by_feature.setdefault(name, Facet(f"{name} (feature)"))
        if len(facet.values) < TOP:
            facet.values.append(FacetValue(text, r["n"], {"feature": name, "value": text}))
    return list(by_feature.values())[:TOP]


def _text(value: Any) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value)


def _date_facets(base: Any) -> list[Facet]:
    """Creation months (newest first); the days too when all records fall in one month."""
    from django.db.models import Count
    from django.db.models.functions import TruncDay, TruncMonth

    def periods(trunc: Any) -> list[Any]:
        return list(base.annotate(t=trunc("created_at")).values("t").annotate(n=Count("id")).order_by("-t")[:TOP + 1])

    months = [r for r in periods(TruncMonth) if r["t"] is not None]
    if not months:
        return []
    out = [Facet("created (month)", [FacetValue(r["t"].strftime("%Y-%m"), r["n"], {
        "created_at__year": str(r["t"].year), "created_at__month": str(r["t"].month)}) for r in months[:TOP]])]
    if len(months) == 1:
        days = [r for r in periods(TruncDay) if r["t"] is not None][:TOP]
        out.append(Facet("created (day)", [FacetValue(r["t"].strftime("%Y-%m-%d"), r["n"], {
            "created_at__date": r["t"].strftime("%Y-%m-%d")}) for r in days]))
    return out


def facets(model: Any, qs: Any) -> list[Facet]:
    """The facets of the records in ``qs``: labels (artifacts), feature values, suffix, kind, creator, date."""
    ids = model.objects.filter(pk__in=qs.order_by().values("pk")).values("pk")
    base = model.objects.filter(pk__in=ids)
    out = _label_facets(ids) if model._labels_as_links else []
    out += _feature_facets(model, ids)
    names = {f.name for f in model._meta.concrete_fields}
    for name in FIELDS:
        if name in names:
            facet = _field_facet(model, base, name)
            if facet is not None:
                out.append(facet)
    if "created_at" in names:
        out += _date_facets(base)
    return out
