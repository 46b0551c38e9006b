"""Metadata at scale: how the everyday queries grow with the size of an instance, on SQLite and PostgreSQL.

Size ``n`` is the number of records; the instance also holds ``n / 10`` artifacts with 10 feature values
each and ``9 n`` record feature values (``10 n`` in all; layout in ``_scale_data.py``). At the issue's
size, ``n = 1,000,000``: 1M records, 100k artifacts, 10M feature values.

Each size gets a fresh instance (a fresh PostgreSQL database, dropped afterwards), filled in bulk by one
process; a second, fresh process connects and times the queries warm (median), so the load never
shares a process, a cache or a timing with them. The table shows each query at every size and its
growth from the smallest to the largest size (1.0x: flat).

    .venv/bin/python benchmarks/bench_scale.py                                     # 10k and 100k records, SQLite
    .venv/bin/python benchmarks/bench_scale.py --sizes 10000,100000,1000000 --db sqlite,postgresql
    .venv/bin/python benchmarks/bench_scale.py --json out.json

Loading 1M records with their values takes a few minutes per backend on a 2-core machine. PostgreSQL
needs a server on 127.0.0.1:5432 with trust authentication; each run makes and drops its own database.
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
from typing import Any

HERE = Path(__file__).resolve().parent
NAME = "scale"


def _timed(fn: Any, repeats: int) -> float:
    fn()  # warm
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1e3 * statistics.median(times)


def _build(n: int, db: str | None, workdir: str) -> dict:
    sys.path.insert(0, str(HERE))
    from _harness import fresh_lineagedb
    from _scale_data import build

    ln = fresh_lineagedb(workdir, NAME, db=db)
    t = time.perf_counter()
    out = build(ln, n, Path(workdir))
    out["build_s"] = time.perf_counter() - t
    return out


def _measure(n: int, workdir: str) -> dict:
    """Time the queries on the instance ``_build`` made (a fresh process: nothing cached from the load)."""
    sys.path.insert(0, str(HERE))
    from _harness import lineagedb_env, quiet
    from _scale_data import artifact_key, record_name

    os.environ.update(lineagedb_env(workdir))
    import lineagedb as ln

    ln.setup.connect(NAME)
    n_art = max(1, n // 10)
    out: dict[str, Any] = {}
    keys = [artifact_key(i) for i in range(0, n_art, max(1, n_art // 200))]
    out["get_key_ms"] = statistics.median([_timed(lambda k=k: ln.Artifact.get(key=k), 1) for k in keys])
    rows = len(ln.Artifact.filter(f0=7).to_dataframe(limit=None))
    assert rows == len(range(7, n_art, 100)), rows
    out["filter_feature_rows"] = rows
    out["filter_feature_ms"] = _timed(lambda: len(ln.Artifact.filter(f0=7).to_dataframe(limit=None)), 5)
    sample = f"sample-{n_art // 2:07d}"
    assert ln.Artifact.filter(f3=sample).one().key == artifact_key(n_art // 2)
    out["filter_unique_ms"] = _timed(lambda: ln.Artifact.filter(f3=sample).one(), 5)
    record_sample = f"sample-{n // 2:07d}"
    assert ln.Record.filter(f3=record_sample).one().name == record_name(n // 2)
    out["record_filter_unique_ms"] = _timed(lambda: ln.Record.filter(f3=record_sample).one(), 5)
    assert ln.Record.filter(f0=7).count() == len(range(7, n, 100))
    out["record_filter_count_ms"] = _timed(lambda: ln.Record.filter(f0=7).count(), 5)
    middle = ln.Artifact.get(key=artifact_key(n_art // 2)).id
    for k in (1_000, 10_000):
        if n_art < k:
            continue
        qs = ln.Artifact.filter(id__gte=middle - k // 2).order_by("id")
        df = qs[:k].to_dataframe(include="features", limit=None)
        assert len(df) == k and df["f3"].notna().all(), len(df)
        out[f"features_df_{k // 1000}k_ms"] = _timed(lambda qs=qs, k=k: qs[:k].to_dataframe(include="features", limit=None), 3)
    name = record_name(n // 2)
    t = time.perf_counter()
    assert list(ln.Record.search(name))[0].name == name
    out["first_search_ms"] = 1e3 * (time.perf_counter() - t)  # SQLite: builds the search index
    out["search_ms"] = _timed(lambda: list(ln.Record.search(name)), 5)
    out["record_get_name_ms"] = _timed(lambda: ln.Record.get(name=name), 20)
    artifact = ln.Artifact.get(key=artifact_key(n_art // 2))

    def describe() -> None:
        with quiet():
            artifact.describe()

    out["describe_ms"] = _timed(describe, 5)
    out["count_ms"] = _timed(lambda: ln.Record.filter().count(), 20)
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


def _child(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, timeout=24 * 3600)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines() or ["failed"]
        return {"error": tail[-1], "stderr": "\n".join(tail[-30:])}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_one(n: int, backend: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="scale-") as workdir:
        db, pg = None, None
        if backend == "postgresql":
            try:
                pg, db = _pg_database()
            except Exception as e:  # noqa: BLE001 - no server: say so, go on
                return {"error": f"PostgreSQL not reachable on 127.0.0.1:5432 ({type(e).__name__})"}
        try:
            built = _child("--build", str(n), "--child-db", db or "", "--workdir", workdir)
            if "error" in built:
                return built
            return {**built, **_child("--measure", str(n), "--workdir", workdir)}
        finally:
            if pg:
                _pg_drop(pg)


ROWS = [("get_key_ms", "Artifact.get(key=) (median over 200 keys)"),
        ("filter_feature_ms", "Artifact.filter(f0=7).to_dataframe() (n/1000 rows)"),
        ("filter_unique_ms", "Artifact.filter(f3=<unique value>).one()"),
        ("record_filter_unique_ms", "Record.filter(f3=<unique value>).one()"),
        ("record_filter_count_ms", "Record.filter(f0=7).count() (n/100)"),
        ("features_df_1k_ms", 'to_dataframe(include="features"), 1,000 artifacts'),
        ("features_df_10k_ms", 'to_dataframe(include="features"), 10,000 artifacts'),
        ("search_ms", "Record.search(<a record's name>)"),
        ("first_search_ms", "first Record.search (SQLite: builds its index)"),
        ("record_get_name_ms", "Record.get(name=)"),
        ("describe_ms", "describe() of an annotated artifact"),
        ("count_ms", "Record.filter().count()")]


def print_table(backend: str, sizes: list[int], results: dict) -> None:
    print(f"\n[{backend}] milliseconds, warm; growth = largest size / smallest size with a figure")
    print(f"  {'':<54}" + "".join(f"{f'{n:,} rec.':>14}" for n in sizes) + f"{'growth':>9}")
    for n, r in results.items():
        if "error" in r:
            print(f"  size {n:,}: {r['error']}\n{r.get('stderr', '')}")
    for key, label in ROWS:
        have = [n for n in sizes if key in results[n]]
        cells = "".join(f"{results[n][key]:>14.2f}" if n in have else f"{'n/a':>14}" for n in sizes)
        growth = results[have[-1]][key] / results[have[0]][key] if len(have) > 1 else float("nan")
        print(f"  {label:<54}{cells}{growth:>8.1f}x")
    for n in sizes:
        r = results[n]
        if "build_s" in r:
            steps = ", ".join(f"{k[:-2]} {r[k]:.0f} s" for k in ("records_s", "artifacts_s", "values_load_s", "indexes_s",
                                                                 "analyze_s"))
            print(f"  building {n:,} records, {r['n_artifacts']:,} artifacts, {r['n_feature_values']:,} feature values "
                  f"({r['n_value_rows']:,} distinct): {r['build_s']:.0f} s ({steps})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="records per instance (artifacts: n/10)")
    parser.add_argument("--db", default="sqlite", help="sqlite, postgresql or both (comma-separated)")
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-db", default="", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build is not None:
        print(json.dumps(_build(args.build, args.child_db or None, args.workdir)))
        return
    if args.measure is not None:
        print(json.dumps(_measure(args.measure, args.workdir)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    report: dict = {}
    for backend in args.db.split(","):
        report[backend] = {}
        for n in sizes:
            report[backend][n] = run_one(n, backend)
            if args.json:  # after each size: a long run keeps what it measured
                Path(args.json).write_text(json.dumps(report, indent=2))
        print_table(backend, sizes, report[backend])
        sys.stdout.flush()


if __name__ == "__main__":
    main()
