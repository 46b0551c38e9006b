"""How often each label is used: artifact counts per term of a label registry (records, ontology terms).

Label registries are read from ``LABEL_LINKS`` (declared once where each link model is made), so a new
label registry is counted without code here.

>>> with_usage(bio.CellType, bio.CellType.filter()).first().n_artifacts  # doctest: +SKIP
3
"""

from __future__ import annotations

from typing import Any


def label_link(model: Any) -> tuple[Any, str] | None:
    """(link model, label column) when ``model`` labels artifacts, else None."""
    from ..models._labels import mounted_links

    found = mounted_links().get(model._meta.label)
    return (found[0], found[1]) if found else None


def with_usage(model: Any, qs: Any) -> Any:
    """``qs`` annotated with ``n_artifacts`` (distinct artifacts labeled with each record)."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    found = label_link(model)
    if found is None:  # a registry that labels no artifacts: every count is 0
        return qs.annotate(n_artifacts=Value(0))
    link, column = found
    counted = (link.objects.filter(**{column: OuterRef("pk")}).order_by().values(column)
               .annotate(c=Count("artifact_id", distinct=True)).values("c"))
    return qs.annotate(n_artifacts=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0)))


def in_use_first(model: Any, qs: Any) -> Any:
    """``qs`` with usage counts, most used first (then newest)."""
    return with_usage(model, qs).order_by("-n_artifacts", "-id")
