"""Metadata at scale: how the everyday queries grow with the size of an instance, on SQLite and PostgreSQL.

For each size ``n`` (artifacts) a fresh instance gets ``n`` artifacts annotated with 10 features each
(``10 n`` feature values) and ``10 n`` records; then, warm, it times: ``Artifact.get(key=)`` (median of
200), a filter by a feature value, ``to_dataframe(features=True)`` of up to 10,000 artifacts, a record
search, ``describe()`` of an annotated artifact, and ``count()``. The table shows each at every size and
its growth from the smallest to the largest size (1.0x: flat).

    .venv/bin/python benchmarks/bench_scale.py                         # 1,000 and 10,000 artifacts, SQLite
    .venv/bin/python benchmarks/bench_scale.py --sizes 10000,100000 --db sqlite,postgresql
    .venv/bin/python benchmarks/bench_scale.py --json out.json

Building an instance is the slow part (artifacts and feature values are saved through the public API,
one artifact at a time: about 5 ms per artifact with its 10 values); the issue's 100k artifacts and 1M
records take tens of minutes. PostgreSQL needs a server on 127.0.0.1:5432 with trust authentication; each
run makes and drops its own database.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
N_FEATURES = 10


def _timed(fn, repeats: int) -> float:
    fn()  # warm
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def child(n: int, db: str | None, workdir: str) -> dict:
    """Build one instance of size ``n`` and time the queries (runs in its own process)."""
    sys.path.insert(0, str(HERE))
    from _harness import fresh_lineagedb, make_small_files, quiet

    ln = fresh_lineagedb(workdir, "scale", db=db)
    build = time.perf_counter()
    for j in range(N_FEATURES):
        ln.Feature(name=f"f{j}", dtype=int if j % 2 == 0 else str).save()
    ln.save([ln.Record(name=f"record {i:07d} of the scale benchmark") for i in range(10 * n)])
    files = make_small_files(Path(workdir) / "files", n, size=64)
    artifacts = []
    for i, path in enumerate(files):
        artifact = ln.Artifact(str(path), key=f"scale/{path.name}").save()
        artifact.features.add_values({f"f{j}": (i % 100 if j % 2 == 0 else f"v{i % 50}") for j in range(N_FEATURES)})
        artifacts.append(artifact)
    out: dict = {"n_artifacts": n, "n_records": 10 * n, "n_feature_values": N_FEATURES * n,
                 "build_s": time.perf_counter() - build}
    keys = [a.key for a in artifacts][:: max(1, n // 200)]
    out["get_key_ms"] = 1e3 * statistics.median([_timed(lambda k=k: ln.Artifact.get(key=k), 1) for k in keys])
    out["filter_feature_ms"] = 1e3 * _timed(lambda: len(ln.Artifact.filter(f0=7).to_dataframe(limit=None)), 5)
    expected = min(n, 10_000)
    df = ln.Artifact.filter(key__startswith="scale/").order_by("id")[:expected].to_dataframe(features=True, limit=None)
    assert len(df) == expected, f"to_dataframe(features=True) gave {len(df)} rows, not {expected}"
    out["features_df_10k_ms"] = 1e3 * _timed(
        lambda: ln.Artifact.filter(key__startswith="scale/").order_by("id")[:expected].to_dataframe(features=True,
                                                                                                      limit=None), 3)
    name = f"record {5 * n:07d} of the scale benchmark"
    assert list(ln.Record.search(name))[0].name == name
    out["search_ms"] = 1e3 * _timed(lambda: list(ln.Record.search(name)), 5)
    middle = artifacts[len(artifacts) // 2]

    def describe() -> None:
        with quiet():
            middle.describe()

    out["describe_ms"] = 1e3 * _timed(describe, 5)
    out["count_ms"] = 1e3 * _timed(lambda: ln.Record.filter().count(), 20)
    return out


def _pg_database() -> tuple[str, str]:
    import psycopg

    name = f"lineagedb_scale_{os.getpid()}_{int(time.time())}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, f"postgresql://postgres@127.0.0.1:5432/{name}"


def _pg_drop(name: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_one(n: int, backend: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="scale-") as workdir:
        db, pg = None, None
        if backend == "postgresql":
            try:
                pg, db = _pg_database()
            except Exception as e:  # noqa: BLE001 - no server: say so, go on
                return {"error": f"PostgreSQL not reachable on 127.0.0.1:5432 ({type(e).__name__})"}
        try:
            cmd = [sys.executable, __file__, "--child", str(n), "--child-db", db or "", "--workdir", workdir]
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=24 * 3600)
            if done.returncode != 0:
                return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
            return json.loads(done.stdout.strip().splitlines()[-1])
        finally:
            if pg:
                _pg_drop(pg)


ROWS = [("get_key_ms", "Artifact.get(key=) (median of 200, warm)"), ("filter_feature_ms", "filter by feature value"),
        ("features_df_10k_ms", "to_dataframe(features=True), <= 10k artifacts"), ("search_ms", "Record.search"),
        ("describe_ms", "describe() of an annotated artifact"), ("count_ms", "Record count()")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="artifacts per instance (records: 10x)")
    parser.add_argument("--db", default="sqlite", help="sqlite, postgresql or both (comma-separated)")
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-db", default="", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(child(args.child, args.child_db or None, args.workdir)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    report: dict = {}
    for backend in args.db.split(","):
        report[backend] = {n: run_one(n, backend) for n in sizes}
        results = report[backend]
        print(f"\n[{backend}] milliseconds, warm; growth = largest size / smallest size")
        print(f"  {'':<48}" + "".join(f"{f'{n:,} art.':>14}" for n in sizes) + f"{'growth':>9}")
        failed = {n: r["error"] for n, r in results.items() if "error" in r}
        for n, error in failed.items():
            print(f"  size {n:,}: {error}")
        ok = [n for n in sizes if n not in failed]
        for key, label in ROWS:
            cells = "".join(f"{results[n][key]:>14.2f}" if n in ok else f"{'n/a':>14}" for n in sizes)
            growth = results[ok[-1]][key] / results[ok[0]][key] if len(ok) > 1 else float("nan")
            print(f"  {label:<48}{cells}{growth:>8.1f}x")
        builds = "; ".join(f"{n:,}: {results[n]['build_s']:.0f} s" for n in ok)
        print(f"  (building the instances: {builds})")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
