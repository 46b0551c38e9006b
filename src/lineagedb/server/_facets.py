"""Facets of a record list: counts of labels (by registry), suffixes and creators that narrow the list.

Each facet value carries the query parameters that select it (``label=T cell``, ``suffix=.parquet``,
``created_by_id=1``), so a facet link is the same list with one more filter.

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


def facets(model: Any, qs: Any) -> list[Facet]:
    """The facets of the records in ``qs`` (labels for artifacts; suffix, kind, creator where present)."""
    ids = model.objects.filter(pk__in=qs.order_by().values("pk")).values("pk")
    base = model.objects.filter(pk__in=ids)
    out = _label_facets(ids) if model.__name__ == "Artifact" else []
    names = {f.name for f in model._meta.concrete_fields}
    for name in FIELDS:
        if name in names:
            facet = _field_facet(model, base, name)
            if facet is not None:
                out.append(facet)
    return out
