"""``ln.Artifact.get(path=...)`` / ``.filter(path=...)``: find an artifact by where its bytes are.

A path inside a registered storage root matches the artifact registered in place at that relative
path, or, inside the root's managed ``.lineagedb/`` folder, the artifact whose ``uid`` names the file.

>>> ln.Artifact.get(path=artifact.path) == artifact  # doctest: +SKIP
True
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from ..core import storage as st


def _text(value: Any) -> str:
    if st.is_local(value):
        return st.local_path(value).expanduser().resolve().as_posix()
    return str(value).rstrip("/")


def path_lookup(model: Any, key: str, value: Any) -> Q | None:
    """Translate ``path=`` on Artifact into storage and key (or uid) lookups."""
    from ._artifact_sources import storages

    text = _text(value)
    records = list(storages().values())
    best = None
    for record in records:
        root = record.root.rstrip("/")
        if (text == root or text.startswith(root + "/")) and (best is None or len(root) > len(best.root.rstrip("/"))):
            best = record
    if best is None:
        return Q(pk__in=[])
    rel = text[len(best.root.rstrip("/")) + 1:]
    head, _, name = rel.partition("/")
    if head == st.MARKER_DIR and name and "/" not in name:
        uid = name[:20]
        return Q(storage_id=best.id, uid=uid, _real_key__isnull=True, suffix=name[20:])
    return Q(storage_id=best.id, _real_key=rel)
