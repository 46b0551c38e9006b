"""The curators' door to public sources: which unsaved values a ``bio`` registry's ontology knows.

Registries without a public source (``Record``, ``Feature``, user-curated ones) find nothing here.
Both functions delegate to ``lineagedb.bio`` (``resolve_from_source`` / ``bulk_create_from_source``).
"""

from __future__ import annotations

from typing import Any

from .. import errors


def find_in_source(model: Any, values: list[str], field: str, organism: Any = None) -> tuple[dict[str, Any], dict[str, str]]:
    """``(value -> record kwargs, value -> canonical value for synonyms)`` of the values the source knows."""
    if model._meta.app_label != "bio" or not values:
        return {}, {}
    from ..bio._public import resolve_from_source

    try:
        found = resolve_from_source(model, values, field=field, organism=organism)
    except errors.LineageDBError:  # the registry has no public source (e.g. Pathway): nothing found
        return {}, {}
    synonyms = {v: str(kw[field]) for v, kw in found.items() if kw.get(field) is not None and str(kw[field]) != v}
    return found, synonyms


def create_from_source(model: Any, found: dict[str, Any], field: str, organism: Any = None) -> dict[str, Any]:
    """Create the records of values found in the source in one bulk insert; ``value -> saved record``."""
    if not found:
        return {}
    from ..bio._public import bulk_create_from_source

    records = bulk_create_from_source(model, list(found), field=field, organism=organism)
    id_field = model._id_field
    by_id = {getattr(r, id_field): r for r in records}
    return {v: by_id[kw[id_field]] for v, kw in found.items() if kw.get(id_field) in by_id}


def suggest_from_source(model: Any, values: list[str], field: str, organism: Any = None, n: int = 3) -> dict[str, list[str]]:
    """Close terms of the public source for values that match nothing (ranked search of the ontology)."""
    if model._meta.app_label != "bio" or not values:
        return {}
    from ..bio._public import public

    try:
        onto = public(model, organism=organism)
        out = {}
        for value in values:
            hits = onto.search(value, field=field, limit=n)
            if len(hits):
                out[value] = [str(v) for v in hits[field].tolist()]
        return out
    except errors.LineageDBError:
        return {}
