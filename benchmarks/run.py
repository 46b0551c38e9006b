"""lineagedb's benchmark suite, side by side with LaminDB 2.12 measured in the same run on the same data.

    .venv/bin/python benchmarks/run.py                      # full sizes (1 GB file, 10k records, ...)
    .venv/bin/python benchmarks/run.py --quick              # smaller sizes, a few minutes
    .venv/bin/python benchmarks/run.py --compare-lamindb    # also run LaminDB (venv made once)
    .venv/bin/python benchmarks/run.py --only import,search --json out.json
    .venv/bin/python benchmarks/run.py --compare-lamindb --check 1.0   # exit 1 if any row trails

Every operation runs in a fresh process on a fresh instance in its own temp folder (its own
``LINEAGEDB_HOME``; LaminDB gets its own ``HOME``). A capability that is missing or fails shows as
``n/a (error: ...)`` in its row instead of stopping the suite. ``speed-up`` is LaminDB's time divided by
ours (for samples/s: ours divided by LaminDB's), so above 1 means lineagedb leads.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LAMINDB_VENV = HERE / ".lamindb-venv"
LAMINDB_SPEC = "lamindb==2.12.*"


@dataclass
class Row:
    metric: str
    label: str
    unit: str = "ms"  # "ms", "s" or "samples/s"
    reference: float | None = None  # LaminDB 2.12.1 on this machine kind (issue 10), in ``unit``
    reference_when: dict = field(default_factory=dict)  # params under which the reference applies
    check: bool = True  # counts for --check


@dataclass
class Op:
    name: str
    params: dict
    quick: dict
    rows: list[Row]
    runs: int = 1  # fresh processes (each its own instance); metrics are the median over runs
    quick_runs: int = 1


OPS = [
    Op("import", {"repeats": 10}, {"repeats": 3}, [
        Row("import_inprocess", "import + connect + count (in process)", "s", 0.58),
        Row("import_process", "import + connect + count (whole process)", "s", 0.81),
    ]),
    Op("save_files", {"n": 200}, {"n": 200}, [
        Row("save_file", "save one small file (median of {n}, one by one)", "ms", 8.6),
    ]),
    Op("large_file", {"nbytes": 1 << 30}, {"nbytes": 64 << 20}, [
        Row("large_store", "large file hashed + stored ({size})", "s"),
        Row("large_copy", "plain copy of that file (baseline)", "s", check=False),
    ], runs=3, quick_runs=3),
    Op("query", {"n": 1000, "gets": 200, "repeats": 9}, {"n": 200, "gets": 200, "repeats": 7}, [
        Row("get_by_key", "get by key (among {n})", "ms", 0.94),
        Row("filter_df", "filter + to_dataframe ({n} artifacts)", "ms", 4.6, {"n": 200}),
    ]),
    Op("records", {"n": 10_000}, {"n": 500}, [
        Row("records_construct", "construct {n} records", "s", 42.0, {"n": 10_000}),
        Row("records_save", "ln.save({n} records)", "s", 1.2, {"n": 10_000}),
    ]),
    Op("search", {"n": 10_000, "repeats": 20, "broad": "neuron"}, {"n": 10_000, "repeats": 10, "broad": "neuron"}, [
        Row("search_specific", "search over {n} records (specific)", "ms", 17.0, {"n": 10_000}),
        Row("search_broad", "search over {n} records (broad)", "ms", 310.0, {"n": 10_000}),
    ]),
    Op("annotated", {"n": 1000, "repeats": 7}, {"n": 200, "repeats": 5}, [
        Row("features_df", "to_dataframe(features=True), {n} annotated artifacts", "ms"),
        Row("describe", "describe() of an annotated artifact", "ms"),
    ]),
    Op("validate", {"n": 100_000, "repeats": 5}, {"n": 100_000, "repeats": 3}, [
        Row("validate", "from_dataframe + schema validation ({n} x 10)", "s", 0.2, {"n": 100_000}),
        Row("validate_save", "save of that validated artifact", "s"),
    ]),
    Op("loader", {"quick": False, "loader_size": " (20 x 10k x 2k)"}, {"quick": True, "loader_size": " (4 x 2k x 500)"}, [
        Row("loader_sparse", "mapped loader, exact random, sparse{loader_size}", "samples/s", 1750.0, {"quick": False}),
        Row("loader_dense", "mapped loader, exact random, dense{loader_size}", "samples/s", 3550.0, {"quick": False}),
        Row("loader_sparse_block", "mapped loader, block mode, sparse{loader_size}", "samples/s", 1750.0, {"quick": False}),
        Row("loader_dense_block", "mapped loader, block mode, dense{loader_size}", "samples/s", 3550.0, {"quick": False}),
    ]),
]


def ours_python() -> str:
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def ensure_lamindb_venv() -> str:
    """The LaminDB venv's python, creating the venv (once) with ``pip install lamindb==2.12.*``."""
    python = LAMINDB_VENV / "bin" / "python"
    ok = python.exists() and subprocess.run([str(python), "-c", "import lamindb"], capture_output=True,
                                             env=_lamindb_env(tempfile.mkdtemp())).returncode == 0
    if not ok:
        print(f"creating {LAMINDB_VENV} with {LAMINDB_SPEC} (once; takes a few minutes)", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(LAMINDB_VENV)], check=True)
        # torch (the CPU build pinned in our test extra) for LaminDB's loader in bench_loader.py
        subprocess.run([str(python), "-m", "pip", "install", "-q", LAMINDB_SPEC, "torch==2.13.0"], check=True)
    return str(python)


def _lamindb_env(workdir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAMIN", "LINEAGEDB"))}
    env["HOME"] = str(Path(workdir) / "home")  # LaminDB keeps its settings in ~/.lamin
    Path(env["HOME"]).mkdir(parents=True, exist_ok=True)
    return env


def run_op(op: Op, side: str, python: str, params: dict, base: Path, timeout: float) -> dict:
    """Run ``op`` in fresh processes (``runs`` times); metrics are medians over runs."""
    script = HERE / ("ours_side.py" if side == "ours" else "lamindb_side.py")
    results: list[dict] = []
    for i in range(params.pop("_runs", 1)):
        workdir = Path(tempfile.mkdtemp(prefix=f"{op.name}-{side}-{i}-", dir=base))
        out = workdir / "result.json"
        env = dict(os.environ) if side == "ours" else _lamindb_env(str(workdir))
        cmd = [python, str(script), op.name, "--params", json.dumps(params), "--workdir", str(workdir), "--out", str(out)]
        try:
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=str(workdir))
            result = json.loads(out.read_text()) if out.exists() else {
                "error": f"exit {done.returncode}: {(done.stderr.strip().splitlines() or [''])[-1][:200]}"}
        except subprocess.TimeoutExpired:
            result = {"error": f"timed out after {timeout:.0f} s"}
        shutil.rmtree(workdir, ignore_errors=True)
        if "error" in result:
            return result
        results.append(result["metrics"])
    keys = {k for r in results for k in r if not k.startswith("_")}
    merged: dict = {k: statistics.median([r[k] for r in results if k in r]) for k in keys}
    errors = {k: v for r in results for k, v in r.get("_errors", {}).items() if k not in merged}
    cpu_keys = {k for r in results for k in r.get("_cpu", {})}
    cpu = {k: statistics.median([r["_cpu"][k] for r in results if k in r.get("_cpu", {})]) for k in cpu_keys}
    return {"metrics": dict(merged, _errors=errors, _cpu=cpu)}


LOADER_ROWS = {  # bench_loader.py's JSON rows -> our metrics ("{kind}": "sparse" or "dense"); wall-clock samples/s
    "exact random, DataLoader(batch_size=256, shuffle=True)": "loader_{kind}",
    "block mode, DataLoader(batch_sampler=block_sampler(), collate_fn)": "loader_{kind}_block",
}


def read_loader_report(report: dict) -> tuple[dict, dict]:
    """(ours, LaminDB's) samples/s from the JSON that ``bench_loader.py --json`` writes."""
    ours: dict[str, float] = {}
    theirs: dict[str, float] = {}
    for kind, section in report.items():
        for name, metric in LOADER_ROWS.items():
            if name in section.get("lineagedb", {}):
                ours[metric.format(kind=kind)] = float(section["lineagedb"][name]["wall"])
        if section.get("lamindb"):  # LaminDB has one loader mode: both rows compare against it
            theirs[f"loader_{kind}"] = theirs[f"loader_{kind}_block"] = float(section["lamindb"])
    return ours, theirs


def run_loader(quick: bool, compare: bool, timeout: float) -> tuple[dict, dict | None]:
    """Metrics of ``benchmarks/bench_loader.py`` (written with the loader), if it is there."""
    script = HERE / "bench_loader.py"
    if not script.exists():
        return {"error": "benchmarks/bench_loader.py is not there yet"}, None
    home = tempfile.mkdtemp(prefix="loader-home-")  # LaminDB writes ~/.lamin on import: keep it out of the real home
    report = Path(home) / "loader.json"
    cmd = [ours_python(), str(script), "--json", str(report), "--only", "mapped"] + (["--quick"] if quick else []) + (
        ["--compare-lamindb"] if compare else [])
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=dict(os.environ, HOME=home))
        ours, theirs = read_loader_report(json.loads(report.read_text())) if report.exists() else ({}, {})
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}, None
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if done.returncode != 0 or not ours:
        return {"error": f"exit {done.returncode}: {(done.stderr.strip().splitlines() or ['no samples/s rows'])[-1][:200]}"}, None
    if not compare:
        return {"metrics": ours}, None
    return {"metrics": ours}, ({"metrics": theirs} if theirs else {"error": "LaminDB's loader did not run (see bench_loader.py)"})


def _format(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "samples/s":
        return f"{value:,.0f}/s"
    scaled = value * 1000 if unit == "ms" else value
    digits = 3 if scaled < 1 else 2 if scaled < 10 else 1 if scaled < 100 else 0
    return f"{scaled:.{digits}f} {unit}"


def speedup(ours: float | None, theirs: float | None, unit: str) -> float | None:
    """How many times faster lineagedb is (above 1: we lead)."""
    if ours is None or theirs is None or ours <= 0 or theirs <= 0:
        return None
    return ours / theirs if unit == "samples/s" else theirs / ours


def build_rows(op: Op, params: dict, ours: dict, theirs: dict | None) -> list[dict]:
    """Table/JSON rows of one operation (values in seconds, or samples/s)."""
    rows = []
    size = f"{params['nbytes'] / (1 << 20):.0f} MB" if "nbytes" in params else ""
    for row in op.rows:
        ref_applies = row.reference is not None and all(params.get(k) == v for k, v in row.reference_when.items())
        reference = row.reference if ref_applies else None
        if reference is not None and row.unit == "ms":
            reference = reference / 1000
        our_value = ours.get("metrics", {}).get(row.metric)
        their_value = theirs.get("metrics", {}).get(row.metric) if theirs else None
        our_cpu = ours.get("metrics", {}).get("_cpu", {}).get(row.metric)
        their_cpu = theirs.get("metrics", {}).get("_cpu", {}).get(row.metric) if theirs else None
        out = {
            "op": op.name, "metric": row.metric, "label": row.label.format(size=size, **params), "unit": row.unit,
            "ours": our_value, "lamindb": their_value, "reference": reference, "check": row.check,
            "ours_cpu": our_cpu, "lamindb_cpu": their_cpu,
            "ours_error": _error_of(ours, row.metric) if our_value is None else None,
            "lamindb_error": _error_of(theirs, row.metric) if theirs and their_value is None else None,
        }
        if row.check:
            out["speedup"] = speedup(our_value, their_value, row.unit)
            out["cpu_speedup"] = speedup(our_cpu, their_cpu, row.unit)
            out["speedup_vs_reference"] = speedup(our_value, reference, row.unit)
        rows.append(out)
    if op.name == "large_file":  # the honest comparison for hashing: against a plain copy of the same file
        store, copy = rows[0]["ours"], rows[1]["ours"]
        if store and copy:
            rows[1]["note"] = f"lineagedb stores at {store / copy:.2f}x the time of a plain copy"
    return rows


def _error_of(result: dict, metric: str) -> str | None:
    return result.get("error") or result.get("metrics", {}).get("_errors", {}).get(metric)


def print_table(rows: list[dict], compare: bool) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # plain text fallback
        for r in rows:
            print(f"{r['label']:<60} {_cell(r, 'ours'):>24} {_cell(r, 'lamindb' if compare else 'reference'):>24} "
                  f"{_ratio(r, compare):>8} {_format(r.get('ours_cpu'), r['unit']):>12}")
        return
    table = Table(title="lineagedb benchmarks" + (" vs LaminDB 2.12 (same run)" if compare else ""))
    table.add_column("operation")
    table.add_column("lineagedb", justify="right")
    table.add_column("LaminDB 2.12 (this run)" if compare else "LaminDB 2.12.1 (reference)", justify="right")
    table.add_column("speed-up", justify="right")
    table.add_column("lineagedb CPU", justify="right")
    if compare:
        table.add_column("CPU speed-up", justify="right")
    for r in rows:
        cells = [r["label"], _cell(r, "ours"), _cell(r, "lamindb" if compare else "reference"), _ratio(r, compare),
                 _format(r.get("ours_cpu"), r["unit"])]
        if compare:
            cells.append("-" if r.get("cpu_speedup") is None else f"{r['cpu_speedup']:.2f}x")
        table.add_row(*cells)
    Console(width=160).print(table)
    for r in rows:
        if r.get("note"):
            print(f"  note: {r['note']}")


def _cell(r: dict, key: str) -> str:
    if r.get(key) is not None:
        return _format(r[key], r["unit"])
    err = r.get(f"{key}_error")
    return f"n/a (error: {err[:60]})" if err else "-"


def _ratio(r: dict, compare: bool) -> str:
    value = r.get("speedup") if compare else r.get("speedup_vs_reference")
    return "-" if value is None else f"{value:.2f}x"


def check(rows: list[dict], threshold: float) -> list[str]:
    """Rows that fail ``--check``: a speed-up below ``threshold``, or ours failing where LaminDB ran."""
    failed = []
    for r in rows:
        if not r.get("check"):
            continue
        ratio = r.get("speedup") if r.get("lamindb") is not None else r.get("speedup_vs_reference")
        if ratio is not None and ratio < threshold:
            failed.append(f"{r['label']}: {ratio:.2f}x < {threshold}")
        elif r.get("ours") is None and r.get("lamindb") is not None:
            failed.append(f"{r['label']}: lineagedb failed ({r.get('ours_error')})")
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (finishes in a few minutes)")
    parser.add_argument("--compare-lamindb", action="store_true", help="also run LaminDB 2.12 in its own venv")
    parser.add_argument("--check", type=float, metavar="RATIO", help="exit 1 if any speed-up is below RATIO")
    parser.add_argument("--json", metavar="PATH", default=str(HERE / "results" / "latest.json"))
    parser.add_argument("--only", metavar="OPS", help=f"comma-separated subset of: {', '.join(o.name for o in OPS)}")
    parser.add_argument("--repeats", type=int, help="override the repeats of every operation (smoke tests)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per operation and side")
    args = parser.parse_args(argv)

    selected = [o for o in OPS if not args.only or o.name in args.only.split(",")]
    unknown = set(args.only.split(",")) - {o.name for o in OPS} if args.only else set()
    if unknown:
        parser.error(f"unknown operations {sorted(unknown)}; choose from {[o.name for o in OPS]}")
    lamindb_python = ensure_lamindb_venv() if args.compare_lamindb else None
    base = Path(tempfile.mkdtemp(prefix="lineagedb-bench-"))
    datadir = base / "data"
    datadir.mkdir()
    rows: list[dict] = []
    try:
        for op in selected:
            params = dict(op.quick if args.quick else op.params, datadir=str(datadir))
            if args.repeats and "repeats" in params:
                params["repeats"] = args.repeats
            print(f"running {op.name} ...", end="", file=sys.stderr, flush=True)
            started = time.perf_counter()
            if op.name == "loader":
                ours, theirs = run_loader(args.quick, args.compare_lamindb, args.timeout)
            else:
                runs = op.quick_runs if args.quick else op.runs
                ours = run_op(op, "ours", ours_python(), dict(params, _runs=runs), base, args.timeout)
                theirs = (run_op(op, "lamindb", lamindb_python, dict(params, _runs=runs), base, args.timeout)
                          if lamindb_python else None)
            rows += build_rows(op, params, ours, theirs)
            print(f" {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
            for side, result in (("lineagedb", ours), ("LaminDB", theirs or {})):
                if "error" in result:
                    print(f"  {op.name}: {side} n/a ({result['error']})", file=sys.stderr)
    finally:
        shutil.rmtree(base, ignore_errors=True)

    print_table(rows, args.compare_lamindb)
    report = {
        "meta": {
            "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"), "quick": args.quick,
            "compare_lamindb": args.compare_lamindb, "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
        },
        "rows": rows,
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=2))
    print(f"results written to {args.json}", file=sys.stderr)
    if args.check is not None:
        failed = check(rows, args.check)
        for line in failed:
            print(f"CHECK FAILED: {line}", file=sys.stderr)
        unchecked = [r["label"] for r in rows if r["check"] and r.get("speedup") is None
                     and r.get("speedup_vs_reference") is None and r.get("ours") is not None]
        if unchecked:
            print(f"check: {len(unchecked)} rows had no LaminDB time to compare with "
                  f"(use --compare-lamindb): {', '.join(unchecked)}", file=sys.stderr)
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
