"""Find or create the Transform of a source file or a user-made Transform, version by version.

Same key and same source hash: the existing transform is reused. Same key, new hash: a new version
of the family (same 12-character uid stem, next suffix) becomes ``is_latest``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import errors

if TYPE_CHECKING:
    from ..models._transform_source import SourceFile


def _new_version(model: Any, key: str, **fields: Any) -> Any:
    """Save a new transform under ``key``: a new family, or the next version of the existing one."""
    return model(key=key, skip_hash_lookup=True, **fields).save()


def transform_for_source(source: SourceFile, uid: str | None = None, version: str | None = None) -> Any:
    """The transform of a script or notebook: reused when its source is unchanged, else a new version.

    ``uid`` pins the transform (``ln.track("Ro1gl7n8YrdH0000")``); ``version`` tags a new one.
    """
    from ..models import Transform
    from ..models._transform_source import transform_from_source

    return transform_from_source(Transform, source, uid=uid, version=version)


def transform_for_record(transform: Any) -> Any:
    """A Transform passed to ``ln.track(transform)``: saved ones as they are, new ones by key and version."""
    from ..models import Transform

    if not isinstance(transform, Transform):
        raise errors.InvalidArgument(
            f"ln.track() takes a ln.Transform or a transform uid, not {type(transform).__name__}"
        )
    if not transform._state.adding:
        return transform
    if transform.kind in ("notebook", "script"):
        raise errors.InvalidArgument(
            "Use `ln.track()` without passing transform in a notebook or script - metadata is automatically parsed"
        )
    if not transform.key:
        raise errors.InvalidArgument("the transform needs a key: ln.Transform(key='my_pipeline', kind='pipeline')")
    existing = Transform.objects.filter(key=transform.key, version=transform.version_tag, branch=1).order_by("-id").first()
    if existing is not None:
        return existing
    return transform.save()
