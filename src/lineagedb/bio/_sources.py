"""Which public source backs each bio registry, and where its file lies on this machine.

Ontologies come from the installed ``cellxgene-ontology-guide`` package (zstd JSON files); genes,
proteins, organisms and HP phenotypes from compact parquet files shipped in ``lineagedb/bio/data/``
(built by ``scripts/build_bio_data.py``). A ``bt.Source`` record with a ``url`` (OBO, OWL, parquet,
CSV) and ``currently_used=True`` replaces the default for its registry.

>>> from lineagedb.bio._sources import default_sources
>>> [s.name for s in default_sources("CellType")]  # doctest: +SKIP
['cl']
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import errors

DATA_DIR = Path(__file__).parent / "data"

# registry -> [(cxg prefix or shipped file stem, source name, organism)], most preferred first
_DEFAULTS: dict[str, list[tuple[str, str, str]]] = {
    "CellType": [("CL", "cl", "all")],
    "Tissue": [("UBERON", "uberon", "all")],
    "ExperimentalFactor": [("EFO", "efo", "all")],
    "Disease": [("MONDO", "mondo", "all")],
    "Phenotype": [("phenotypes_hp", "hp", "human"), ("PATO", "pato", "all")],
    "DevelopmentalStage": [("HsapDv", "hsapdv", "human"), ("MmusDv", "mmusdv", "mouse")],
    "Ethnicity": [("HANCESTRO", "hancestro", "human")],
    "CellLine": [("CVCL", "cellosaurus", "all")],
    "Organism": [("organisms_ncbitaxon", "ncbitaxon", "all")],
    "Gene": [("genes_human", "ensembl", "human"), ("genes_mouse", "ensembl", "mouse")],
    "Protein": [("proteins_human", "uniprot", "human"), ("proteins_mouse", "uniprot", "mouse")],
    "CellMarker": [],
    "Pathway": [],
}
ORGANISM_AWARE = {"Gene", "Protein", "CellMarker"}


@dataclass(frozen=True)
class SourceSpec:
    """One loadable source: ``kind`` is ``cxg`` (zstd JSON), ``parquet``, ``obo``, ``owl`` or ``csv``."""

    entity: str
    name: str
    organism: str
    version: str
    path: str
    kind: str
    url: str | None = None
    description: str | None = None


def version_key(version: str) -> tuple[int, ...]:
    """Sort key for versions such as ``v2026-03-26``, ``v3.90.0`` or ``55.0``."""
    return tuple(int(n) for n in re.findall(r"\d+", version))


@functools.cache
def ontology_guide_dir() -> Path | None:
    """The ``data/`` folder of the installed ``cellxgene-ontology-guide`` package (None if absent)."""
    spec = importlib.util.find_spec("cellxgene_ontology_guide")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "data"


@functools.cache
def _cxg_files() -> dict[str, list[tuple[str, Path]]]:
    """Ontology prefix -> [(version, file)], newest last."""
    folder = ontology_guide_dir()
    found: dict[str, list[tuple[str, Path]]] = {}
    if folder is None or not folder.exists():
        return found
    for path in folder.glob("*-ontology-*.json.zst"):
        prefix, _, version = path.name[: -len(".json.zst")].partition("-ontology-")
        found.setdefault(prefix, []).append((version, path))
    for items in found.values():
        items.sort(key=lambda item: version_key(item[0]))
    return found


@functools.cache
def shipped_manifest() -> dict[str, Any]:
    """What ``scripts/build_bio_data.py`` wrote: per shipped file, its source name, version and licence."""
    path = DATA_DIR / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _spec(entity: str, stem: str, name: str, organism: str, version: str | None = None) -> SourceSpec | None:
    shipped = shipped_manifest().get(stem)
    if shipped is not None:
        return SourceSpec(entity, name, organism, shipped["version"], str(DATA_DIR / f"{stem}.parquet"), "parquet",
                          shipped.get("url"), shipped.get("description"))
    files = _cxg_files().get(stem, [])
    if version is not None:
        files = [f for f in files if f[0].lstrip("v") == version.lstrip("v")]
    if not files:
        return None
    ver, path = files[-1]
    return SourceSpec(entity, name, organism, ver.lstrip("v"), str(path), "cxg", None, f"{stem} from cellxgene-ontology-guide")


def default_sources(entity: str) -> list[SourceSpec]:
    """The built-in sources of a registry, most preferred first (only those present on this machine)."""
    specs = [_spec(entity, stem, name, organism) for stem, name, organism in _DEFAULTS.get(entity, [])]
    return [s for s in specs if s is not None]


def all_versions(entity: str) -> list[SourceSpec]:
    """Every version of every built-in source of a registry that is present on this machine."""
    out = []
    for stem, name, organism in _DEFAULTS.get(entity, []):
        if stem in shipped_manifest():
            out.append(_spec(entity, stem, name, organism))
        for version, _ in _cxg_files().get(stem, []):
            out.append(_spec(entity, stem, name, organism, version))
    return [s for s in out if s is not None]


def spec_from_record(source: Any) -> SourceSpec:
    """A ``bt.Source`` record -> where to load it from (its ``url``, or the built-in file of its name/version)."""
    entity = source.entity.split(".")[-1]
    if source.url and not source.url.startswith(("https://github.com/obophenotype", "builtin:")):
        url = source.url
        kind = _kind_of(url)
        return SourceSpec(entity, source.name, source.organism, source.version, url, kind, url, source.description)
    for spec in all_versions(entity):
        if spec.name == source.name and spec.version == source.version.lstrip("v"):
            return spec
    raise errors.InvalidArgument(
        f"source {source.name!r} version {source.version!r} of {entity} is not available offline; give the "
        f"Source a url= pointing to an OBO/OWL/parquet/CSV file, or use one of: "
        f"{[(s.name, s.version) for s in all_versions(entity)]}"
    )


def _kind_of(url: str) -> str:
    lowered = url.lower().split("?")[0]
    for suffix, kind in ((".obo", "obo"), (".owl", "owl"), (".parquet", "parquet"), (".csv", "csv"),
                         (".tsv", "csv"), (".json.zst", "cxg")):
        if lowered.endswith(suffix):
            return kind
    raise errors.InvalidArgument(f"cannot read a source from {url!r}: use an .obo, .owl, .parquet, .csv or .tsv file")


def missing_source_error(entity: str, organism: str | None) -> errors.InvalidArgument:
    if not _DEFAULTS.get(entity):
        return errors.InvalidArgument(
            f"{entity} has no built-in public source: curate records yourself (bt.{entity}(name=...).save()) or "
            f"register one: bt.Source(entity='bio.{entity}', name='mine', version='1', url='terms.obo', "
            f"currently_used=True).save()"
        )
    if organism is not None:
        available = sorted({s.organism for s in default_sources(entity)})
        return errors.InvalidArgument(
            f"no public {entity} source for organism {organism!r}; available organisms: {available}"
        )
    return errors.InvalidArgument(
        f"the public {entity} source is not installed; run `pip install cellxgene-ontology-guide`"
    )
