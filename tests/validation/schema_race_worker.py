"""A separate OS process that saves one schema definition at the same moment as its siblings.

    python schema_race_worker.py INSTANCE BARRIER_DIR N FEATURE_NAME

Every worker checks for the schema, then waits (before the insert's transaction) until all N workers got there, so
the pre-save lookup finds nothing in any of them and only the database constraint can keep the
definition unique. Then each saves a Record in the same outer transaction: losing the race must not
break it. Prints the schema's uid and "done"; everything else goes to stderr.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def _barrier_at_insert(folder: Path, n: int) -> None:
    """Hold every Schema insert (before its transaction opens) until ``n`` processes reached one (at most 30 s)."""
    from lineagedb.models.schema import Schema

    original = Schema._insert

    def insert(self, *args, **kwargs):  # noqa: ANN001, ANN202
        (folder / f"{self.hash}-{os.getpid()}").touch()
        deadline = time.monotonic() + 30
        while len(list(folder.glob(f"{self.hash}-*"))) < n and time.monotonic() < deadline:
            time.sleep(0.01)
        return original(self, *args, **kwargs)

    Schema._insert = insert


def main() -> None:
    name, folder, n, feature_name = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    import lineagedb as ln
    import lineagedb.bio as bt

    ln.connect(name)
    ln.settings.verbosity = "warning"
    _barrier_at_insert(folder, n)
    from django.db import connection, transaction

    feature = ln.Feature.get(name=feature_name)
    outer = transaction.atomic if connection.vendor == "postgresql" else _nothing
    with outer():  # one definition per transaction: the winner commits, the losers' inserts then fail
        schema = ln.Schema(features=[feature], maximal_set=True).save()
        ln.Record(name=f"after-race-{os.getpid()}").save()
    with outer():
        genes = ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=int, organism="mouse").save()
    print(schema.uid, genes.uid)
    print("done")


class _nothing:
    """SQLite writes take the lock at BEGIN (IMMEDIATE): an outer transaction would serialise the race."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


if __name__ == "__main__":
    main()
