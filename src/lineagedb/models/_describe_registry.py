"""One-line reprs of records and a readable listing of a registry's fields."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import Model

_HIDDEN = {"id", "branch"}


def _fmt(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    if isinstance(value, str) and len(value) > 60:
        return repr(value[:57] + "...")
    return repr(value)


def record_repr(record: Any) -> str:
    """``Artifact(uid='...', key='...', size=12, ...)``: the non-empty concrete fields on one line."""
    parts = []
    for f in record._meta.concrete_fields:
        if f.name in _HIDDEN or f.name.startswith("_") or f.name == "source_code":
            continue
        value = getattr(record, f.attname)
        if value is None or value == "" or value == [] or value == {}:
            continue
        name = f.name if not f.is_relation else f.attname
        parts.append(f"{name}={_fmt(value)}")
    return f"{type(record).__name__}({', '.join(parts)})"


def registry_repr(model: type[Model]) -> str:
    """The registry's fields in LaminDB's layout: simple fields with their Django type (``.uid: CharField``), then
    relations to core registries (``.run: Run``; declared ones first, then reverse ones), then relations to the
    bio registries (``.cell_types: bio.CellType``).

    >>> print(ln.Record)  # doctest: +SKIP
    Record
      Simple fields
        .uid: CharField
    ...
    """
    simple, relational, bio = [], [], []
    shown = [f for f in model._meta.get_fields() if _shown(f)]
    for f in sorted(shown, key=lambda f: bool(f.auto_created)):  # stable: declared first, in their order
        if not f.is_relation:
            simple.append(f"    .{f.name}: {f.get_internal_type()}")
        elif f.related_model is not None and f.related_model._meta.app_label == "bio":
            bio.append(f"    .{f.name}: bio.{f.related_model.__name__}")
        else:
            relational.append(f"    .{f.name}: {f.related_model.__name__ if f.related_model else '?'}")
    lines = [f"{model.__name__}", "  Simple fields", *simple]
    for title, items in (("Relational fields", relational), ("Bio fields", bio)):
        if items:
            lines += [f"  {title}", *items]
    return "\n".join(lines)


def _shown(f: Any) -> bool:
    """Fields a registry listing shows: not the id or branch marker, link tables or reverse foreign keys."""
    name = getattr(f, "name", "")
    if name in _HIDDEN or name.startswith(("_", "links_")) or name.endswith("_link"):
        return False
    return not (f.is_relation and f.auto_created and not f.concrete and f.one_to_many)
