"""Registry-level bio API: ``from_source``, ``from_values``, ``validate``/``inspect``/``standardize``,
``import_source`` and saving ontology parents in bulk. ``models.BioRecord`` delegates here.

>>> bt.CellType.from_source(name="effector T cell").save()  # doctest: +SKIP
>>> bt.CellType.standardize(["T-cell"], public=True)        # doctest: +SKIP
['T cell']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from .. import errors
from ..core.vocabulary import InspectResult, Vocabulary, as_list
from ..core.vocabulary import inspect as _inspect
from ._public import PublicOntology, _shared_kwargs, name_field, public, resolve_from_source, row_kwargs

if TYPE_CHECKING:
    import numpy as np

    from .models import BioRecord

# set while this module inserts ancestors itself (it links them afterwards): the bulk-save hook stays out
_LINKING: ContextVar[bool] = ContextVar("bio_linking_parents", default=False)


@contextmanager
def _linking() -> Iterator[None]:
    token = _LINKING.set(True)
    try:
        yield
    finally:
        _LINKING.reset(token)


def _field_name(registry: type[BioRecord], field: Any) -> str:
    if field is None:
        return name_field(registry)
    if hasattr(field, "field"):
        return field.field.name
    return str(field)


def from_source(registry: type[BioRecord], organism: Any = None, source: Any = None, **kwargs: Any) -> Any:
    """One record for the term given by a single field (``name=``, ``ontology_id=``, ``symbol=`` ...).

    Returns the saved record if one with the same id exists, else a new unsaved record.
    """
    if len(kwargs) != 1:
        raise errors.InvalidArgument(
            f"{registry.__name__}.from_source() takes exactly one field, e.g. name=... or ontology_id=...; got {sorted(kwargs)}"
        )
    (field, value), = kwargs.items()
    onto = public(registry, organism=organism, source=source)
    found = resolve_from_source(registry, [value], field, organism=organism, source=source)
    if value not in found:
        close = onto.search(str(value), field=onto._column(field if field != registry._id_field else None), limit=3)
        hint = f"; did you mean: {', '.join(map(repr, close[onto._column(None)].tolist()))}?" if len(close) else ""
        raise errors.DoesNotExist(
            f"no {registry.__name__} with {field}={value!r} in {onto.source} {onto.version} ({onto.organism}){hint}"
        )
    kw = found[value]
    ident = kw.get(registry._id_field)
    existing = registry.filter(**{registry._id_field: ident}).first() if ident else None
    return existing if existing is not None else registry(**kw)


def from_values(registry: type[BioRecord], values: Iterable[Any], field: Any = None, organism: Any = None,
                source: Any = None) -> list[Any]:
    """Records for ``values``: saved ones where they exist, new unsaved ones from the public source.

    >>> records = bt.Gene.from_values(["CD8A", "CD4"], bt.Gene.symbol)  # doctest: +SKIP
    >>> ln.save(records)                                                  # doctest: +SKIP
    """
    field = _field_name(registry, field)
    items = [v for v in dict.fromkeys(as_list(values)) if v is not None]
    saved = {getattr(r, field): r for r in registry.filter(**{f"{field}__in": items})}
    rest = [v for v in items if v not in saved]
    out = list(saved.values())
    if rest and _has_source(registry, organism, source):
        resolved = resolve_from_source(registry, rest, field, organism=organism, source=source)
        ids = {kw[registry._id_field] for kw in resolved.values()}
        by_id = {getattr(r, registry._id_field): r for r in registry.filter(**{f"{registry._id_field}__in": ids})}
        new: dict[str, Any] = {}
        for kw in resolved.values():
            key = kw[registry._id_field]
            if key in by_id:
                out.append(by_id.pop(key))
            elif key not in new:
                new[key] = registry(**kw)
        out.extend(new.values())
    return list({id(r): r for r in out}.values())


def _has_source(registry: type[BioRecord], organism: Any, source: Any) -> bool:
    try:
        from ._public import choose_spec

        choose_spec(registry, organism, source)
    except errors.InvalidArgument:
        return False
    return True


def _saved_vocabulary(registry: type[BioRecord], field: str) -> Vocabulary:
    rows = list(registry.filter().values_list(field, "synonyms"))
    return Vocabulary([r[0] for r in rows], [r[1] for r in rows] if field == name_field(registry) else None)


def validate(registry: type[BioRecord], values: Iterable[Any], field: Any = None, organism: Any = None,
             public_source: bool = False) -> np.ndarray:
    """Is each value saved in the registry (``public=True``: in its public source)?"""
    field = _field_name(registry, field)
    items = as_list(values)
    if public_source:
        return public(registry, organism=organism).validate(items, field)
    import numpy as np

    found = set(registry.filter(**{f"{field}__in": list(set(items))}).values_list(field, flat=True))
    return np.array([v in found for v in items], dtype=bool)


def inspect(registry: type[BioRecord], values: Iterable[Any], field: Any = None, organism: Any = None,
            public_source: bool = False, show: bool = True) -> InspectResult:
    """Validated values, non-validated ones and synonyms that would fix them."""
    field = _field_name(registry, field)
    if public_source:
        return public(registry, organism=organism).inspect(values, field, show=show)
    return _inspect(_saved_vocabulary(registry, field), values, show=show)


def standardize(registry: type[BioRecord], values: Iterable[Any], field: Any = None, organism: Any = None,
                public_source: bool = False, mapper: bool = False) -> list | dict:
    """Synonyms and case variants -> canonical values, from saved records (then the source if ``public``)."""
    field = _field_name(registry, field)
    items = as_list(values)
    out = _saved_vocabulary(registry, field).standardize(items)
    if public_source:
        onto = public(registry, organism=organism)
        out = onto.standardize(out, field)
    if mapper:
        return {a: b for a, b in zip(items, out) if a != b}
    return out


def import_source(registry: type[BioRecord], source: Any = None, organism: Any = None,
                  ontology_ids: Iterable[str] | None = None) -> list[Any]:
    """Save every term of the source (or only ``ontology_ids`` and their ancestors), parents linked in bulk.

    >>> bt.Ethnicity.import_source()  # doctest: +SKIP
    """
    onto = public(registry, organism=organism, source=source)
    table = onto._table
    id_field = registry._id_field
    ids = list(table[id_field]) if ontology_ids is None else list(ontology_ids)
    if "parents" in table.columns and ontology_ids is not None:
        ids = list(onto.ancestors(ids))
    records = _ensure_records(registry, onto, ids)
    if "parents" in table.columns:
        link_parents(registry, onto, records)
    return list(records.values())


def _ensure_records(registry: type[BioRecord], onto: PublicOntology, ids: list[str]) -> dict[str, Any]:
    """``{id: saved record}``: existing ones fetched, missing ones created from the table in one bulk insert."""
    from ..models._bulk import save

    id_field = registry._id_field
    existing: dict[str, Any] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        existing.update({getattr(r, id_field): r for r in registry.filter(**{f"{id_field}__in": chunk})})
    missing = [i for i in ids if i not in existing]
    if missing:
        rows = onto._row_index(id_field)
        shared = _shared_kwargs(registry, onto.spec)
        table_rows = onto._table.iloc[[rows[i] for i in missing if i in rows]].to_dict("records")
        new = [registry(**row_kwargs(registry, row, shared)) for row in table_rows]
        with _linking():
            save(new)
        existing.update({getattr(r, id_field): r for r in new})
    return existing


def link_parents(registry: type[BioRecord], onto: PublicOntology, records: dict[str, Any]) -> int:
    """Link each record to its direct parents among ``records`` (one bulk insert, duplicates ignored)."""
    through = registry.parents.through
    child_col = f"{registry.parents.field.m2m_field_name()}_id"
    parent_col = f"{registry.parents.field.m2m_reverse_field_name()}_id"
    closure = onto.ancestors(records)
    links = []
    for oid, parents in closure.items():
        child = records.get(oid)
        for p in parents:
            parent = records.get(p)
            if child is not None and parent is not None:
                links.append(through(**{child_col: child.pk, parent_col: parent.pk}))
    through._default_manager.bulk_create(links, ignore_conflicts=True, batch_size=2000)
    return len(links)


def save_parents(record: Any) -> None:
    """After saving an ontology record: create its ancestors from its source and link them (bulk)."""
    if not record.ontology_id or record.source_id is None:
        return
    from ._public import PublicOntology
    from ._sources import spec_from_record

    try:
        onto = PublicOntology(type(record), spec_from_record(record.source))
    except errors.InvalidArgument:
        return
    if "parents" not in onto._table.columns:
        return
    closure = onto.ancestors([record.ontology_id])
    if len(closure) <= 1 and not closure.get(record.ontology_id):
        return
    others = [oid for oid in closure if oid != record.ontology_id]
    records = _ensure_records(type(record), onto, others)
    records[record.ontology_id] = record
    link_parents(type(record), onto, records)


def link_bulk_parents(registry: type[BioRecord], records: list[Any]) -> None:
    """After ``ln.save`` inserted ``records`` in bulk: create their missing ancestors and link direct parents.

    The same rule as ``record.save()`` (parents=True): every ancestor in the record's source is saved (one
    lookup per 5,000 ids, one multi-row insert per 2,000), then all parent links go in with one bulk insert
    per 2,000 links. Records without a source (custom terms) and sources without parents (genes, proteins,
    organisms) are left alone.

    >>> ln.save(bt.CellType.from_values(["T cell", "B cell"]))  # doctest: +SKIP
    """
    if _LINKING.get() or not records or "parents" not in {f.name for f in registry._meta.many_to_many}:
        return
    from ._sources import spec_from_record

    groups: dict[int, list[Any]] = {}
    sources: dict[int, Any] = {}
    for r in records:
        if r.source_id is None or not getattr(r, registry._id_field, None):
            continue
        groups.setdefault(r.source_id, []).append(r)
        if r.source_id not in sources:
            sources[r.source_id] = r.source
    for source_id, group in groups.items():
        try:
            onto = PublicOntology(registry, spec_from_record(sources[source_id]))
        except errors.InvalidArgument:
            continue
        if "parents" not in onto._table.columns:
            continue
        id_field = registry._id_field
        batch = {getattr(r, id_field): r for r in group}
        others = [oid for oid in onto.ancestors(list(batch)) if oid not in batch]
        found = _ensure_records(registry, onto, others) if others else {}
        link_parents(registry, onto, {**found, **batch})
