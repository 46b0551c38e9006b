"""``lineagedb save``, ``lineagedb load`` and ``lineagedb export-lineage``.

    lineagedb save analysis.py                 # register a script's source as a transform
    lineagedb save analysis.ipynb              # ... a notebook, with its HTML report
    lineagedb load analysis.py                 # write the saved source back to disk (key or uid)
    lineagedb export-lineage --format openlineage --output events.jsonl
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .. import errors


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--key", default=None, help="Transform key; default: the file name (path in a git repo).")
def save(path: str, key: str | None) -> None:
    """Register the source of a script (.py) or notebook (.ipynb) as a transform; notebooks get a report."""
    from ..core.instance import ensure_connected
    from ..models._transform_source import read_source
    from ..tracking._run import now, save_notebook_report
    from ..tracking._transforms import transform_for_source

    ensure_connected()
    source = read_source(path, key=key)
    transform = transform_for_source(source)
    click.echo(f"→ saved {transform.kind} {transform.key!r} as transform {transform.uid}")
    if source.kind == "notebook":
        from ..models import Run

        run = transform.latest_run
        if run is None:
            stamp = now()
            run = Run(transform=transform, started_at=stamp, finished_at=stamp, status="completed").save()
        save_notebook_report(run, source.path)
        click.echo(f"→ saved the report of run {run.uid} (artifact {run.report.uid if run.report else '-'})")


def find_transform(target: str) -> Any:
    """A transform by uid, uid prefix, URL ending in a uid, or key (its latest version)."""
    from ..models import Transform

    target = target.rstrip("/").rsplit("/transform/", 1)[-1]
    by_key = Transform.filter(key=target).order_by("-is_latest", "-id").first()
    if by_key is not None:
        return by_key
    if len(target) >= 4:
        match = Transform.filter(uid__startswith=target).order_by("-uid").first()
        if match is not None:
            return match
    raise errors.InvalidArgument(
        f"no transform with key or uid {target!r}; list them with: python -c "
        "\"import lineagedb as ln; print(ln.Transform.to_dataframe())\""
    )


def _notebook_artifact(transform: Any) -> Any:
    from ..models import Artifact

    return Artifact.objects.filter(key=f"__lineagedb__/notebooks/{transform.uid}.ipynb", branch=1).order_by("-id").first()


def _notebook_from_code(code: str) -> str:
    import nbformat

    cells = [chunk.strip("\n") for chunk in code.split("# %%\n") if chunk.strip()]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    return nbformat.writes(nb)


@click.command()
@click.argument("target")
@click.option("--output", "-o", default=".", type=click.Path(file_okay=False), help="Folder to write into.")
@click.option("--force", is_flag=True, help="Overwrite a different file of the same name.")
def load(target: str, output: str, force: bool) -> None:
    """Write the saved source of a transform (by KEY, UID or URL) to disk, to re-run or edit it."""
    from ..core.instance import ensure_connected

    ensure_connected()
    transform = find_transform(target)
    dest = Path(output) / Path(transform.key or transform.uid).name
    notebook = _notebook_artifact(transform) if transform.kind == "notebook" else None
    if notebook is not None:
        content = Path(str(notebook.cache())).read_text(encoding="utf-8")
    elif transform.source_code:
        is_nb = transform.kind == "notebook" or dest.suffix == ".ipynb"
        content = _notebook_from_code(transform.source_code) if is_nb else transform.source_code
    else:
        raise errors.InvalidArgument(
            f"transform {transform.uid} ({transform.key!r}) has no saved source code; "
            "save it with `lineagedb save FILE` or run it with ln.track() ... ln.finish()"
        )
    if dest.exists() and dest.read_text(encoding="utf-8") != content and not force:
        raise errors.InvalidArgument(f"{dest} exists with other content; pass --force to overwrite or --output DIR")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(content, encoding="utf-8")
    click.echo(f"→ {transform.kind} is here: {dest}")


@click.command(name="export-lineage")
@click.option("--format", "fmt", type=click.Choice(["openlineage"]), default="openlineage", show_default=True)
@click.option("--output", "-o", default=None, type=click.Path(dir_okay=False), help="File to write; default stdout.")
@click.option("--run", "run_uids", multiple=True, help="Only this run (uid); repeatable.")
@click.option("--transform", "transform_key", default=None, help="Only runs of the transform with this key or uid.")
def export_lineage(fmt: str, output: str | None, run_uids: tuple[str, ...], transform_key: str | None) -> None:
    """Write runs as OpenLineage RunEvents, one JSON object per line (for Marquez and friends)."""
    from ..core.instance import ensure_connected

    ensure_connected()
    from ..models import Run

    runs = Run.objects.filter(branch=1)
    if run_uids:
        runs = runs.filter(uid__in=list(run_uids))
    if transform_key:
        runs = runs.filter(transform__uid__startswith=find_transform(transform_key).stem_uid)
    runs = list(runs.select_related("transform").order_by("started_at", "id"))
    lines = [json.dumps(event, sort_keys=True) for run in runs for event in run.to_openlineage()]
    text = "".join(line + "\n" for line in lines)
    if output is None:
        click.echo(text, nl=False)
    else:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"→ wrote {len(lines)} OpenLineage events of {len(runs)} runs to {output}", err=True)


COMMANDS = [save, load, export_lineage]
