"""The report of a notebook executed by ``jupyter nbconvert --execute``, made once nbconvert wrote its output.

The kernel cannot see its own outputs on disk: nbconvert writes the executed notebook after the kernel has
stopped. ``ln.finish()`` therefore starts this module as a detached process that waits for nbconvert to end,
renders the executed file and makes it the run's report (``run.report``).

    python -m lineagedb.tracking._report_later --pid 4242 --output nb.ipynb --run RUNUID --instance NAME
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

WAIT_S = 3600


def schedule(run: Any, pid: int, output: Path) -> None:
    """Start the detached waiter for ``run`` (its log goes to ``<cache_dir>/report_<run uid>.log``)."""
    from ..core.instance import current
    from ..core.user_settings import settings

    instance = current()
    if instance is None:
        return  # nothing to record the report in
    log = settings.cache_dir / f"report_{run.uid}.log"
    with open(log, "w") as out:
        subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [sys.executable, "-m", "lineagedb.tracking._report_later", "--pid", str(pid), "--output", str(output),
             "--run", run.uid, "--instance", instance.name],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    print(f"→ the report with outputs is saved once nbconvert has written {output.name} (log: {log})")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")  # a zombie has ended


def save_executed_report(run_uid: str, output: Path) -> Any:
    """Make the executed notebook (or nbconvert's HTML) at ``output`` the report of run ``run_uid``."""
    import tempfile

    from ..models import Run
    from ._artifacts import save_internal_artifact
    from ._notebook import html_report

    run = Run.objects.get(uid=run_uid)
    description = f"Report of {run.transform.key}, run {run.uid} (executed)"
    key = f"__lineagedb__/reports/{run.uid}.html"
    if output.suffix == ".html":
        run.report = save_internal_artifact(output, key, description, run=run, reuse=False)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            html = html_report(output, Path(tmp) / f"{output.stem}.html")
            if html is None:
                return None
            run.report = save_internal_artifact(html, key, description, run=run, reuse=False)
    run.save(update_fields=["report"])
    return run.report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--run", required=True)
    parser.add_argument("--instance", required=True)
    ns = parser.parse_args(argv)
    deadline = time.monotonic() + WAIT_S
    while _alive(ns.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if not ns.output.is_file():
        print(f"! nbconvert wrote no {ns.output}: the run keeps the report made at ln.finish()")
        return 1
    import lineagedb as ln

    ln.connect(ns.instance)
    report = save_executed_report(ns.run, ns.output)
    print(f"→ saved report {report.uid if report else '-'} of run {ns.run}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
