"""``lineagedb tutorial``: run the tutorial notebook for real on a fresh local instance, and keep it to browse.

    lineagedb tutorial                      # ./lineagedb-tutorial (or -2, -3, ... when taken)
    lineagedb tutorial --dir /tmp/tour      # a new or empty folder of your choice

The notebook (``docs/tutorial.ipynb`` in the repository, shipped in the package as well) is copied into the
folder, a fresh instance is made there, and every cell runs in a Jupyter kernel of this Python; the executed
notebook, with its outputs, stays next to the instance. Exit status 1 when a cell fails.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import click

NOTEBOOK = "tutorial.ipynb"
STORAGE = "lineagedb-tutorial"  # the storage folder the notebook's first cell initialises
KERNEL = "lineagedb-tutorial"


def find_notebook() -> Path:
    """The tutorial notebook: the repository's ``docs/`` in a source checkout, else the packaged copy.

    >>> find_notebook().name  # doctest: +SKIP
    'tutorial.ipynb'
    """
    package = Path(__file__).resolve().parents[1]
    checkout = package.parents[1] / "docs" / NOTEBOOK  # src/lineagedb -> repository root
    shipped = Path(__file__).resolve().parent / NOTEBOOK  # in a wheel: package data next to this module
    for candidate in (checkout, shipped):
        if candidate.is_file():
            return candidate
    raise click.ClickException(
        f"the tutorial notebook is missing (looked for {checkout} and {shipped}); reinstall lineagedb"
    )


def new_folder(base: Path) -> Path:
    """``base`` if it does not exist yet, else the first free ``base-2``, ``base-3``, ..."""
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def _instance_name(folder: Path) -> str:
    from ..core.settings import known_instances

    known = set(known_instances())
    name, n = folder.name, 1
    while name in known:
        n += 1
        name = f"{folder.name}-{n}"
    return name


def _kernel_dir(tmp: Path) -> Path:
    """A kernelspec that runs this very Python (never another ``python3`` kernel the user has installed)."""
    spec = tmp / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "lineagedb", "language": "python"}))
    return spec.parent


def _require_jupyter() -> None:
    from importlib.util import find_spec

    missing = [m for m in ("nbformat", "nbclient", "jupyter_client", "ipykernel") if find_spec(m) is None]
    if missing:
        raise click.ClickException(
            f"running the tutorial needs Jupyter ({', '.join(missing)} missing): pip install 'lineagedb[notebooks]'"
        )


def run_notebook(path: Path, timeout: int = 900) -> str | None:
    """Execute the notebook at ``path`` in place (outputs saved into it); the failing cell's error or None."""
    _require_jupyter()
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    # the kernel finds this venv's `lineagedb` command and knows which notebook it runs (for ln.track())
    env = {**os.environ, "JPY_SESSION_NAME": str(path),
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
    with tempfile.TemporaryDirectory(prefix="lineagedb-kernel-") as tmp:
        specs = KernelSpecManager(kernel_dirs=[str(_kernel_dir(Path(tmp)))])
        km = KernelManager(kernel_name=KERNEL, kernel_spec_manager=specs)
        client = NotebookClient(nb, km=km, timeout=timeout, resources={"metadata": {"path": str(path.parent)}})
        log = Path(tmp) / "kernel.log"
        error = None
        with log.open("w") as out:  # the kernel's own chatter; shown only when something goes wrong
            try:
                client.execute(env=env, stdout=out, stderr=out)
            except CellExecutionError as e:
                error = str(e)
            except Exception as e:  # noqa: BLE001 - the kernel died or did not start: say why, with its log
                error = f"{type(e).__name__}: {e}\n{log.read_text()[-3000:]}"
            finally:
                nbformat.write(nb, path)
                if km.has_kernel:
                    km.shutdown_kernel()  # gracefully: the notebook's atexit hooks (the S3 server) run
    return error


@click.command()
@click.option("--dir", "folder", default=None, type=click.Path(file_okay=False),
              help="A new or empty folder for the notebook and the instance; default: ./lineagedb-tutorial.")
def tutorial(folder: str | None) -> None:
    """Run the tutorial notebook on a fresh local instance in a new folder, and keep both to browse."""
    target = Path(folder).resolve() if folder else new_folder(Path.cwd().resolve() / "lineagedb-tutorial")
    if target.exists() and any(target.iterdir()):
        raise click.ClickException(f"{target} is not empty: pass a new folder with --dir, or remove it")
    _require_jupyter()
    target.mkdir(parents=True, exist_ok=True)
    notebook = target / NOTEBOOK
    shutil.copyfile(find_notebook(), notebook)

    from ..core.instance import init

    inst = init(storage=str(target / STORAGE), name=_instance_name(target), modules="bio")
    click.echo(f"instance {inst.name!r}: storage {inst.storage_root}")
    click.echo(f"running {notebook} in a Jupyter kernel (a few minutes) ...")
    t0 = time.perf_counter()
    error = run_notebook(notebook)
    if error is not None:
        click.echo(error, err=True)
        raise click.ClickException(f"a cell of the tutorial failed (see above; outputs so far in {notebook})")
    here = Path(sys.executable).parent / "lineagedb"  # this venv's command, named in full when not on PATH
    on_path = shutil.which("lineagedb")
    cmd = "lineagedb" if on_path and Path(on_path).parent == here.parent else str(here)
    click.echo(f"the tutorial ran to the end in {time.perf_counter() - t0:.0f} s; executed notebook: {notebook}")
    click.echo(f"instance {inst.name!r} is at {inst.storage_root}; browse it with:")
    click.echo(f"  {cmd} connect {inst.name} && {cmd} serve")


COMMANDS = [tutorial]
