"""What a record links to (labels, features, runs, versions, parents...), as JSON-ready data.

Both the API's detail endpoints and the HTML record pages show this.

>>> relations(ln.Artifact.get(key="my_datasets/rnaseq1.parquet"))["labels"]  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from ._registries import slug, title

MAX_RELATED = 200


def brief(record: Any) -> dict[str, Any]:
    """``{"registry", "uid", "title"}``: enough to link to a record."""
    return {"registry": slug(type(record)), "uid": record.uid, "title": title(record)}


def plain(value: Any) -> Any:
    """Feature values and params as JSON: sets become sorted lists, records their titles."""
    if isinstance(value, (set, frozenset)):
        return sorted((plain(v) for v in value), key=str)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if hasattr(value, "_meta") and hasattr(value, "uid"):
        return title(value)
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return value.item()
    return value


def _briefs(qs: Any) -> list[dict[str, Any]]:
    from ..models._lineage import visible_in_lineage

    return [brief(r) for r in visible_in_lineage(qs[:MAX_RELATED])]


def _artifact(a: Any) -> dict[str, Any]:
    from ..models._labels import labels_of
    from ..models.feature import Feature

    features = {f.id: f.name for f in Feature.objects.all()}
    labels: dict[str, list[dict[str, Any]]] = {}
    for _, feature_id, label in labels_of([a.id]):
        item = brief(label) | {"feature": features.get(feature_id)}
        labels.setdefault(slug(type(label)), []).append(item)
    return {
        "labels": labels,
        "features": plain(a.features.get_values()),
        "run": brief(a.run) if a.run_id else None,
        "transform": brief(a.run.transform) if a.run_id else None,
        "storage": a._storage_record().root,
        "path": str(a.path),
        "collections": _briefs(a.collections.order_by("-id")),
        "input_of_runs": _briefs(a.input_of_runs.order_by("-id")),
    }


def _run(r: Any) -> dict[str, Any]:
    return {
        "transform": brief(r.transform),
        "params": plain(r.params),
        "features": plain(r.features.get_values()) if hasattr(r, "features") else {},
        "input_artifacts": _briefs(r.input_artifacts.order_by("id")),
        "input_collections": _briefs(r.input_collections.order_by("id")),
        "output_artifacts": _briefs(r.output_artifacts.order_by("id")),
        "output_collections": _briefs(r.output_collections.order_by("id")),
        "environment": brief(r.environment) if r.environment_id else None,
        "report": brief(r.report) if r.report_id else None,
        "initiated_by_run": brief(r.initiated_by_run) if r.initiated_by_run_id else None,
    }


def _hierarchy(record: Any) -> dict[str, Any]:
    out = {"parents": _briefs(record.parents.order_by("name")), "children": _briefs(record.children.order_by("name"))}
    if hasattr(record, "artifacts"):
        out["artifacts"] = _briefs(record.artifacts.order_by("-id"))
    return out


def hierarchical(model: Any) -> str | None:
    """The reverse name (``children``) of ``model``'s ``parents`` field to itself; None without a hierarchy."""
    f = next((f for f in model._meta.many_to_many if f.name == "parents"), None)
    if f is None or f.related_model is not model:
        return None
    return f.remote_field.related_name


def ancestors(record: Any, limit: int = 200) -> list[Any]:
    """Parents, their parents, ... of a record in a hierarchy (cycle-safe, at most ``limit``), by title."""
    model = type(record)
    children = hierarchical(model)
    if children is None:
        return []
    seen: set[int] = set()
    frontier = {record.pk}
    while frontier and len(seen) < limit:
        found = set(model.objects.filter(**{f"{children}__in": frontier}).values_list("pk", flat=True)) - seen
        found.discard(record.pk)
        seen |= found
        frontier = found
    return sorted(model.objects.filter(pk__in=sorted(seen)[:limit]), key=title)


def _transform(t: Any) -> dict[str, Any]:
    return {"runs": [brief(r) | {"started_at": plain(r.started_at), "status": r.status}
                     for r in t.runs.order_by("-started_at", "-id")[:MAX_RELATED]]}


def _collection(c: Any) -> dict[str, Any]:
    return {"artifacts": _briefs(c.ordered_artifacts), "run": brief(c.run) if c.run_id else None}


def _schema(s: Any) -> dict[str, Any]:
    return {"features": _briefs(s.features.order_by("links_schema__position", "id"))}


def _feature(f: Any) -> dict[str, Any]:
    return {"schemas": _briefs(f.schemas.order_by("-id"))}


def _record(r: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": brief(r.type) if r.type_id else None}
    if r.is_type:
        out["records"] = _briefs(r.records.order_by("name"))
    return out


@functools.cache
def _by_registry() -> dict[type, Callable[[Any], dict[str, Any]]]:
    """The relations each core registry's page shows, keyed by its class (subclasses and proxies inherit)."""
    from ..models import Artifact, Collection, Feature, Record, Run, Schema, Transform

    return {Artifact: _artifact, Run: _run, Transform: _transform, Collection: _collection, Schema: _schema,
            Feature: _feature, Record: _record}


def relations(record: Any) -> dict[str, Any]:
    """Everything a record page shows besides the record's own fields."""
    out: dict[str, Any] = {}
    if hasattr(record, "versions") and hasattr(record, "is_latest"):
        out["versions"] = [brief(v) | {"version": v.version_tag, "is_latest": v.is_latest} for v in record.versions[:MAX_RELATED]]
    builders = _by_registry()
    own = next((builders[c] for c in type(record).__mro__ if c in builders), None)
    if own is not None:
        out |= own(record)
    if hasattr(record, "parents") and hasattr(record, "children"):
        out |= _hierarchy(record)
    return out
