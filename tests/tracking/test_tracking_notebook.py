"""A real notebook executed by nbconvert on the venv's kernel: detected, tracked, reported, saved and loaded."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tracking_helpers import child_env, cli  # noqa: F401 (fixture)

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbconvert")


NBCONVERT = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
             "--ExecutePreprocessor.timeout=300"]


def wait_for_executed_report(ln, run, text: str, timeout: float = 120):
    """The run's report once it holds ``text`` (the detached waiter saves it after nbconvert exits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.report is not None and text in Path(str(run.report.cache())).read_text():
            return run.report
        time.sleep(0.5)
    log = ln.settings.cache_dir / f"report_{run.uid}.log"
    raise AssertionError(f"no executed report for run {run.uid}: {log.read_text() if log.exists() else 'no log'}")


def make_notebook(path: Path, unique: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# Tracked notebook {unique}"),
        nbformat.v4.new_code_cell("import lineagedb as ln\nln.track(params={'dose': 2})"),
        nbformat.v4.new_code_cell(
            "import pandas as pd\n"
            f"artifact = ln.Artifact.from_dataframe(pd.DataFrame({{'v': [1, 2], 'u': ['{unique}'] * 2}}), "
            f"key='nb/{unique}.parquet').save()\n"
            f"print('saved' + '-{unique}')  # the joined text appears only in the output"
        ),
        nbformat.v4.new_code_cell("artifact.view_lineage()"),
        nbformat.v4.new_code_cell("ln.finish()"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))


def test_notebook_executed_by_nbconvert_is_tracked_with_report(ln, tmp_path, unique, cli):
    notebook = tmp_path / f"analysis_{unique}.ipynb"
    make_notebook(notebook, unique)
    r = subprocess.run(
        NBCONVERT + [str(notebook)],
        cwd=tmp_path, capture_output=True, text=True, env=child_env(), timeout=400,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    executed = json.loads(notebook.read_text())
    assert any(f"saved-{unique}" in "".join(o.get("text", "")) for c in executed["cells"] for o in c.get("outputs", []))
    lineage_outputs = json.dumps(executed["cells"][3]["outputs"])  # the artifact.view_lineage() cell
    if shutil.which("dot"):  # Jupyter shows the graph inline as SVG
        assert "image/svg+xml" in lineage_outputs and notebook.name in lineage_outputs
    else:
        assert "comes from" in lineage_outputs and notebook.name in lineage_outputs

    transform = ln.Transform.get(key=notebook.name)
    assert transform.kind == "notebook" and transform.description == f"Tracked notebook {unique}"
    assert "ln.track(params={'dose': 2})" in transform.source_code and "# %%" in transform.source_code
    run = transform.latest_run
    assert run.status == "completed" and run.params == {"dose": 2} and run.finished_at is not None
    artifact = ln.Artifact.get(key=f"nb/{unique}.parquet")
    assert artifact.run == run and artifact.transform == transform
    report = run.report
    assert report is not None and report.suffix == ".html" and report.kind == "__lineagedb__"
    assert "<html" in Path(str(report.cache())).read_text().lower()
    ipynb = ln.Artifact.filter(key=f"__lineagedb__/notebooks/{transform.uid}.ipynb", kind="__lineagedb__").one()
    assert ipynb.kind == "__lineagedb__" and ipynb.run == run
    assert run.environment is not None

    # nbconvert wrote the executed notebook after the kernel finished: a detached waiter makes it the report
    executed_report = wait_for_executed_report(ln, run, f"saved-{unique}")
    assert executed_report != report and executed_report.run == run
    cli("save", str(notebook))  # saving the executed notebook by hand still works
    assert ln.Transform.filter(key=notebook.name).count() == 1  # same code cells: same transform

    # a rerun gets its own run and its own report, never the previous run's
    r = subprocess.run(NBCONVERT + [str(notebook)], cwd=tmp_path, capture_output=True, text=True, env=child_env(),
                       timeout=400)
    assert r.returncode == 0, r.stdout + r.stderr
    rerun = transform.latest_run
    assert rerun != run and rerun.status == "completed"
    rerun_report = wait_for_executed_report(ln, rerun, f"saved-{unique}")
    assert rerun_report.run == rerun and rerun_report not in (report, executed_report)

    out = tmp_path / "loaded"
    r = cli("load", notebook.name, "--output", str(out))
    loaded = nbformat.read(str(out / notebook.name), as_version=4)
    assert any("ln.track(params={'dose': 2})" in c.source for c in loaded.cells) and "notebook is here" in r.stdout


def test_save_notebook_that_was_never_run_creates_a_run_for_its_report(ln, tmp_path, unique, cli):
    notebook = tmp_path / f"draft_{unique}.ipynb"
    make_notebook(notebook, unique)
    cli("save", str(notebook))
    transform = ln.Transform.get(key=notebook.name)
    run = transform.latest_run
    assert run.status == "completed" and run.report is not None and run.report.suffix == ".html"


def test_where_nbconvert_writes_its_output(tmp_path):
    from lineagedb.tracking._notebook import _nbconvert_output

    nb = tmp_path / "a.ipynb"
    base = ["jupyter-nbconvert", "--execute"]
    assert _nbconvert_output([*base, "--inplace", str(nb)], tmp_path, nb) == nb
    assert _nbconvert_output([*base, "--to", "notebook", str(nb)], tmp_path, nb) == tmp_path / "a.nbconvert.ipynb"
    assert _nbconvert_output([*base, "--output", "done", str(nb)], tmp_path, nb) == tmp_path / "done.ipynb"
    assert _nbconvert_output([*base, "--to=html", "--output-dir", "out", str(nb)], tmp_path, nb) == tmp_path / "out" / "a.html"
    assert _nbconvert_output(["jupyter-nbconvert", "--to", "html", str(nb)], tmp_path, nb) is None  # not executed
    assert _nbconvert_output(["papermill", "--execute", str(nb)], tmp_path, nb) is None
