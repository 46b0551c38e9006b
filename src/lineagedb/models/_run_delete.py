"""Removing runs for good, alone or with their transform, and tidying the artifacts tracking made for them.

- ``run.delete(permanent=True)`` and ``ln.Run.filter(...).delete(permanent=True)`` remove the runs. A run's
  report and environment are tracking's own artifacts (``kind="__lineagedb__"``): once the deletion is
  committed, a background process removes those that no remaining run uses (an environment is shared by
  every run with the same packages). Its log is ``<cache_dir>/run_cleanup_logs_<uid of the first run>.txt``.
  A user's artifact set as a report or environment is never removed.
- ``transform.delete(permanent=True)`` (and the queryset form) removes the transform's runs first, as above.
- Whatever the runs made (artifacts, collections, records, ...) is never removed with them: a deletion that
  would orphan such records is refused with ``InvalidArgument`` naming them, and nothing changes.

>>> ln.Run.filter(transform__key="scratch.py").delete(permanent=True)  # doctest: +SKIP
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from .. import errors
from ._lineage_kind import INTERNAL_KIND


def remove_runs(runs: Any, remove: Callable[[], Any]) -> Any:
    """Call ``remove()`` (the row deletion of the queryset ``runs``) and schedule the clean-up of their reports
    and environments once the transaction commits. Must run inside ``transaction.atomic()``."""
    from .artifact import Artifact

    rows = list(runs.order_by("created_at", "id").values_list("id", "uid", "report_id", "environment_id"))
    if not rows:
        return remove()
    run_ids = [row[0] for row in rows]
    # tracking's own artifacts saved with run=<a deleted run> must not hold the deletion back
    Artifact.objects.filter(run_id__in=run_ids, kind=INTERNAL_KIND).update(run=None)
    with _refusing_orphans("run", [row[1] for row in rows]):
        result = remove()
    artifact_ids = sorted({aid for row in rows for aid in row[2:] if aid is not None})
    if artifact_ids:
        first_uid = rows[0][1]
        transaction.on_commit(lambda: schedule_cleanup(artifact_ids, first_uid))
    return result


def remove_transforms(transforms: Any, remove: Callable[[], Any]) -> Any:
    """Remove the runs of the queryset ``transforms`` (see ``remove_runs``), then call ``remove()``."""
    from .run import Run

    runs = Run.objects.filter(transform__in=transforms.values("pk"))
    remove_runs(runs, runs.delete_rows)
    return remove()


@contextmanager
def _refusing_orphans(what: str, uids: list[str]) -> Iterator[None]:
    """Turn Django's ProtectedError (records made by the runs) into an error that names them."""
    try:
        yield
    except ProtectedError as e:
        counts: dict[str, int] = {}
        for obj in e.protected_objects:
            counts[type(obj).__name__] = counts.get(type(obj).__name__, 0) + 1
        made = ", ".join(f"{n} {name}{'s' if n > 1 else ''}" for name, n in sorted(counts.items()))
        shown = ", ".join(uids[:3]) + (" ..." if len(uids) > 3 else "")
        raise errors.InvalidArgument(
            f"cannot delete {what} {shown} for good: it made {made} that would lose their lineage. "
            "Delete those records first (or keep the run; delete() without permanent=True moves it to the trash)"
        ) from None


def schedule_cleanup(artifact_ids: list[int], run_uid: str) -> None:
    """Start the background process removing the unused internal artifacts ``artifact_ids``."""
    from ..core.instance import current
    from ..core.user_settings import settings

    inst = current()
    if inst is None:
        return
    log = settings.cache_dir / f"run_cleanup_logs_{run_uid}.txt"
    with open(log, "a") as out:
        subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [sys.executable, "-m", "lineagedb.tracking._run_cleanup", "--instance", inst.name,
             "--ids", ",".join(map(str, artifact_ids))],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    from ._trash import _info

    _info(f"removing the reports and environments of deleted runs in the background (log: {log})")


def cleanup(artifact_ids: list[int]) -> list[str]:
    """Remove each internal artifact of ``artifact_ids`` that no run uses as report or environment; one log
    line per artifact."""
    from .artifact import Artifact
    from .run import Run

    lines = []
    for aid in artifact_ids:
        artifact = Artifact.objects.filter(id=aid).first()
        if artifact is None:
            lines.append(f"artifact {aid} is already gone")
        elif artifact.kind != INTERNAL_KIND:
            lines.append(f"kept artifact {aid}: it is the user's ({artifact.kind=}), not tracking's")
        elif Run.objects.filter(report_id=aid).exists() or Run.objects.filter(environment_id=aid).exists():
            lines.append(f"kept artifact {aid}: another run still uses it")
        else:
            try:
                artifact.delete(permanent=True)
                lines.append(f"deleted artifact {aid}")
            except Exception as e:  # noqa: BLE001 - logged; the artifact stays
                lines.append(f"did not delete artifact {aid}: {e}")
    return lines
