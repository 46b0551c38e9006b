"""Small helpers for annotation tests: artifacts made directly through the registry."""

from __future__ import annotations

import uuid


def make_artifact(ln, key: str | None = None, **fields):
    from lineagedb.models import Artifact

    key = key or f"annotation/{uuid.uuid4().hex[:8]}.csv"
    return Artifact(storage=ln.settings.storage, key=key, hash=uuid.uuid4().hex, suffix=".csv", size=1, **fields).save()
