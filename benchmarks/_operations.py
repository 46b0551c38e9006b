"""The benchmark operations, written once against the API that lineagedb and LaminDB 2.12 share.

``ours_side.py`` (lineagedb's venv) and ``lamindb_side.py`` (``benchmarks/.lamindb-venv``) differ only in
set-up, which each describes with a :class:`Side`; ``operations(side)`` binds every operation to it.
Nothing here imports lineagedb or lamindb: ``side.init`` returns the connected package as ``ln``.

>>> side = Side(package="lineagedb", init=my_init, env=my_env, features_df={"features": True})  # doctest: +SKIP
>>> run_side(operations(side))  # doctest: +SKIP

Each operation sets up a fresh instance under ``p["workdir"]``, does its untimed set-up, times what the
row names and returns ``{metric: value}`` (seconds unless the name says). Both sides assert they did
the same work, so a fast wrong answer cannot win a row.
"""

from __future__ import annotations

import compileall
import contextlib
import functools
import os
import shutil
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager as ContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _harness import (
    CATEGORIES_1,
    CATEGORIES_2,
    Seconds,
    attempt,
    make_dataframe,
    make_large_file,
    make_small_files,
    median,
    quiet,
    record_names,
    stopwatch,
    time_process,
    timeit,
)


def _no_setup_shortcut(ln: Any) -> ContextManager:
    return contextlib.nullcontext()


@dataclass(frozen=True)
class Side:
    """What differs between the two libraries: set-up and the spelling of a few options."""

    package: str  # the import name the whole-process row imports ("lineagedb" or "lamindb")
    init: Callable[[dict], Any]  # a fresh instance under p["workdir"], connected; returns the package
    env: Callable[[str], dict]  # the environment of a child process for a work folder
    features_df: dict = field(default_factory=dict)  # to_dataframe(...) keywords that add feature columns
    bulk_setup: Callable[[Any], ContextManager] = _no_setup_shortcut  # around untimed bulk saves


def save_validation_schema(ln: Any) -> Any:
    """Labels (``CATEGORIES_*`` as records), 2 categorical + 8 float features, and ``Schema(itype=Feature)``."""
    ln.save([ln.Record(name=v) for v in CATEGORIES_1 + CATEGORIES_2])
    ln.Feature(name="perturbation", dtype=ln.Record).save()
    ln.Feature(name="donor", dtype=ln.Record).save()
    for j in range(8):
        ln.Feature(name=f"measure_{j}", dtype=float).save()
    return ln.Schema(itype=ln.Feature).save()


def _artifacts(ln: Any, p: dict, n: int, prefix: str = "bench") -> list:
    files = make_small_files(Path(p["workdir"]) / "files", n)
    return [ln.Artifact(str(f), key=f"{prefix}/{f.name}").save() for f in files]


def op_import(side: Side, p: dict) -> dict:
    """import + connect + count, in process and as a whole process, on an instance with one artifact."""
    ln = side.init(p)
    try:  # count over a non-empty registry where artifacts can be saved already
        _artifacts(ln, p, 1)
    except Exception:
        pass
    # Installed packages carry compiled bytecode (pip compiles at install); an editable checkout run under
    # PYTHONDONTWRITEBYTECODE=1 would recompile its sources in every process, so compile them once first.
    compileall.compile_dir(str(Path(ln.__file__).parent), quiet=1)
    snippet = (
        f"import time; t0, c0 = time.perf_counter(), time.process_time(); import {side.package} as ln; "
        "ln.Artifact.filter().count(); print(time.perf_counter() - t0, time.process_time() - c0)"
    )
    runs = time_process([sys.executable, "-c", snippet], side.env(p["workdir"]), p["repeats"])  # both, same runs
    whole = [wall for wall, _ in runs]
    inproc = [Seconds(*map(float, stdout.strip().splitlines()[-1].split())) for _, stdout in runs]
    return {"import_inprocess": median(inproc), "import_process": median(whole)}


def op_save_files(side: Side, p: dict) -> dict:
    """``n`` small files saved one by one: median per file."""
    ln = side.init(p)
    files = make_small_files(Path(p["workdir"]) / "files", p["n"])
    times = []
    for f in files:
        with stopwatch() as t:
            ln.Artifact(str(f), key=f"bench/{f.name}").save()
        times.append(t.seconds)
    assert ln.Artifact.filter(key__startswith="bench/").count() == p["n"]
    return {"save_file": median(times), "save_file_total": sum(times)}


def op_large_file(side: Side, p: dict) -> dict:
    """A large file hashed and stored, next to a plain copy of the same file."""
    ln = side.init(p)
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


def _median_checking_rows(fn: Callable[[], int], p: dict, what: str) -> Seconds:
    """Median seconds of ``fn`` (which returns a row count), asserting every call gave ``p["n"]`` rows."""
    n_rows: list[int] = []
    t = median(timeit(lambda: n_rows.append(fn()), p["repeats"], warmup=1))
    assert set(n_rows) == {p["n"]}, f"{what} gave {set(n_rows)} rows, expected {p['n']}"
    return t


def op_query(side: Side, p: dict) -> dict:
    """get by key and filter + to_dataframe over ``n`` artifacts."""
    ln = side.init(p)
    records = _artifacts(ln, p, p["n"])
    keys = [a.key for a in records][:: max(1, p["n"] // p["gets"])]

    def filter_df() -> int:
        return len(ln.Artifact.filter(key__startswith="bench/").to_dataframe(limit=None))

    metrics: dict = {}
    attempt(metrics, "get_by_key", lambda: median([timeit(lambda k=k: ln.Artifact.get(key=k), 1)[0] for k in keys]))
    attempt(metrics, "filter_df", lambda: _median_checking_rows(filter_df, p, "to_dataframe"))
    return metrics


def op_records(side: Side, p: dict) -> dict:
    """``n`` records constructed, then saved with ``ln.save``."""
    ln = side.init(p)
    names = record_names(p["n"])
    with stopwatch() as construct:
        records = [ln.Record(name=name) for name in names]
    with stopwatch() as save:
        ln.save(records)
    assert ln.Record.filter(name__in=names[:5]).count() == 5
    return {"records_construct": construct.seconds, "records_save": save.seconds}


def op_search(side: Side, p: dict) -> dict:
    """A specific and a broad search over ``n`` records."""
    ln = side.init(p)
    names = record_names(p["n"])
    with side.bulk_setup(ln):
        ln.save([ln.Record(name=name) for name in names])
    specific = names[len(names) // 2]
    top = list(ln.Record.search(specific))
    assert top and top[0].name == specific, f"search({specific!r}) did not rank the exact match first"
    t_specific = timeit(lambda: list(ln.Record.search(specific)), p["repeats"], warmup=1)
    t_broad = timeit(lambda: list(ln.Record.search(p["broad"])), p["repeats"], warmup=1)
    return {"search_specific": median(t_specific), "search_broad": median(t_broad)}


def op_annotated(side: Side, p: dict) -> dict:
    """to_dataframe with feature columns over ``n`` annotated artifacts, and describe() of one."""
    ln = side.init(p)
    ln.Feature(name="temperature", dtype=float).save()
    ln.Feature(name="experiment", dtype=ln.Record).save()
    ln.save([ln.Record(name=f"experiment {i}") for i in range(10)])
    artifacts = _artifacts(ln, p, p["n"])
    for i, artifact in enumerate(artifacts):
        artifact.features.add_values({"temperature": 20 + (i % 7) / 2, "experiment": f"experiment {i % 10}"})

    def features_df() -> int:
        return len(ln.Artifact.filter(key__startswith="bench/").to_dataframe(**side.features_df, limit=None))

    artifact = artifacts[len(artifacts) // 2]

    def describe() -> None:
        with quiet():
            artifact.describe()

    metrics: dict = {}
    attempt(metrics, "features_df", lambda: _median_checking_rows(features_df, p, "to_dataframe with features"))
    attempt(metrics, "describe", lambda: median(timeit(describe, p["repeats"], warmup=1)))
    return metrics


def op_validate(side: Side, p: dict) -> dict:
    """from_dataframe(df, key, schema=Schema(itype=Feature)) on an ``n``-row x 10-column DataFrame."""
    ln = side.init(p)
    df = make_dataframe(p["n"])
    schema = save_validation_schema(ln)
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


OPERATIONS = {
    "import": op_import,
    "save_files": op_save_files,
    "large_file": op_large_file,
    "query": op_query,
    "records": op_records,
    "search": op_search,
    "annotated": op_annotated,
    "validate": op_validate,
}


def operations(side: Side) -> dict[str, Callable[[dict], dict]]:
    """Every operation bound to ``side``: the ``{name: fn(params)}`` that ``_harness.run_side`` runs."""
    return {name: functools.partial(fn, side) for name, fn in OPERATIONS.items()}
