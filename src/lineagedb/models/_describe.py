"""describe(): a rich tree of one record, built from the sections its registry declares.

A section is ``fn(record, tree) -> None`` that adds branches to a ``rich.tree.Tree``. A registry lists its
sections, in order, in its ``_describe_sections()`` class method (``BaseRecord``'s default: the plain fields);
``Artifact``'s are its core fields, its schema and feature sets, then its features and labels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Section = Callable[[Any, Any], None]


def fields_section(record: Any, tree: Any) -> None:
    """The record's plain fields that have a value; a related record by its name (``space: lab``)."""
    for f in record._meta.concrete_fields:
        if f.name in {"id", "uid", "branch"} or f.name.startswith("_"):
            continue
        value = getattr(record, f.attname)
        if value in (None, ""):
            continue
        if f.is_relation:
            value = related_title(getattr(record, f.name))
        tree.add(f"{f.name}: {value}")


def related_title(related: Any) -> str:
    """A related record's display name (its name field, ``handle`` for users), else its uid or id."""
    title = related._display_name() if hasattr(related, "_display_name") else None
    return str(title or getattr(related, "uid", None) or related.pk)


def build_tree(record: Any, include: list[str] | None = None) -> Any:
    """The ``rich.tree.Tree`` describe() prints (the web UI renders it as HTML)."""
    from rich.tree import Tree

    name = type(record).__name__
    tree = Tree(f"[bold]{name}[/bold] {getattr(record, 'uid', '')}")
    for fn in type(record)._describe_sections():
        fn(record, tree)
    if getattr(type(record), "_has_notes", False):
        from .block import describe_notes

        describe_notes(record, tree, comments="comments" in (include or []))
    return tree


def describe(record: Any, return_str: bool = False, include: str | list[str] | None = None) -> str | None:
    """Print (or return) a tree of the record, section by section (see ``_describe_sections``).

    ``include="comments"`` adds the comments of a record that carries blocks (its readme shows always).
    """
    from rich.console import Console

    tree = build_tree(record, include=[include] if isinstance(include, str) else include or [])
    console = Console(record=True, width=120)
    with console.capture() as capture:
        console.print(tree)
    text = capture.get()
    if return_str:
        return text
    console_out = Console()
    if console_out.is_jupyter:
        console_out.print(tree)
    else:
        print(text, end="")
    return None
