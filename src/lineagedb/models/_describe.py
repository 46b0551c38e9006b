"""describe(): a rich tree of one record."""

from __future__ import annotations

from typing import Any


def describe(record: Any, return_str: bool = False) -> str | None:
    """Print (or return) a tree of the record's fields and relations."""
    from rich.console import Console
    from rich.tree import Tree

    tree = Tree(f"[bold]{type(record).__name__}[/bold] {getattr(record, 'uid', '')}")
    for f in record._meta.concrete_fields:
        if f.name in {"id", "uid", "branch"} or f.name.startswith("_"):
            continue
        value = getattr(record, f.attname)
        if value not in (None, ""):
            tree.add(f"{f.name}: {value}")
    console = Console(record=True, width=120, force_jupyter=False)
    with console.capture() as capture:
        console.print(tree)
    text = capture.get()
    if return_str:
        return text
    print(text, end="")
    return None
