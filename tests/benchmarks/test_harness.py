"""The benchmark suite's smoke path: ``benchmarks/run.py --quick --only import`` (no LaminDB, seconds)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RUN = REPO / "benchmarks" / "run.py"


def _load_run():
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_quick_import_row_prints_table_and_writes_json(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--only", "import", "--repeats", "1", "--json", str(out)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "import + connect + count (whole process)" in done.stdout
    assert "LaminDB 2.12.1 (reference)" in done.stdout  # reference column when LaminDB is not run
    report = json.loads(out.read_text())
    rows = {r["metric"]: r for r in report["rows"]}
    assert set(rows) == {"import_inprocess", "import_process"}
    for row in rows.values():
        assert isinstance(row["ours"], float) and 0 < row["ours"] < 30, row
        assert row["lamindb"] is None and row["reference"] > 0
        assert row["speedup_vs_reference"] == row["reference"] / row["ours"]
        assert 0 < row["ours_cpu"] < 30, row  # CPU seconds of the measured process, next to wall time
    # in-process time is part of the whole-process time
    assert rows["import_inprocess"]["ours"] < rows["import_process"]["ours"]
    assert report["meta"]["quick"] is True and report["meta"]["compare_lamindb"] is False


def test_unknown_operation_is_refused(tmp_path):
    done = subprocess.run([sys.executable, str(RUN), "--only", "nosuchop", "--json", str(tmp_path / "x.json")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "nosuchop" in done.stderr


def test_failed_operation_shows_na_and_check_flags_trailing_rows():
    run = _load_run()
    op = next(o for o in run.OPS if o.name == "search")
    params = dict(op.quick)
    rows = run.build_rows(op, params, {"error": "AttributeError: no search yet"},
                          {"metrics": {"search_specific": 0.02, "search_broad": 0.3}})
    assert run._cell(rows[0], "ours") == "n/a (error: AttributeError: no search yet)"
    assert run._cell(rows[0], "lamindb") == "20.0 ms"
    assert len(run.check(rows, 1.0)) == 2  # ours failed where LaminDB ran: counts as trailing

    rows = run.build_rows(op, params, {"metrics": {"search_specific": 0.01, "search_broad": 0.6}},
                          {"metrics": {"search_specific": 0.02, "search_broad": 0.3}})
    assert rows[0]["speedup"] == 2.0 and rows[1]["speedup"] == 0.5
    failed = run.check(rows, 1.0)
    assert len(failed) == 1 and "broad" in failed[0]
    assert run.check(rows, 0.4) == []


def test_median_keeps_cpu_seconds():
    sys.path.insert(0, str(REPO / "benchmarks"))
    from _harness import Seconds, median, timeit

    m = median([Seconds(3.0, 1.0), Seconds(1.0, 0.5), Seconds(2.0, 2.0)])
    assert (float(m), m.cpu) == (2.0, 1.0)
    assert median([1.0, 2.0]).cpu is None
    timings = timeit(lambda: sum(range(100_000)), repeats=3)
    assert all(t.cpu is not None and t.cpu >= 0 for t in timings)


def test_throughput_rows_invert_the_ratio():
    run = _load_run()
    assert run.speedup(7000.0, 3500.0, "samples/s") == 2.0
    assert run.speedup(0.5, 1.0, "s") == 2.0
    assert run.speedup(None, 1.0, "s") is None


def test_loader_rows_come_from_bench_loader_json():
    run = _load_run()
    row = {"wall": 5000.0, "cpu": 6000.0}
    report = {
        "sparse": {"lineagedb": {"exact random, DataLoader(batch_size=256, shuffle=True)": row,
                                 "block mode, DataLoader(batch_sampler=block_sampler(), collate_fn)": {"wall": 9e4, "cpu": 1e5},
                                 "plain h5py single-row reads": row},
                   "lamindb": 1700.0, "reference": 1750.0, "gpu_training": None},
        "dense": {"lineagedb": {"exact random, DataLoader(batch_size=256, shuffle=True)": {"wall": 7e3, "cpu": 8e3}},
                  "lamindb": None, "reference": 3550.0, "gpu_training": None},
    }
    ours, theirs = run.read_loader_report(report)
    assert ours == {"loader_sparse": 5000.0, "loader_sparse_block": 9e4, "loader_dense": 7e3}  # wall clock
    assert theirs == {"loader_sparse": 1700.0, "loader_sparse_block": 1700.0}  # no LaminDB number for dense


def test_both_sides_bind_every_operation_and_operations_import_no_library(tmp_path):
    # _operations runs inside LaminDB's venv too: importing it (and a side) must not import lineagedb/lamindb
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import ours_side, lamindb_side, _operations; "
        "assert 'lineagedb' not in sys.modules and 'lamindb' not in sys.modules, sorted(sys.modules); "
        "assert set(_operations.operations(ours_side.SIDE)) == set(_operations.operations(lamindb_side.SIDE)) "
        "== set(_operations.OPERATIONS); print(ours_side.SIDE.package, lamindb_side.SIDE.package)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(REPO / "benchmarks")], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["lineagedb", "lamindb"]
