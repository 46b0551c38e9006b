"""``record.view_parents(distance=2)``: the parents hierarchy of a saved record (bio terms, records, labels).

Jupyter gets an inline SVG (graphviz), a terminal a text tree (plus an SVG file when ``dot`` exists).

>>> neuron_state.view_parents(distance=2)  # doctest: +SKIP
my neuron cell state
└── neuron [CL:0000540]
    └── electrically responsive cell [CL:0000211]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


def _label(record: Any) -> str:
    from ._dtypes import default_field

    name = getattr(record, default_field(type(record)), None) or record.uid
    ident = getattr(record, "ontology_id", None)
    return f"{name} [{ident}]" if ident else str(name)


def _walk(record: Any, attr: str, distance: int, prefix: str, lines: list[str], edges: set[tuple[int, int]],
          seen: set[Any]) -> None:
    if distance <= 0:
        return
    items = list(getattr(record, attr).all().order_by("name"))
    for i, other in enumerate(items):
        last = i == len(items) - 1
        lines.append(prefix + ("└── " if last else "├── ") + _label(other))
        edges.add((other.pk, record.pk) if attr == "parents" else (record.pk, other.pk))
        seen.add(other)
        _walk(other, attr, distance - 1, prefix + ("    " if last else "│   "), lines, edges, seen)


def _graphviz(record: Any, nodes: set[Any], edges: set[tuple[int, int]]) -> Any:
    import graphviz

    dot = graphviz.Digraph(graph_attr={"rankdir": "TB"}, node_attr={"shape": "box", "style": "rounded,filled",
                                                                     "fillcolor": "#e8f1fb", "fontsize": "10"})
    for node in nodes | {record}:
        extra = {"penwidth": "2.5", "fillcolor": "#fdf0d5"} if node.pk == record.pk else {}
        dot.node(str(node.pk), _label(node), **extra)
    for parent, child in sorted(edges):
        dot.edge(str(parent), str(child))
    return dot


def view_parents(record: Any, distance: int = 2, with_children: bool = False) -> str | None:
    """Show parents up to ``distance`` levels (and children with ``with_children=True``).

    Returns the text tree (None when drawn inline in Jupyter); with graphviz a terminal also gets an SVG file.
    """
    if record._state.adding:
        text = f"{type(record).__name__} {record.name!r} is not saved yet: save it to view its parents"
        print(text)
        return text
    lines = [_label(record)]
    edges: set[tuple[int, int]] = set()  # (parent id, child id)
    nodes: set[Any] = set()  # the records reached
    _walk(record, "parents", distance, "", lines, edges, nodes)
    if len(lines) == 1:
        lines.append("└── (no parents)")
    if with_children:
        lines.append("children:")
        before = len(lines)
        _walk(record, "children", distance, "", lines, edges, nodes)
        if len(lines) == before:
            lines.append("└── (no children)")
    text = "\n".join(lines)
    from ..core._jupyter import ipython_kernel
    from ._lineage import has_dot

    if has_dot():
        try:
            svg = _graphviz(record, nodes, edges).pipe(format="svg")
        except Exception as e:  # noqa: BLE001 - a broken graphviz install falls back to text
            print(f"! graphviz could not draw the hierarchy ({type(e).__name__}); text instead", file=sys.stderr)
        else:
            if ipython_kernel() is not None:
                from IPython.display import SVG, display

                display(SVG(svg))
                return None
            from ..core.user_settings import settings

            path = Path(settings.cache_dir) / "hierarchy" / f"parents_{type(record).__name__.lower()}_{record.uid}.svg"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(svg)
            print(text)
            print(f"→ hierarchy graph: {path}")
            return text
    print(text)
    return text
