"""Annotation speed: bulk record creation, ranked search and feature DataFrames.

- construct 10,000 ``ln.Record(name=...)`` and ``ln.save`` them (target < 0.5 s; the reference takes 43 s)
- ``ln.Record.search(...)`` over 10,000 records: a narrow query, a broad one, a typo (target < 5 ms)
- ``ln.Artifact.filter(...).to_dataframe(features=True)`` over 1,000 annotated artifacts

    .venv/bin/python benchmarks/bench_annotation.py
    .venv/bin/python benchmarks/bench_annotation.py --db postgresql://postgres@127.0.0.1:5432/bench_annotation

Prints medians of ``--repeats`` runs of wall-clock time and of this process's CPU time; on a busy machine
(load above the core count) the CPU time is the closer estimate of the wall time on an idle one.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _harness import WORDS_A, WORDS_B, fresh_lineagedb, median  # noqa: E402

N_RECORDS = 10_000
N_ARTIFACTS = 1_000


def timeit(fn: Callable[[], Any], repeats: int, warmup: int = 0) -> tuple[list[float], list[float]]:
    """(wall seconds, CPU seconds) of each of ``repeats`` calls of ``fn`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return wall, cpu


def _ms(times: tuple[list[float], list[float]]) -> str:
    return f"median {median(times[0]) * 1000:.2f} ms wall, {median(times[1]) * 1000:.2f} ms CPU"


def _names(n: int, tag: str) -> list[str]:
    return [f"{WORDS_A[i % len(WORDS_A)]} {WORDS_B[i % len(WORDS_B)]} {tag}{i}" for i in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--db", default=None, help="a PostgreSQL URL (default: SQLite)")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-annotation-"))
    ln = fresh_lineagedb(work, "bench-annotation", db=args.db, modules="")
    backend = "postgresql" if args.db else "sqlite"
    ln.Record.search("warm up")  # create the search index once, as a first search in a session would

    # search first, over exactly N_RECORDS records: ln.Record.search(...) as a user calls it
    ln.save([ln.Record(name=n) for n in _names(N_RECORDS, "r")])
    for label, query in [("exact", "gamma neuron r2"), ("narrow", "r1234"), ("broad", "tcell"), ("typo", "hepatocyt r77")]:
        times = timeit(lambda q=query: list(ln.Record.search(q)), repeats=max(args.repeats, 20), warmup=2)
        print(f"[{backend}] search {label:6} {query!r:18} over {N_RECORDS} records: {_ms(times)} (target < 5 ms)")
    times = timeit(lambda: list(ln.Record.filter(is_type=False).search("tcell")), repeats=max(args.repeats, 20), warmup=2)
    print(f"[{backend}] search within a filter, .filter(is_type=False).search('tcell'): {_ms(times)}")

    records: list[Any] = []

    def construct() -> None:
        records[:] = [ln.Record(name=n) for n in _names(N_RECORDS, uuid.uuid4().hex[:6])]

    built, saved = [], []
    for _ in range(args.repeats):
        built.append(timeit(construct, repeats=1))
        saved.append(timeit(lambda: ln.save(records), repeats=1))
    b = (median([x[0][0] for x in built]), median([x[1][0] for x in built]))
    v = (median([x[0][0] for x in saved]), median([x[1][0] for x in saved]))
    print(f"[{backend}] construct {N_RECORDS} records: median {b[0]:.3f} s wall, {b[1]:.3f} s CPU; "
          f"ln.save: {v[0]:.3f} s wall, {v[1]:.3f} s CPU; together {b[0] + v[0]:.3f} s wall, {b[1] + v[1]:.3f} s CPU "
          "(target < 0.5 s; reference 43 s)")
    total = ln.Record.filter().count()
    times = timeit(lambda: list(ln.Record.search("tcell")), repeats=max(args.repeats, 20), warmup=2)
    print(f"[{backend}] search broad 'tcell' over all {total} records: {_ms(times)}")

    from lineagedb.models import Artifact

    ln.Feature(name="temperature", dtype=float).save()
    ln.Feature(name="donor", dtype=str).save()
    ln.Feature(name="experiment", dtype=ln.Record).save()
    experiments = [ln.Record(name=f"experiment {i}").save() for i in range(5)]
    storage = ln.settings.storage
    arts = [Artifact(storage=storage, key=f"bench/{i}.csv", hash=uuid.uuid4().hex, suffix=".csv", size=1) for i in range(N_ARTIFACTS)]
    ln.save(arts)
    for i, a in enumerate(arts):
        a.features.add_values({"temperature": 20 + i % 7, "donor": f"D{i % 13}", "experiment": experiments[i % 5].name})
    qs = ln.Artifact.filter(key__startswith="bench/")
    times = timeit(lambda: qs.to_dataframe(include="features", limit=None), repeats=args.repeats, warmup=1)
    df = qs.to_dataframe(include="features", limit=None)
    assert len(df) == N_ARTIFACTS and {"temperature", "donor", "experiment"} <= set(df.columns)
    print(f"[{backend}] to_dataframe(features=True) over {N_ARTIFACTS} artifacts: {_ms(times)}")
    times = timeit(lambda: list(ln.Artifact.filter(temperature__gt=24, experiment="experiment 2")), repeats=args.repeats)
    print(f"[{backend}] filter by two features over {N_ARTIFACTS} artifacts: {_ms(times)}")


if __name__ == "__main__":
    main()
