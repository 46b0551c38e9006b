"""Match the distinct values of a categorical column against its registry, then its public source.

One query per column for saved records; values not saved are looked up in the public ontology of a
``bio`` registry (see ``_sources``); only values found in neither are non-validated.
"""

from __future__ import annotations

import difflib
from typing import Any

from ._result import CatValues
from ._sources import find_in_source, suggest_from_source

_MAX_SYNONYM_PROBES = 200  # missing values probed against saved synonyms in one query
_MAX_SUGGESTION_CANDIDATES = 100_000
_CHUNK = 5000  # values per IN (...) query: stays under SQLite's bound-variable limit


def registry_queryset(cat: CatValues) -> Any:
    """The records a value of ``cat`` may match: the registry, within its Record type / organism."""
    qs = cat.model.filter()
    if cat.type_record is not None:
        qs = qs.filter(type=cat.type_record)
    if cat.organism is not None:  # a schema pinned to an organism: only that organism's saved records
        qs = qs.filter(organism__name=cat.organism)
    return qs


def _match_synonyms(cat: CatValues, missing: list[str]) -> None:
    """Map values that are synonyms of saved records to those records (one query)."""
    from django.db.models import Q

    if "synonyms" not in {f.name for f in cat.model._meta.concrete_fields} or not missing:
        return
    probes = missing[:_MAX_SYNONYM_PROBES]
    query = Q()
    for value in probes:
        query |= Q(synonyms__icontains=value)
    wanted = {v.lower(): v for v in probes}
    for record in registry_queryset(cat).filter(query):
        for synonym in (record.synonyms or "").split("|"):
            original = wanted.get(synonym.strip().lower())
            if original is not None and original not in cat.records:
                cat.records[original] = record
                cat.synonyms[original] = str(getattr(record, cat.field))


def match_values(cat: CatValues) -> CatValues:
    """Fill ``records``, ``from_source``, ``synonyms``, ``non_validated`` and ``suggestions`` of ``cat``."""
    values = [str(v) for v in cat.values]
    cat.values = values
    if not values:
        return cat
    for start in range(0, len(values), _CHUNK):
        chunk = values[start:start + _CHUNK]
        for record in registry_queryset(cat).filter(**{f"{cat.field}__in": chunk}):
            cat.records.setdefault(str(getattr(record, cat.field)), record)
    missing = [v for v in values if v not in cat.records]
    _match_synonyms(cat, missing)
    missing = [v for v in missing if v not in cat.records]
    if missing:
        found, synonyms = find_in_source(cat.model, missing, cat.field, cat.organism)
        cat.from_source.update(found)
        cat.synonyms.update(synonyms)
    cat.non_validated = [v for v in missing if v not in cat.from_source]
    if cat.non_validated:
        cat.suggestions = suggest(cat, cat.non_validated)
    return cat


def suggest(cat: CatValues, values: list[str], n: int = 3) -> dict[str, list[str]]:
    """Close valid values for each non-validated value (difflib against the registry's values)."""
    candidates = [
        str(v) for v in registry_queryset(cat).values_list(cat.field, flat=True)[:_MAX_SUGGESTION_CANDIDATES] if v
    ]
    out: dict[str, list[str]] = {}
    lowered = {c.lower(): c for c in candidates}
    keys = list(lowered)
    for value in values[: 50 if len(keys) < 20_000 else 5]:
        close = difflib.get_close_matches(value.lower(), keys, n=n, cutoff=0.6)
        if close:
            out[value] = [lowered[c] for c in close]
    missing = [v for v in values[:10] if v not in out]
    if missing:
        out.update(suggest_from_source(cat.model, missing, cat.field, cat.organism, n=n))
    return out


def register_call(cat: CatValues, values: list[str]) -> str:
    """The Python call that registers ``values`` in the column's registry."""
    model = cat.model
    prefix = "bt" if model._meta.app_label == "bio" else "ln"
    shown = values[:10]
    extra = ""
    if cat.type_record is not None:
        extra = f", type={prefix}.{model.__name__}.get(name={cat.type_record.name!r}, is_type=True)"
    return f"ln.save([{prefix}.{model.__name__}({cat.field}=value{extra}) for value in {shown!r}])"
