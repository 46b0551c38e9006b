"""The categorical part of the dtype grammar: ``cat[Registry[Type, key='value'].field|Other]``.

A categorical dtype is ``cat[...]`` holding one or more *terms* separated by ``|`` (a union of
registries). A term names a registry (``Record``, ``bio.CellType``; ``bt.``/``bionty.`` mean ``bio.``),
optionally a field (``.ontology_id``, before or after the brackets), and in brackets an optional Record
type name and Django filters restricting the allowed values (``source__uid='4a3ejKuf'``).

>>> parse_cat("cat[bionty.Gene.ensembl_gene_id[organism='human']]")
[CatTerm(registry='bio.Gene', field='ensembl_gene_id', type_name=None, filters=(('organism', 'human'),))]
>>> format_cat(parse_cat("cat[Record[Experiment]|bt.CellType]"))
'cat[Record[Experiment]|bio.CellType]'
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from .. import errors

APP_PREFIXES = {"bio": "bio", "bt": "bio", "bionty": "bio", "ln": "", "lineagedb": "", "lamindb": ""}
_NAME = re.compile(r"^[A-Za-z_]\w*$")
_KEY = re.compile(r"^[A-Za-z_]\w*(__\w+)*$")


class CatTerm(NamedTuple):
    """One registry of a categorical dtype, with its match field, Record type and value filters."""

    registry: str  # canonical: "Record", "bio.CellType"
    field: str | None
    type_name: str | None
    filters: tuple[tuple[str, Any], ...] = ()


def split_top(text: str, sep: str) -> list[str]:
    """Split ``text`` at ``sep`` outside brackets and quotes: ``"a='x,y', b=1"`` -> ``["a='x,y'", " b=1"]``."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def parse_filter_value(text: str) -> Any:
    """``'x'`` / ``"x"`` -> ``"x"``, ``True``/``False``/``None`` -> the constant, anything else stays text."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return {"True": True, "False": False, "None": None}.get(text, text)


def format_filter_value(value: Any) -> str:
    """The bracket spelling of a filter value (strings quoted, booleans and numbers bare)."""
    if isinstance(value, (bool, int, float)) or value is None:
        return repr(value)
    text = str(value)
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    raise errors.ValidationError(f"filter value {text!r} contains both quote types; it cannot be written into a dtype")


def parse_filters(text: str) -> tuple[str | None, tuple[tuple[str, Any], ...]]:
    """Bracket content ``"Experiment, source__uid='x'"`` -> (type name, filters)."""
    type_name, filters = None, []
    for part in split_top(text, ","):
        part = part.strip()
        if not part:
            continue
        if "=" in part:
            key, _, value = part.partition("=")
            key = key.strip()
            if not _KEY.match(key):
                raise ValueError(f"bad filter key {key!r}")
            filters.append((key, parse_filter_value(value)))
        elif type_name is None:
            type_name = part
        else:
            raise ValueError("more than one type name in brackets")
    return type_name, tuple(filters)


def _parse_term(text: str) -> CatTerm:
    text = text.strip()
    head, bracket, tail = text, None, ""
    if "[" in text:
        open_at = text.index("[")
        close_at = text.rindex("]")
        head, bracket, tail = text[:open_at], text[open_at + 1:close_at], text[close_at + 1:]
    parts = head.split(".")
    if not all(_NAME.match(p) for p in parts):
        raise ValueError(f"{head!r} is not a registry name")
    n_reg = 2 if parts[0] in APP_PREFIXES and len(parts) > 1 else 1
    app = APP_PREFIXES.get(parts[0], parts[0]) if n_reg == 2 else ""
    registry = f"{app}.{parts[n_reg - 1]}" if app else parts[n_reg - 1]
    rest = parts[n_reg:]
    if tail:
        if not tail.startswith(".") or not _NAME.match(tail[1:]):
            raise ValueError(f"unexpected {tail!r} after the brackets")
        rest.append(tail[1:])
    if len(rest) > 1:
        raise ValueError("a term names at most one field")
    type_name, filters = parse_filters(bracket) if bracket is not None else (None, ())
    return CatTerm(registry, rest[0] if rest else None, type_name, filters)


def parse_cat(text: str) -> list[CatTerm] | None:
    """The terms of ``cat[...]``; None if ``text`` is not of that form; ValueError if malformed inside."""
    text = text.strip()
    if not (text.startswith("cat[") and text.endswith("]")):
        return None
    inner = text[4:-1]
    if inner.count("[") != inner.count("]") or not inner.strip():
        raise ValueError("unbalanced or empty brackets")
    return [_parse_term(t) for t in split_top(inner, "|")]


def format_term(term: CatTerm) -> str:
    """``CatTerm("Record", None, "Experiment", ())`` -> ``"Record[Experiment]"``."""
    out = term.registry
    inside = ([term.type_name] if term.type_name else []) + [f"{k}={format_filter_value(v)}" for k, v in term.filters]
    if inside:
        out += f"[{', '.join(inside)}]"
    if term.field:
        out += f".{term.field}"
    return out


def format_cat(terms: list[CatTerm]) -> str:
    """The canonical ``cat[...]`` string of some terms."""
    return f"cat[{'|'.join(format_term(t) for t in terms)}]"


def check_filter_key(model: Any, key: str, dtype: str) -> None:
    """Raise unless ``key`` (``source__uid``, ``is_type``, ``name__startswith``) is a lookup path of ``model``."""
    from django.core.exceptions import FieldDoesNotExist

    current = model
    parts = key.split("__")
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            if i > 0 and last and part in current._meta.pk.get_lookups():
                return
            raise errors.ValidationError(
                f"SQLRecord {current.__name__} has no attribute {part!r} in filter {key} of dtype {dtype!r}; "
                f"use one of its fields, e.g. {[f.name for f in current._meta.concrete_fields][:6]}"
            ) from None
        if field.is_relation and field.related_model is not None:
            current = field.related_model
        elif not last:
            if parts[i + 1] in field.get_lookups() and i + 1 == len(parts) - 1:
                return
            raise errors.ValidationError(f"{parts[i + 1]!r} in filter {key} is not a lookup of {current.__name__}.{part}")
