"""First load of public ontologies (``bt.<Registry>.public()``) with a cold parquet cache, and search speed.

Each measurement runs in a fresh process with ``LINEAGEDB_BIO_CACHE`` pointing at an empty folder, so it
times what a user's first ``public()`` call costs: decompress and parse the cellxgene-ontology-guide
JSON, build the table, write the parquet cache; then the first ``search()`` (which builds the search
index) and the median of later searches. A second load (from the parquet cache) is timed too.

    .venv/bin/python benchmarks/bench_bio_load.py                      # CL, UBERON, MONDO, EFO, Cellosaurus
    .venv/bin/python benchmarks/bench_bio_load.py Disease --repeat 5
    .venv/bin/python benchmarks/bench_bio_load.py --tables /tmp/old_tables.py   # time another _tables.py
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

_CHILD = r"""
import importlib.util, json, os, sys, time
import pandas, pyarrow.parquet, zstandard  # library imports are not part of the load
from lineagedb.bio import _public
from lineagedb.bio._sources import default_sources
entity, tables_path = sys.argv[1], sys.argv[2]
if tables_path:
    spec = importlib.util.spec_from_file_location("lineagedb.bio._tables_alt", tables_path)
    mod = importlib.util.module_from_spec(spec); mod.__package__ = "lineagedb.bio"; spec.loader.exec_module(mod)
    _public.load_table = mod.load_table
source = default_sources(entity)[0]
registry = type(entity, (), {})
t = time.perf_counter(); ont = _public.PublicOntology(registry, source); load = time.perf_counter() - t
t = time.perf_counter(); ont.search("cancer"); first = time.perf_counter() - t
later = []
for q in ("lung carcinoma", "heart", "T cell", "HeLa", "neuron", "diabetes mellitus"):
    t = time.perf_counter(); ont.search(q); later.append(time.perf_counter() - t)
(mod if tables_path else __import__("lineagedb.bio._tables", fromlist=["_MEMO"]))._MEMO.clear()
t = time.perf_counter(); _public.PublicOntology(registry, source); second = time.perf_counter() - t
print(json.dumps({"rows": len(ont.to_dataframe()), "load": load, "first_search": first,
                  "search": sorted(later)[len(later) // 2], "cached_load": second}))
"""


def measure(entity: str, tables: str) -> dict:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "LINEAGEDB_BIO_CACHE": cache}
        proc = subprocess.run([sys.executable, "-c", _CHILD, entity, tables], env=env, capture_output=True, text=True)
    lines = proc.stdout.strip().splitlines()
    if not lines:  # the measurement is printed before interpreter shutdown; a crash after it does not matter
        raise RuntimeError(f"{entity}: measurement failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("entities", nargs="*", default=["CellType", "Tissue", "Disease", "ExperimentalFactor", "CellLine"])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per entity (the median is shown)")
    parser.add_argument("--tables", default="", help="another _tables.py to time, alternating with the installed one")
    args = parser.parse_args()
    variants = [("installed", "")] + ([("other", args.tables)] if args.tables else [])
    print(f"{'registry':20s} {'variant':9s} {'terms':>7s} {'first load':>10s} {'1st search':>10s} "
          f"{'search':>8s} {'cached load':>11s}")
    for entity in args.entities:
        runs: dict[str, list[dict]] = {name: [] for name, _ in variants}
        for _ in range(args.repeat):
            for name, path in variants:  # alternate, so background load hits both alike
                runs[name].append(measure(entity, path))
        for name, results in runs.items():
            med = {k: statistics.median(r[k] for r in results) for k in results[0]}
            print(f"{entity:20s} {name:9s} {int(med['rows']):7d} {med['load']:9.3f}s {med['first_search'] * 1e3:8.1f}ms "
                  f"{med['search'] * 1e3:6.1f}ms {med['cached_load'] * 1e3:9.1f}ms", flush=True)


if __name__ == "__main__":
    main()
