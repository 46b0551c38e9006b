"""Ranked search and lookup (placeholder until the annotation work lands: substring match)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q


def _text_fields(model: Any) -> list[str]:
    names = []
    for f in model._meta.concrete_fields:
        if f.get_internal_type() in {"CharField", "TextField"} and f.name not in {"uid", "hash", "source_code"}:
            names.append(f.name)
    return names


def search(qs: Any, string: str, field: str | None = None, limit: int | None = 20) -> Any:
    fields = [field] if field else _text_fields(qs.model)
    q = Q()
    for name in fields:
        q |= Q(**{f"{name}__icontains": string})
    result = qs.filter(q)
    return result[:limit] if limit else result


def lookup(qs: Any, field: str | None = None) -> Any:
    raise NotImplementedError
