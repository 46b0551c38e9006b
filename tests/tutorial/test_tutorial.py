"""`lineagedb tutorial`: the shipped notebook runs for real in a Jupyter kernel on a fresh instance."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

from click.testing import CliRunner  # noqa: E402

from lineagedb.cli.main import cli  # noqa: E402
from lineagedb.cli.tutorial import find_notebook, new_folder, run_notebook  # noqa: E402


def kernel_env(tmp_path: Path) -> dict:
    """A child environment with its own settings home; Jupyter's data files found where nbconvert lives.

    (A venv that borrows its packages from another venv, as in development worktrees, lacks share/jupyter.)
    """
    import nbconvert

    env = {**os.environ, "LINEAGEDB_HOME": str(tmp_path / "home"), "LINEAGEDB_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("LINEAGEDB_INSTANCE", None)
    share = Path(nbconvert.__file__).resolve().parents[4] / "share" / "jupyter"
    if share.is_dir():
        env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [env.get("JUPYTER_PATH"), str(share)]))
    return env


def test_the_notebook_ships_with_the_package():
    nb = json.loads(find_notebook().read_text())
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    for call in ("ln.track()", "Artifact.from_dataframe", "view_lineage", "features.add_values", "ValidationError",
                 "versions", ".search(", ".lookup()", "s3://lamindata", "view_parents", "from_anndata",
                 "ln.Collection", ".mapped(", "DataLoader", "ln.finish()"):
        assert call in code, call
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"), "ship it without outputs"
    assert (Path(__file__).parents[2] / "src/lineagedb/cli/tutorial.ipynb").read_text() == find_notebook().read_text()


def test_new_folder_never_reuses_an_existing_one(tmp_path):
    assert new_folder(tmp_path / "t") == tmp_path / "t"
    (tmp_path / "t").mkdir()
    (tmp_path / "t-2").mkdir()
    assert new_folder(tmp_path / "t") == tmp_path / "t-3"


def test_a_non_empty_folder_is_refused(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    result = CliRunner().invoke(cli, ["tutorial", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "not empty" in result.output and str(tmp_path) in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


def test_a_failing_cell_is_reported(tmp_path, monkeypatch):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("1 / 0"),
                nbformat.v4.new_code_cell("print('never')")]
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    for key, value in kernel_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    error = run_notebook(path, timeout=120)
    assert error is not None and "ZeroDivisionError" in error
    executed = nbformat.read(path, as_version=4)
    assert executed.cells[0].execution_count == 1 and not executed.cells[2].get("outputs")


@pytest.mark.slow
def test_tutorial_runs_to_the_end_and_keeps_the_instance(tmp_path):
    folder = tmp_path / "tour"
    env = kernel_env(tmp_path)
    r = subprocess.run([sys.executable, "-m", "lineagedb.cli", "tutorial", "--dir", str(folder)],
                       capture_output=True, text=True, env=env, timeout=1200)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    assert "ran to the end" in r.stdout and "serve" in r.stdout and str(folder / "lineagedb-tutorial") in r.stdout
    executed = json.loads((folder / "tutorial.ipynb").read_text())
    code = [c for c in executed["cells"] if c["cell_type"] == "code"]
    assert all(c["execution_count"] for c in code)
    assert not [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    check = (
        "import lineagedb as ln\n"
        f"ln.connect({str(folder / 'lineagedb-tutorial')!r})\n"
        "t = ln.Transform.get(key='tutorial.ipynb')\n"
        "print(t.latest_run.status, ln.Artifact.filter(key='my_datasets/rnaseq1.parquet').count(),"
        " ln.Collection.filter(key='my-RNA-seq-collection').count())\n"
    )
    r = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split()[-3:] == ["completed", "2", "1"], r.stdout  # two versions of rnaseq1
