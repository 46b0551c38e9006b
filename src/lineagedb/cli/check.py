"""``lineagedb check``: do the database rows and the stored files still agree?

    lineagedb check                 # report missing files, orphans and leftovers of crashed saves
    lineagedb check --hashes        # ... and re-hash every stored artifact
    lineagedb check --fix           # quarantine orphans (never deletes), finish interrupted saves

Exit status 0 when nothing is (left) wrong, 1 otherwise.
"""

from __future__ import annotations

import sys

import click


@click.command()
@click.option("--fix", is_flag=True, help="Move orphans and stale temp files to .lineagedb/quarantine/<time>/; "
              "finish interrupted saves. Never deletes.")
@click.option("--hashes", is_flag=True, help="Re-read every stored artifact and compare its content hash.")
@click.option("--grace", type=float, default=None, metavar="SECONDS",
              help="Leave temp files younger than this alone (a save may be running); default 3600.")
def check(fix: bool, hashes: bool, grace: float | None) -> None:
    """Report rows whose files are missing, files no row points to and (--hashes) changed content."""
    from ..core.integrity import TEMP_GRACE_S
    from ..core.integrity import check as _check

    report = _check(fix=fix, hashes=hashes, grace_s=TEMP_GRACE_S if grace is None else grace)
    click.echo(str(report))
    if not report.ok:
        sys.exit(1)


COMMANDS = [check]
