"""Public ontologies (``bt.CellType.public()``) and creating records from them in bulk.

Contract used by curators (validation):

- :func:`resolve_from_source` ``(registry, values, field, organism=None) -> {value: record kwargs}``
- :func:`bulk_create_from_source` ``(registry, values, field, organism=None) -> [saved records]``
  (existing records reused, new ones written in one bulk insert)
- :func:`standardize_from_source` ``(registry, values, field="name", organism=None) -> [canonical values]``

>>> ct = bt.CellType.public()                         # doctest: +SKIP
>>> ct.search("gamma-delta T cell").head(2)          # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal, overload

from .. import errors
from ..core.vocabulary import InspectResult, Vocabulary, as_list, inspect
from ._rank import RankIndex
from ._sources import ORGANISM_AWARE, SourceSpec, all_versions, default_sources, missing_source_error, spec_from_record
from ._tables import load_table

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from .models import BioRecord

_INDEXES: dict[tuple, Any] = {}


def name_field(registry: type[BioRecord]) -> str:
    """The human-readable field of a registry (``symbol`` for genes, else ``name``), declared on its class."""
    from ..models._dtypes import default_field

    return default_field(registry)


def _organism_name(organism: Any) -> str | None:
    if organism is None or isinstance(organism, str):
        return organism
    return organism.name


def _registered_source(entity: str, organism: str | None) -> Any:
    """A user-registered ``bt.Source`` (with a url) marked ``currently_used`` for this registry."""
    from .models import Source

    qs = Source.filter(entity=f"bio.{entity}", currently_used=True, url__isnull=False)
    qs = qs.exclude(url__startswith="builtin:").order_by("-id")
    for record in qs:
        if organism is None or record.organism in {organism, "all"}:
            try:
                spec_from_record(record)
            except errors.InvalidArgument:
                continue
            return record
    return None


def choose_spec(registry: type[BioRecord], organism: Any = None, source: Any = None) -> SourceSpec:
    """The source a registry reads for ``organism``/``source`` (see ``Registry.public``)."""
    entity = registry.__name__
    organism = _organism_name(organism)
    if source is not None and not isinstance(source, str):
        return spec_from_record(source)
    if entity in ORGANISM_AWARE and organism is None:
        from ._settings import settings

        organism = settings.organism
    if isinstance(source, str):
        specs = [s for s in all_versions(entity) if s.name == source and (organism is None or s.organism in {organism, "all"})]
        if not specs:
            raise errors.InvalidArgument(
                f"{entity} has no source {source!r} here; available: {sorted({s.name for s in all_versions(entity)})}"
            )
        return max(specs, key=lambda s: s.version)
    record = _registered_source(entity, organism)
    if record is not None:
        return spec_from_record(record)
    specs = default_sources(entity)
    if organism is not None:
        specs = [s for s in specs if s.organism == organism] or [s for s in specs if s.organism == "all"]
    if not specs:
        raise missing_source_error(entity, organism)
    return specs[0]


class Lookup:
    """Tab-completable attributes (``lookup.gamma_delta_t_cell``) and ``lookup["gamma-delta T cell"]``."""

    def __init__(self, rows: dict[str, Any]) -> None:
        self._rows = rows
        self._attrs: dict[str, Any] = {}
        for key, row in rows.items():
            attr = "".join(c if c.isalnum() else "_" for c in str(key).lower()).strip("_")
            if attr and attr[0].isdigit():
                attr = f"_{attr}"
            self._attrs.setdefault(attr, row)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_attrs"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, key: str) -> Any:
        return self._rows[key]

    def __dir__(self) -> list[str]:
        return sorted(self._attrs)

    def dict(self) -> dict[str, Any]:
        return dict(self._rows)


class PublicOntology:
    """A public source of one registry, read offline: search, lookup, validate, inspect, standardize.

    >>> bt.Disease.public().search("type 2 diabetes").head(3)  # doctest: +SKIP
    """

    def __init__(self, registry: type[BioRecord], spec: SourceSpec) -> None:
        self.registry, self.spec = registry, spec
        self.entity, self.organism, self.source, self.version = spec.entity, spec.organism, spec.name, spec.version
        self._table = load_table(spec)

    def __repr__(self) -> str:
        return (f"PublicOntology\nEntity: {self.entity}\nOrganism: {self.organism}\nSource: {self.source}, "
                f"{self.version}\n#terms: {len(self._table)}\n\n📖 .to_dataframe(): ontology reference table\n"
                f"🔎 .lookup(): autocompletion of terms\n🎯 .search(): free text search of terms\n"
                f"✅ .validate(): strictly validate values\n🧐 .inspect(): full inspection of values\n"
                f"👽 .standardize(): convert to standardized names")

    # -- tables and indexes ------------------------------------------------------------------
    def to_dataframe(self) -> pd.DataFrame:
        """The whole source table (a copy)."""
        return self._table.copy()

    df = to_dataframe

    def _key(self) -> tuple:
        return (self.spec.path, self.spec.version, self.spec.organism)

    def _cached(self, what: str, build: Any) -> Any:
        key = (*self._key(), what)
        if key not in _INDEXES:
            _INDEXES[key] = build()
        return _INDEXES[key]

    def _column(self, field: str | None) -> str:
        field = field or name_field(self.registry)
        if hasattr(field, "field"):  # a Django field descriptor such as bt.CellType.ontology_id
            field = field.field.name
        if field not in self._table.columns:
            raise errors.InvalidArgument(f"{self.entity} source has no field {field!r}; fields: {list(self._table.columns)}")
        return field

    def vocabulary(self, field: str | None = None) -> Vocabulary:
        field = self._column(field)
        syn = self._table["synonyms"] if field == "name" and "synonyms" in self._table.columns else None
        return self._cached(f"vocab:{field}", lambda: Vocabulary(self._table[field].tolist(), None if syn is None else syn.tolist()))

    def _rank(self, field: str) -> RankIndex:
        syn = self._table["synonyms"].tolist() if field == "name" and "synonyms" in self._table.columns else None
        return self._cached(f"rank:{field}", lambda: RankIndex(self._table[field].tolist(), syn))

    def _row_index(self, field: str) -> dict[Any, int]:
        return self._cached(f"rows:{field}", lambda: {v: i for i, v in reversed(list(enumerate(self._table[field])))})

    # -- user-facing -------------------------------------------------------------------------
    def search(self, string: str, field: str | None = None, limit: int | None = 20) -> pd.DataFrame:
        """Ranked matches (exact name, synonym, prefix, words, substring, fuzzy) with a ``score`` column."""
        field = self._column(field)
        hits = self._rank(field).search(string, limit=limit)
        df = self._table.iloc[[i for i, _ in hits]].copy()
        df["score"] = [s for _, s in hits]
        return df.reset_index(drop=True)

    def lookup(self, field: str | None = None) -> Lookup:
        """``lookup.<term>`` -> the term's row (tab completion on names)."""
        field = self._column(field)
        return Lookup({v: row for v, row in zip(self._table[field], self._table.itertuples(index=False)) if v})

    def validate(self, values: Iterable[Any], field: str | None = None) -> np.ndarray:
        """A boolean array: is each value in ``field`` (default: name; ``symbol`` for genes)?"""
        return self.vocabulary(field).validate(as_list(values))

    def inspect(self, values: Iterable[Any], field: str | None = None, show: bool = True) -> InspectResult:
        """Validated and non-validated values, with synonyms that could fix the latter."""
        return inspect(self.vocabulary(field), values, show=show)

    @overload
    def standardize(self, values: Iterable[Any], field: str | None = None, return_field: str | None = None,
                    mapper: Literal[False] = False) -> list: ...

    @overload
    def standardize(self, values: Iterable[Any], field: str | None = None, return_field: str | None = None, *,
                    mapper: Literal[True]) -> dict: ...

    def standardize(self, values: Iterable[Any], field: str | None = None, return_field: str | None = None,
                    mapper: bool = False) -> list | dict:
        """Synonyms and case variants -> canonical values (``return_field`` to map to ids instead)."""
        field = self._column(field)
        vocab = self.vocabulary(field)
        items = as_list(values)
        out = vocab.standardize(items)
        if return_field:
            rows, col = self._row_index(field), self._table[self._column(return_field)]
            out = [col.iat[rows[v]] if v in rows else v for v in out]
        if mapper:
            return {a: b for a, b in zip(items, out) if a != b}
        return out

    def get(self, term: str) -> dict[str, Any]:
        """The row of a term given by id, name or synonym."""
        row = self._find(term)
        if row is None:
            raise errors.DoesNotExist(f"{term!r} is not in {self.entity} source {self.source} {self.version}")
        return self._table.iloc[row].to_dict()

    def _find(self, term: str) -> int | None:
        for field in [c for c in ("ontology_id", self.registry._id_field, name_field(self.registry)) if c in self._table.columns]:
            hit = self._row_index(field).get(term)
            if hit is not None:
                return hit
        canonical = self.vocabulary().canonical(term)
        return self._row_index(self._column(None)).get(canonical) if canonical is not None else None

    def parents(self, term: str) -> pd.DataFrame:
        """Direct parents of a term."""
        ids = (self.get(term).get("parents") or "").split("|")
        return self._rows_for([i for i in ids if i])

    def children(self, term: str) -> pd.DataFrame:
        """Direct children of a term."""
        oid = self.get(term)["ontology_id"]
        kids = self._cached("children", self._children_map).get(oid, [])
        return self._table.iloc[kids].reset_index(drop=True)

    def ancestors(self, ontology_ids: Iterable[str]) -> dict[str, list[str]]:
        """Every ancestor of ``ontology_ids`` (and the ids themselves) -> its direct parents."""
        rows = self._row_index("ontology_id")
        parents_col = self._table["parents"]
        todo, seen = list(ontology_ids), {}
        while todo:
            oid = todo.pop()
            if oid in seen or oid not in rows:
                continue
            direct = [p for p in (parents_col.iat[rows[oid]] or "").split("|") if p]
            seen[oid] = direct
            todo.extend(direct)
        return seen

    def _children_map(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for i, parents in enumerate(self._table["parents"]):
            for p in (parents or "").split("|"):
                if p:
                    out.setdefault(p, []).append(i)
        return out

    def _rows_for(self, ids: list[str]) -> pd.DataFrame:
        rows = self._row_index("ontology_id")
        return self._table.iloc[[rows[i] for i in ids if i in rows]].reset_index(drop=True)


def public(registry: type[BioRecord], organism: Any = None, source: Any = None) -> PublicOntology:
    return PublicOntology(registry, choose_spec(registry, organism, source))


# -- records from the source (contract for curators) ------------------------------------------------
def source_record(spec: SourceSpec) -> Any:
    """The saved ``bt.Source`` record of a spec (created on first use)."""
    from .models import Source

    found = Source.filter(entity=f"bio.{spec.entity}", organism=spec.organism, name=spec.name, version=spec.version).first()
    if found is None:
        url = spec.url or f"builtin:{spec.name}"
        found = Source(entity=f"bio.{spec.entity}", organism=spec.organism, name=spec.name, version=spec.version,
                       url=url, description=spec.description, currently_used=True).save()
    return found


def organism_record(name: str) -> Any:
    """The saved ``bt.Organism`` called ``name`` (created from NCBITaxon on first use)."""
    from .models import Organism

    found = Organism.filter(name=name).first()
    if found is None:
        found = Organism.from_source(name=name).save()
    return found


def _shared_kwargs(registry: type[BioRecord], spec: SourceSpec) -> dict[str, Any]:
    """The foreign keys every record from ``spec`` gets: its source and, for genes etc., its organism."""
    shared = {"source": source_record(spec)}
    if "organism" in {f.name for f in registry._meta.concrete_fields} and spec.organism != "all":
        shared["organism"] = organism_record(spec.organism)
    return shared


def row_kwargs(registry: type[BioRecord], row: dict[str, Any], shared: dict[str, Any]) -> dict[str, Any]:
    fields = {f.name for f in registry._meta.concrete_fields}
    kwargs = {k: v for k, v in row.items() if k in fields and v is not None and k not in {"source", "organism"}}
    return {**kwargs, **shared}


def resolve_from_source(registry: type[BioRecord], values: Iterable[Any], field: str | None = None, organism: Any = None,
                        source: Any = None) -> dict[Any, dict[str, Any]]:
    """``{value: kwargs}`` for each value found in the public source by ``field``, name or synonym.

    >>> resolve_from_source(bt.CellType, ["T-cell", "CL:0000236"], "ontology_id")  # doctest: +SKIP
    """
    onto = public(registry, organism=organism, source=source)
    field = onto._column(field)
    by_field = onto._row_index(field)
    by_name = onto._row_index(onto._column(None))
    vocab = onto.vocabulary()
    rows: dict[Any, int] = {}
    for value in dict.fromkeys(as_list(values)):
        row = by_field.get(value)
        if row is None:
            row = by_name.get(value)
        if row is None and isinstance(value, str):
            canonical = vocab.canonical(value)
            row = by_name.get(canonical) if canonical is not None else None
        if row is not None:
            rows[value] = row
    if not rows:
        return {}
    unique = list(dict.fromkeys(rows.values()))
    shared = _shared_kwargs(registry, onto.spec)
    records = onto._table.iloc[unique].to_dict("records")
    by_row = {r: row_kwargs(registry, rec, shared) for r, rec in zip(unique, records)}
    found = {value: by_row[row] for value, row in rows.items()}
    return found


def bulk_create_from_source(registry: type[BioRecord], values: Iterable[Any], field: str | None = None, organism: Any = None,
                            source: Any = None) -> list[Any]:
    """Saved records for the values found in the source: existing ones reused, new ones in one bulk insert.

    >>> genes = bulk_create_from_source(bt.Gene, ensembl_ids, "ensembl_gene_id")  # doctest: +SKIP
    """
    from ..models._bulk import save

    resolved = resolve_from_source(registry, values, field, organism=organism, source=source)
    id_field = registry._id_field
    ids = list(dict.fromkeys(kw[id_field] for kw in resolved.values() if kw.get(id_field)))
    existing = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        existing.update({getattr(r, id_field): r for r in registry.filter(**{f"{id_field}__in": chunk})})
    new = {i: registry(**kw) for kw in resolved.values() if (i := kw[id_field]) not in existing}
    save(list(new.values()))
    records = {**existing, **new}
    return list({id(r): r for r in (records[kw[id_field]] for kw in resolved.values())}.values())


def standardize_from_source(registry: type[BioRecord], values: Iterable[Any], field: str | None = None, organism: Any = None) -> list:
    """Synonyms/case variants -> canonical values of ``field`` in the public source."""
    return public(registry, organism=organism).standardize(values, field=field)
