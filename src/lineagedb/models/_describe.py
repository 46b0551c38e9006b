"""describe(): a rich tree of one record, built from sections that capabilities contribute.

A section is ``fn(record, tree) -> None`` that adds branches to a ``rich.tree.Tree``; the artifact
section shows the core fields, annotation adds labels and features, validation adds schemas.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# model name ("Artifact", "Collection", ...) or "*" -> sections, in order
SECTIONS: dict[str, list[Callable[[Any, Any], None]]] = {}


def section(*model_names: str) -> Callable:
    """Decorator: register a describe() section for the given registries (``"*"``: all)."""

    def wrap(fn: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
        for name in model_names:
            SECTIONS.setdefault(name, []).append(fn)
        return fn

    return wrap


def _default_fields(record: Any, tree: Any) -> None:
    for f in record._meta.concrete_fields:
        if f.name in {"id", "uid", "branch"} or f.name.startswith("_"):
            continue
        value = getattr(record, f.attname)
        if value not in (None, ""):
            tree.add(f"{f.name}: {value}")


def build_tree(record: Any, include: list[str] | None = None) -> Any:
    """The ``rich.tree.Tree`` describe() prints (the web UI renders it as HTML)."""
    from rich.tree import Tree

    name = type(record).__name__
    tree = Tree(f"[bold]{name}[/bold] {getattr(record, 'uid', '')}")
    sections = SECTIONS.get(name, []) + SECTIONS.get("*", [])
    if not SECTIONS.get(name):
        _default_fields(record, tree)
    for fn in sections:
        fn(record, tree)
    if getattr(type(record), "_has_notes", False):
        from .block import describe_notes

        describe_notes(record, tree, comments="comments" in (include or []))
    return tree


def describe(record: Any, return_str: bool = False, include: str | list[str] | None = None) -> str | None:
    """Print (or return) a tree of the record: its own sections, or its plain fields.

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
