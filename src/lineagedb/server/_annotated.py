"""Search that knows annotations: artifacts and collections found by key/description, labels and feature values.

One search box: ``q`` matches a record's own text (key, description: ranked search), the labels of its
artifacts (records, ontology terms by name, synonym or ontology id) and its feature values. Scores are
lower-is-better; a record found several ways ranks higher. Registries are read from their declarations
(``LABEL_LINKS``, ``_feature_values``, relations to Artifact), never per registry.

>>> ids = ranked_ids(Artifact.filter(), "NK cell")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

MAX_HITS = 1000  # records ranked per search (the list shows the best ones, paginated)


def is_annotated(model: Any) -> bool:
    """Artifacts and registries that hold artifacts (collections) get the annotation-aware search."""
    return model._labels_as_links or _artifact_relation(model) is not None


def _artifact_relation(model: Any) -> str | None:
    for f in model._meta.get_fields():
        if (f.name == "artifacts" and f.many_to_many and not f.auto_created and f.related_model is not None
                and getattr(f.related_model, "_labels_as_links", False)):  # members (collections), not a run's inputs
            return f.name
    return None


def _label_hits(q: str) -> dict[int, float]:
    """artifact id -> score for artifacts labeled with a term matching ``q`` (name, synonym, ontology id)."""
    from django.db.models import Q

    from ..models._labels import mounted_links

    text = q.strip().lower()
    hits: dict[int, float] = {}
    for link, field, _ in mounted_links().values():
        label_model = link._meta.get_field(field).related_model
        names = {f.name for f in label_model._meta.concrete_fields}
        cond = Q(pk__in=[])
        for name in ("name", "symbol", "synonyms", "ontology_id", "abbr"):
            if name in names:
                cond |= Q(**{f"{name}__icontains": text})
        scores: dict[int, float] = {}
        for label in label_model.objects.filter(cond)[:200]:
            values = [str(getattr(label, n, None) or "").lower() for n in ("name", "symbol", "ontology_id", "abbr")]
            synonyms = [s.strip().lower() for s in str(getattr(label, "synonyms", None) or "").split("|")]
            scores[label.pk] = 1.0 if text in values or text in synonyms else 1.5
        if not scores:
            continue
        rows = link.objects.filter(**{f"{field}_id__in": list(scores)}).values_list("artifact_id", f"{field}_id")
        for artifact_id, label_id in rows[: MAX_HITS * 5]:
            hits[artifact_id] = min(hits.get(artifact_id, 9.0), scores[label_id])
    return hits


def _feature_hits(model: Any, q: str) -> dict[int, float]:
    """record id -> score for records of ``model`` with a feature value equal to (1) or containing (1.5) ``q``."""
    from django.apps import apps

    spec = getattr(model, "_feature_values", None)
    if spec is None:
        return {}
    link, host = apps.get_model("lineagedb", spec[0]), spec[1]
    text = q.strip()
    hits: dict[int, float] = {}
    rows = link.objects.filter(featurevalue__text__icontains=text).values_list(f"{host}_id", "featurevalue__text")
    for host_id, value in rows[: MAX_HITS * 5]:
        score = 1.0 if str(value).lower() == text.lower() else 1.5
        hits[host_id] = min(hits.get(host_id, 9.0), score)
    return hits


def _merge(*sources: dict[int, float]) -> dict[int, float]:
    out: dict[int, float] = {}
    found: dict[int, int] = {}
    for source in sources:
        for pk, score in source.items():
            out[pk] = min(out.get(pk, 9.0), score)
            found[pk] = found.get(pk, 0) + 1
    return {pk: score - 0.1 * (found[pk] - 1) for pk, score in out.items()}


def ranked_ids(qs: Any, q: str) -> list[int]:
    """Ids of ``qs`` matching ``q`` by text, labels or feature values, best first (at most MAX_HITS)."""
    model = qs.model
    direct = {pk: 1.0 + 0.01 * pos for pos, pk in enumerate(qs.search(q, limit=200).values_list("id", flat=True))}
    labeled = _label_hits(q)
    valued = _feature_hits(model, q)
    if not model._labels_as_links:
        relation = _artifact_relation(model)
        via = {**valued}
        through = list(qs.filter(**{f"{relation}__id__in": list(labeled)}).values_list("id", f"{relation}__id"))
        for pk, artifact_id in through:
            via[pk] = min(via.get(pk, 9.0), labeled[artifact_id] + 0.2)
        labeled, valued = via, {}
    scores = _merge(direct, labeled, valued)
    allowed = set(qs.filter(id__in=list(scores)).values_list("id", flat=True)) if scores else set()
    return sorted(allowed, key=lambda pk: (scores[pk], -pk))[:MAX_HITS]


def in_order(qs: Any, ids: list[int]) -> Any:
    """``qs`` restricted to ``ids``, in that order."""
    from django.db.models import Case, IntegerField, Value, When

    if not ids:
        return qs.none()
    order = Case(*(When(pk=pk, then=Value(pos)) for pos, pk in enumerate(ids)), output_field=IntegerField())
    return qs.model.objects.filter(id__in=ids).annotate(_rank=order).order_by("_rank")
