"""The benchmark operations written against lineagedb; run one per fresh process by ``run.py``.

    .venv/bin/python benchmarks/ours_side.py import --workdir /tmp/x --out /tmp/x/result.json

Each operation sets up a fresh instance under ``--workdir`` (its own ``LINEAGEDB_HOME``), does its
untimed set-up, times what the row names and returns ``{metric: value}`` (seconds unless the name says).
``lamindb_side.py`` holds the same operations written against LaminDB's API.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import (  # noqa: E402
    CATEGORIES_1, CATEGORIES_2, attempt, make_dataframe, make_large_file, make_small_files, median, quiet, record_names,
    run_side, Seconds, stopwatch, time_process, timeit,
)

INPROC_SNIPPET = (
    "import time; t0, c0 = time.perf_counter(), time.process_time(); import lineagedb as ln; ln.Artifact.filter().count(); "
    "print(time.perf_counter() - t0, time.process_time() - c0)"
)


def _env(workdir: str) -> dict[str, str]:
    env = dict(os.environ)
    env["LINEAGEDB_HOME"] = str(Path(workdir) / "home")
    env["LINEAGEDB_CACHE_DIR"] = str(Path(workdir) / "cache")
    env.pop("LINEAGEDB_INSTANCE", None)
    return env


def _init(p: dict):
    """A fresh instance in the work folder, connected; returns the package."""
    os.environ.update(_env(p["workdir"]))
    import lineagedb as ln

    ln.setup.init(storage=str(Path(p["workdir"]) / "data"), name="bench", db=p.get("db"))
    return ln


def _artifacts(ln, p: dict, n: int, prefix: str = "bench") -> list:
    files = make_small_files(Path(p["workdir"]) / "files", n)
    return [ln.Artifact(str(f), key=f"{prefix}/{f.name}").save() for f in files]


def op_import(p: dict) -> dict:
    """import + connect + count, in process and as a whole process, on an instance with one artifact."""
    ln = _init(p)
    try:  # count over a non-empty registry where artifacts can be saved already
        _artifacts(ln, p, 1)
    except Exception:
        pass
    env = _env(p["workdir"])
    runs = time_process([sys.executable, "-c", INPROC_SNIPPET], env, p["repeats"])  # both numbers, same processes
    whole = [wall for wall, _ in runs]
    inproc = [Seconds(*map(float, stdout.strip().splitlines()[-1].split())) for _, stdout in runs]
    return {"import_inprocess": median(inproc), "import_process": median(whole)}


def op_save_files(p: dict) -> dict:
    """``n`` small files saved one by one: median per file."""
    ln = _init(p)
    files = make_small_files(Path(p["workdir"]) / "files", p["n"])
    times = []
    for f in files:
        with stopwatch() as t:
            ln.Artifact(str(f), key=f"bench/{f.name}").save()
        times.append(t.seconds)
    assert ln.Artifact.filter(key__startswith="bench/").count() == p["n"]
    return {"save_file": median(times), "save_file_total": sum(times)}


def op_large_file(p: dict) -> dict:
    """A large file hashed and stored, next to a plain copy of the same file."""
    ln = _init(p)
    src = make_large_file(Path(p["datadir"]) / f"large_{p['nbytes']}.bin", p["nbytes"])
    with open(src, "rb") as f:  # page cache warm for both measurements
        while f.read(16 << 20):
            pass
    with stopwatch() as copy:
        shutil.copyfile(src, Path(p["workdir"]) / "plain_copy.bin")
    os.remove(Path(p["workdir"]) / "plain_copy.bin")
    with stopwatch() as store:
        artifact = ln.Artifact(str(src), key="large/file.bin").save()
    assert artifact.size == p["nbytes"]
    return {"large_store": store.seconds, "large_copy": copy.seconds}


def op_query(p: dict) -> dict:
    """get by key and filter + to_dataframe over ``n`` artifacts."""
    ln = _init(p)
    records = _artifacts(ln, p, p["n"])
    keys = [a.key for a in records][:: max(1, p["n"] // p["gets"])]
    n_rows = []

    def filter_df() -> None:
        n_rows.append(len(ln.Artifact.filter(key__startswith="bench/").to_dataframe(limit=None)))

    def time_filter_df() -> float:
        t = median(timeit(filter_df, p["repeats"], warmup=1))
        assert set(n_rows) == {p["n"]}, f"to_dataframe gave {set(n_rows)} rows, expected {p['n']}"
        return t

    metrics: dict = {}
    attempt(metrics, "get_by_key", lambda: median([timeit(lambda k=k: ln.Artifact.get(key=k), 1)[0] for k in keys]))
    attempt(metrics, "filter_df", time_filter_df)
    return metrics


def op_records(p: dict) -> dict:
    """``n`` records constructed, then saved with ``ln.save``."""
    ln = _init(p)
    names = record_names(p["n"])
    with stopwatch() as construct:
        records = [ln.Record(name=name) for name in names]
    with stopwatch() as save:
        ln.save(records)
    assert ln.Record.filter(name__in=names[:5]).count() == 5
    return {"records_construct": construct.seconds, "records_save": save.seconds}


def op_search(p: dict) -> dict:
    """A specific and a broad search over ``n`` records."""
    ln = _init(p)
    names = record_names(p["n"])
    ln.save([ln.Record(name=name) for name in names])
    specific = names[len(names) // 2]
    top = list(ln.Record.search(specific))
    assert top and top[0].name == specific, f"search({specific!r}) did not rank the exact match first"
    t_specific = timeit(lambda: list(ln.Record.search(specific)), p["repeats"], warmup=1)
    t_broad = timeit(lambda: list(ln.Record.search(p["broad"])), p["repeats"], warmup=1)
    return {"search_specific": median(t_specific), "search_broad": median(t_broad)}


def op_annotated(p: dict) -> dict:
    """to_dataframe(features=True) over ``n`` annotated artifacts, and describe() of one."""
    ln = _init(p)
    ln.Feature(name="temperature", dtype=float).save()
    ln.Feature(name="experiment", dtype=ln.Record).save()
    ln.save([ln.Record(name=f"experiment {i}") for i in range(10)])
    artifacts = _artifacts(ln, p, p["n"])
    for i, artifact in enumerate(artifacts):
        artifact.features.add_values({"temperature": 20 + (i % 7) / 2, "experiment": f"experiment {i % 10}"})
    n_rows = []

    def features_df() -> None:
        df = ln.Artifact.filter(key__startswith="bench/").to_dataframe(features=True, limit=None)
        n_rows.append(len(df))

    def time_features_df() -> float:
        t = median(timeit(features_df, p["repeats"], warmup=1))
        assert set(n_rows) == {p["n"]}, f"to_dataframe with features gave {set(n_rows)} rows, expected {p['n']}"
        return t

    artifact = artifacts[len(artifacts) // 2]

    def describe() -> None:
        with quiet():
            artifact.describe()

    metrics: dict = {}
    attempt(metrics, "features_df", time_features_df)
    attempt(metrics, "describe", lambda: median(timeit(describe, p["repeats"], warmup=1)))
    return metrics


def op_validate(p: dict) -> dict:
    """from_dataframe(df, key, schema=Schema(itype=Feature)) on an ``n``-row x 10-column DataFrame."""
    ln = _init(p)
    df = make_dataframe(p["n"])
    ln.save([ln.Record(name=v) for v in CATEGORIES_1 + CATEGORIES_2])
    ln.Feature(name="perturbation", dtype=ln.Record).save()
    ln.Feature(name="donor", dtype=ln.Record).save()
    for j in range(8):
        ln.Feature(name=f"measure_{j}", dtype=float).save()
    schema = ln.Schema(itype=ln.Feature).save()
    made = []

    def validate() -> None:
        made.append(ln.Artifact.from_dataframe(df, key="bench/validated.parquet", schema=schema))

    def save() -> float:
        with stopwatch() as t:
            made[-1].save()
        return t.seconds

    metrics = {"validate": median(timeit(validate, p["repeats"], warmup=1))}
    attempt(metrics, "validate_save", save)
    return metrics


OPS = {
    "import": op_import,
    "save_files": op_save_files,
    "large_file": op_large_file,
    "query": op_query,
    "records": op_records,
    "search": op_search,
    "annotated": op_annotated,
    "validate": op_validate,
}

if __name__ == "__main__":
    run_side(OPS)
