"""Find or create the Transform of a source file or a user-made Transform, version by version.

Same key and same source hash: the existing transform is reused. Same key, new hash: a new version
of the family (same 12-character uid stem, next suffix) becomes ``is_latest``.
"""

from __future__ import annotations

from typing import Any

from .. import errors
from ._source import SourceFile


def _new_version(model: Any, key: str, **fields: Any) -> Any:
    """Save a new transform under ``key``: a new family, or the next version of the existing one."""
    from ..models._versions import save_new_version

    record = model(key=key, **fields)
    return save_new_version(record, record.save, key=key)


def transform_for_source(source: SourceFile) -> Any:
    """The transform of a script or notebook: reused when its source is unchanged, else a new version."""
    from ..models import Transform

    same = Transform.objects.filter(key=source.key, hash=source.hash, branch=1).order_by("-id").first()
    if same is not None:
        if not same.source_code:
            same.source_code = source.source_code
            same.save()
        return same
    return _new_version(
        Transform, source.key, kind=source.kind, hash=source.hash, source_code=source.source_code,
        description=source.description, reference=source.path.as_uri(),
    )


def transform_for_record(transform: Any) -> Any:
    """A Transform passed to ``ln.track(transform)``: saved ones as they are, new ones by key and version."""
    from ..models import Transform

    if isinstance(transform, str):
        try:
            return Transform.get(transform)
        except Transform.DoesNotExist:
            raise errors.InvalidArgument(
                f"no transform with uid {transform!r}; pass a uid from ln.Transform.to_dataframe() "
                "or a ln.Transform(key=..., kind='pipeline') object"
            ) from None
    if not isinstance(transform, Transform):
        raise errors.InvalidArgument(
            f"ln.track() takes a ln.Transform or a transform uid, not {type(transform).__name__}"
        )
    if not transform._state.adding:
        return transform
    if not transform.key:
        raise errors.InvalidArgument("the transform needs a key: ln.Transform(key='my_pipeline', kind='pipeline')")
    existing = Transform.objects.filter(key=transform.key, version=transform.version, branch=1).order_by("-id").first()
    if existing is not None:
        return existing
    fields = {f.attname: getattr(transform, f.attname) for f in Transform._meta.concrete_fields
              if f.name in {"description", "kind", "source_code", "hash", "reference", "version"}}
    return _new_version(Transform, transform.key, **fields)
