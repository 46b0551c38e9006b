"""The curators' door to public sources: which unsaved values a ``bio`` registry's ontology knows.

Registries without a public source (``Record``, ``Feature``, user-curated ones) find nothing here.
"""

from __future__ import annotations

from typing import Any


def _bio_api() -> Any:
    try:
        from ..bio import _resolve
    except ImportError:  # the bio capability has no source resolution on this install
        return None
    return _resolve


def find_in_source(model: Any, values: list[str], field: str, organism: Any = None) -> tuple[dict[str, Any], dict[str, str]]:
    """``(value -> source key, value -> canonical name for synonyms)`` of the values the public source knows."""
    if model._meta.app_label != "bio" or not values:
        return {}, {}
    api = _bio_api()
    if api is None:
        return {}, {}
    return api.resolve_from_source(model, values, field=field, organism=organism)


def create_from_source(model: Any, found: dict[str, Any], field: str, organism: Any = None) -> dict[str, Any]:
    """Create (in bulk) the records of values found in the source; returns ``value -> saved record``."""
    if not found:
        return {}
    api = _bio_api()
    return api.bulk_create_from_source(model, found, field=field, organism=organism)
