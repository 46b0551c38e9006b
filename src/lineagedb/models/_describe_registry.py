"""One-line reprs of records and a readable listing of a registry's fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

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


def registry_repr(model: type) -> str:
    """The registry's fields, grouped into simple fields and relations."""
    simple, relational = [], []
    for f in model._meta.get_fields():
        name = getattr(f, "name", "")
        if name in _HIDDEN or name.startswith(("_", "links_")) or name.endswith("_link"):
            continue
        if f.is_relation:
            target = f.related_model.__name__ if f.related_model else "?"
            kind = "many" if (f.many_to_many or f.one_to_many) else "one"
            if f.auto_created and not f.concrete and f.one_to_many:
                continue
            relational.append(f"    .{name}: {target} ({kind})")
        else:
            simple.append(f"    .{name}: {type(f).__name__.replace('Field', '')}")
    lines = [f"{model.__name__}", "  Simple fields", *simple]
    if relational:
        lines += ["  Relational fields", *relational]
    return "\n".join(lines)
