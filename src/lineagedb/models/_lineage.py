"""Lineage graphs of artifacts, collections and runs, drawn with graphviz or as a text tree.

Edges run in the direction data flows: input artifact -> run -> output artifact, member artifact ->
collection. Tracking's own artifacts (environments, reports; ``kind="__lineagedb__"``) are left out.

>>> artifact.view_lineage()                   # doctest: +SKIP
>>> artifact.view_lineage(downstream=True)    # doctest: +SKIP
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ._lineage_kind import INTERNAL_KIND


@dataclass
class LineageGraph:
    """Nodes keyed ``"<Registry>:<id>"`` with their records, and (source, target) edges."""

    root: str
    nodes: dict[str, Any] = field(default_factory=dict)
    edges: set[tuple[str, str]] = field(default_factory=set)

    def parents(self, node: str) -> list[str]:
        return sorted(s for s, t in self.edges if t == node)

    def children(self, node: str) -> list[str]:
        return sorted(t for s, t in self.edges if s == node)


def node_id(record: Any) -> str:
    return f"{type(record).__name__}:{record.id}"


def visible_in_lineage(records: Any) -> list[Any]:
    """``records`` without tracking's own artifacts and without trashed records."""
    return [r for r in records if getattr(r, "kind", None) != INTERNAL_KIND and getattr(r, "branch", 1) != -1]


def _upstream_of(record: Any) -> list[Any]:
    return record._lineage_parents()


def _downstream_of(record: Any) -> list[Any]:
    return record._lineage_children()


def build_graph(record: Any, upstream: bool = True, downstream: bool = False, max_nodes: int = 500) -> LineageGraph:
    """Walk the lineage of ``record`` (an Artifact, Collection or Run) up and/or down."""
    graph = LineageGraph(root=node_id(record), nodes={node_id(record): record})
    for direction, step in ((upstream, _upstream_of), (downstream, _downstream_of)):
        if not direction:
            continue
        queue, seen = [record], {node_id(record)}
        while queue and len(graph.nodes) < max_nodes:
            current = queue.pop(0)
            for other in step(current):
                key = node_id(other)
                graph.nodes.setdefault(key, other)
                edge = (key, node_id(current)) if step is _upstream_of else (node_id(current), key)
                graph.edges.add(edge)
                if key not in seen:
                    seen.add(key)
                    queue.append(other)
    return graph


def label(record: Any) -> str:
    """One line naming a node: an artifact's key, a run's transform and time (``_lineage_label``)."""
    return record._lineage_label()


def to_text(graph: LineageGraph) -> str:
    """The graph as text trees: what the root comes from (upstream), and what uses it (downstream)."""
    lines: list[str] = []

    def walk(node: str, prefix: str, nexts: Any, seen: set[str]) -> None:
        items = nexts(node)
        for i, child in enumerate(items):
            last = i == len(items) - 1
            repeat = child in seen
            lines.append(prefix + ("└── " if last else "├── ") + label(graph.nodes[child]) + (" (see above)" if repeat else ""))
            if not repeat:
                seen.add(child)
                walk(child, prefix + ("    " if last else "│   "), nexts, seen)

    root_label = label(graph.nodes[graph.root])
    for title, nexts in (("comes from", graph.parents), ("is used by", graph.children)):
        if nexts(graph.root):
            lines.append(f"{root_label} {title}:")
            walk(graph.root, "", nexts, {graph.root})
    if not lines:
        lines.append(f"{root_label}: no lineage recorded (it was not saved or loaded within ln.track())")
    return "\n".join(lines)


def to_graphviz(graph: LineageGraph) -> Any:
    """The graph as a ``graphviz.Digraph``, left to right, the root highlighted."""
    import graphviz

    dot = graphviz.Digraph(graph_attr={"rankdir": "LR"}, node_attr={"fontname": "Helvetica", "fontsize": "10"})
    for key, record in graph.nodes.items():
        text = label(record).replace(" [", "\n[")
        if record._lineage_round:
            style = {"shape": "ellipse", "style": "filled", "fillcolor": record._lineage_fill}
        else:
            style = {"shape": "box", "style": "rounded,filled", "fillcolor": record._lineage_fill}
        if key == graph.root:
            style["penwidth"] = "2.5"
        dot.node(key.replace(":", "_"), text, **style)
    for source, target in sorted(graph.edges):
        dot.edge(source.replace(":", "_"), target.replace(":", "_"))
    return dot


def has_dot() -> bool:
    return shutil.which("dot") is not None


def render(record: Any, upstream: bool = True, downstream: bool = False, jupyter: bool | None = None) -> str | None:
    """Draw the lineage: SVG inline in Jupyter, an SVG file on a terminal, else a text tree.

    Returns the SVG file's path, the text tree, or None when it was shown inline.
    """
    if record._state.adding:
        text = f"{type(record).__name__} is not saved yet: save it to record its lineage"
        print(text)
        return text
    graph = build_graph(record, upstream=upstream, downstream=downstream)
    if jupyter is None:
        from ..core._jupyter import ipython_kernel

        jupyter = ipython_kernel() is not None
    if has_dot():
        try:
            svg = to_graphviz(graph).pipe(format="svg")
        except Exception as e:  # noqa: BLE001 - a broken graphviz install falls back to text
            print(f"! graphviz could not draw the graph ({type(e).__name__}); text instead", file=sys.stderr)
        else:
            if jupyter:
                from IPython.display import SVG, display

                display(SVG(svg))
                return None
            from ..core.user_settings import settings

            path = Path(settings.cache_dir) / "lineage" / f"{type(record).__name__.lower()}_{record.uid}.svg"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(svg)
            print(to_text(graph))
            print(f"→ lineage graph: {path}")
            return str(path)
    text = to_text(graph)
    print(text)
    return text


class HasLineage:
    """Mixin of the registries that sit in lineage graphs (Artifact, Collection, Run).

    Each declares what it comes from (``_lineage_parents``), what uses it (``_lineage_children``), how a
    node is named (``_lineage_label``) and drawn (``_lineage_fill``, ``_lineage_round``).
    """

    _lineage_fill: ClassVar[str] = "#e8f1fb"  # the node's colour in graphs
    _lineage_round: ClassVar[bool] = False  # drawn as an ellipse (runs) rather than a box

    def _lineage_parents(self) -> list[Any]:
        """What this record comes from: the run that saved it."""
        return [self.run] if self.run_id is not None else []  # type: ignore[attr-defined]

    def _lineage_children(self) -> list[Any]:
        """What uses this record: the runs that loaded it."""
        return list(self.input_of_runs.all())  # type: ignore[attr-defined]

    def _lineage_label(self) -> str:
        """``key [Registry uid]``, or the description when there is no key."""
        title = self.key or self.description or "(no key)"  # type: ignore[attr-defined]
        return f"{title} [{type(self).__name__} {self.uid}]"  # type: ignore[attr-defined]

    def view_lineage(self, upstream: bool = True, downstream: bool = False) -> None:
        """Show where this record comes from (``upstream``) and what uses it (``downstream=True``).

        Jupyter shows an SVG graph; a terminal gets a text tree plus the path of an SVG file (when graphviz's
        ``dot`` is installed); without ``dot``, the text tree alone.

        >>> artifact.view_lineage(downstream=True)  # doctest: +SKIP
        """
        render(self, upstream=upstream, downstream=downstream)


def through_run(key: str, value: Any) -> Any:
    """``filter(transform=t)`` / ``transform__description__icontains=...`` on a registry with a ``run``: via the run."""
    if key.split("__", 1)[0] != "transform":
        return None
    from django.db.models import Q

    return Q(**{f"run__{key}": value})
