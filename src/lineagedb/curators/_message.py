"""The ValidationError message: per slot and column, what failed, close valid values, and how to fix it."""

from __future__ import annotations

from typing import Any

from ._categorical import register_call

_SHOWN = 20


def _values(values: list[str]) -> str:
    shown = ", ".join(repr(v) for v in values[:_SHOWN])
    return shown + (f", ... ({len(values) - _SHOWN} more)" if len(values) > _SHOWN else "")


def _synonym_lines(cat: Any, slot: str, multi: bool) -> list[str]:
    what = f"column {cat.key!r}" if cat.feature is not None else ("column names" if cat.key == "columns" else "var index")
    shown = ", ".join(f"{k!r} -> {v!r}" for k, v in list(cat.synonyms.items())[:_SHOWN])
    key = f"{slot}:{cat.key}" if multi else cat.key
    n = len(cat.synonyms)
    return [f"{what}: {n} synonym{'s' if n > 1 else ''} of registered values: {shown}",
            f"    to replace them by the registered values: curator.cat.standardize({key!r})"]


def _cat_lines(cat: Any, slot: str, multi: bool) -> list[str]:
    what = f"column {cat.key!r}" if cat.feature is not None else ("column names" if cat.key == "columns" else "var index")
    dtype = cat.feature.dtype if cat.feature is not None else f"{cat.model.__name__}.{cat.field}"
    n = len(cat.non_validated)
    lines = [f"{what} ({dtype}): {n} value{'s' if n > 1 else ''} not validated: {_values(cat.non_validated)}"]
    for value, close in cat.suggestions.items():
        lines.append(f"    did you mean {' or '.join(repr(c) for c in close)} instead of {value!r}?")
    key = f"{slot}:{cat.key}" if multi else cat.key
    lines.append(f"    to register them: {register_call(cat, cat.non_validated)}")
    lines.append(f"    or with a curator: curator.cat.add_new_from({key!r})")
    return lines


def format_message(result: Any) -> str:
    schema = result.schema
    if schema is None:
        lines = [f"{result.otype} features do not validate:"]
    else:
        name = f" {schema.name!r}" if schema.name else ""
        lines = [f"{result.otype} does not validate against schema{name} ({schema.uid}):"]
    multi = len(result.slots) > 1
    for slot in result.slots:
        slot_lines: list[str] = []
        for cat in slot.all_cats():
            if not cat.fails:
                continue
            if cat.non_validated:
                slot_lines.extend(_cat_lines(cat, slot.slot, multi))
            if cat.synonyms:
                slot_lines.extend(_synonym_lines(cat, slot.slot, multi))
        slot_lines.extend(slot.problems)
        if not slot_lines:
            continue
        indent = "  "
        if multi:
            lines.append(f"  slot {slot.slot!r}:")
            indent = "    "
        lines.extend(indent + line for line in slot_lines)
    return "\n".join(lines)
