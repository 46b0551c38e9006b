"""Lineage graphs for the web: nodes and edges as JSON, and an SVG drawing that always works.

With graphviz's ``dot`` installed the SVG comes from ``models._lineage.to_graphviz``; without it (or
if it fails) a small layered layout drawn here: columns by distance from the sources, data flowing
left to right. Every node links to its record's page.

>>> svg(artifact)  # doctest: +SKIP
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from ._registries import slug

BOX_W, BOX_H, GAP_X, GAP_Y, PAD, ARC = 230, 46, 70, 22, 16, 40


def graph_of(record: Any, upstream: bool = True, downstream: bool = True) -> Any:
    from ..models._lineage import build_graph

    return build_graph(record, upstream=upstream, downstream=downstream, max_nodes=300)


def _key(graph: Any, node: str) -> str:
    record = graph.nodes[node]
    return f"{slug(type(record))}:{record.uid}"


def to_json(graph: Any) -> dict[str, Any]:
    """``{"root", "nodes": [{id, registry, uid, label}], "edges": [{source, target}]}`` (ids: ``registry:uid``)."""
    from ..models._lineage import label

    nodes = [
        {"id": _key(graph, n), "registry": slug(type(r)), "uid": r.uid, "label": label(r)}
        for n, r in sorted(graph.nodes.items())
    ]
    edges = [{"source": _key(graph, s), "target": _key(graph, t)} for s, t in sorted(graph.edges)]
    return {"root": _key(graph, graph.root), "nodes": nodes, "edges": edges}


def href(record: Any) -> str:
    return f"/{slug(type(record))}/{record.uid}"


def svg(record: Any, engine: str = "auto", downstream: bool = True) -> str:
    """The lineage of ``record`` as inline SVG markup; ``engine``: ``auto``, ``dot`` or ``builtin``."""
    graph = graph_of(record, downstream=downstream)
    if engine in {"auto", "dot"}:
        from ..models._lineage import has_dot

        if has_dot():
            try:
                return _dot_svg(graph)
            except Exception:  # noqa: BLE001 - a broken graphviz install: draw it ourselves
                pass
    return builtin_svg(graph)


def _dot_svg(graph: Any) -> str:
    from ..models._lineage import to_graphviz

    dot = to_graphviz(graph)
    for key, record in graph.nodes.items():
        dot.node(key.replace(":", "_"), URL=href(record), target="_top")
    text = dot.pipe(format="svg", encoding="utf-8")
    start = text.find("<svg")
    if start < 0:
        raise ValueError("graphviz gave no SVG")
    return '<div class="lineage" data-engine="dot">' + text[start:] + "</div>"


def _ranks(graph: Any) -> dict[str, int]:
    """Longest distance from a source node (cycles cannot loop: at most len(nodes) rounds)."""
    rank = {n: 0 for n in graph.nodes}
    for _ in range(len(rank)):
        changed = False
        for s, t in graph.edges:
            if rank[t] < rank[s] + 1 and rank[s] + 1 < len(rank):
                rank[t], changed = rank[s] + 1, True
        if not changed:
            break
    return rank


def _columns(graph: Any) -> list[list[str]]:
    rank = _ranks(graph)
    columns: list[list[str]] = [[] for _ in range(max(rank.values()) + 1)]
    for node in sorted(graph.nodes):
        columns[rank[node]].append(node)
    row: dict[str, float] = {}
    for col in columns:  # order each column by where its parents sit (fewer crossings)
        def weight(n: str) -> float:
            ps = [row[p] for p in graph.parents(n) if p in row]
            return sum(ps) / len(ps) if ps else float("inf")

        col.sort(key=lambda n: (weight(n), n))
        row.update({n: i for i, n in enumerate(col)})
    return columns


def _short(text: str, n: int = 34) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def builtin_svg(graph: Any) -> str:
    """A layered drawing of the graph, no external tools."""
    from ..models._lineage import label

    columns = _columns(graph)
    column_of = {n: i for i, col in enumerate(columns) for n in col}
    long_edges = {(s, t) for s, t in graph.edges if abs(column_of[t] - column_of[s]) != 1}
    top = PAD + (ARC if long_edges else 0)  # room above the boxes for edges that skip columns
    height = max(len(c) for c in columns) * (BOX_H + GAP_Y) - GAP_Y + PAD + top
    width = len(columns) * (BOX_W + GAP_X) - GAP_X + 2 * PAD
    pos: dict[str, tuple[float, float]] = {}
    for i, col in enumerate(columns):
        offset = (height - PAD - top - (len(col) * (BOX_H + GAP_Y) - GAP_Y)) / 2
        for j, node in enumerate(col):
            pos[node] = (PAD + i * (BOX_W + GAP_X), top + offset + j * (BOX_H + GAP_Y))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="Helvetica, Arial, sans-serif" font-size="11">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#667"/></marker></defs>',
    ]
    for s, t in sorted(graph.edges):
        (x1, y1), (x2, y2) = pos[s], pos[t]
        if (s, t) in long_edges:  # an arch over the columns in between, top to top
            x1, x2 = x1 + BOX_W * 0.6, x2 + BOX_W * 0.4
            d = f"M {x1:.0f} {y1:.0f} C {x1:.0f} {PAD / 2:.0f}, {x2:.0f} {PAD / 2:.0f}, {x2:.0f} {y2:.0f}"
        else:
            x1, y1, x2, y2 = x1 + BOX_W, y1 + BOX_H / 2, x2, y2 + BOX_H / 2
            mid = (x1 + x2) / 2
            d = f"M {x1:.0f} {y1:.0f} C {mid:.0f} {y1:.0f}, {mid:.0f} {y2:.0f}, {x2:.0f} {y2:.0f}"
        parts.append(f'<path class="edge" d="{d}" fill="none" stroke="#667" stroke-width="1.3" marker-end="url(#arrow)"/>')
    for node, record in sorted(graph.nodes.items()):
        x, y = pos[node]
        text = label(record)
        head, _, tail = text.partition(" [")
        tail = "[" + tail
        dated = re.match(r"^(.*) (\d{4}-\d{2}-\d{2} \d{2}:\d{2})(.*)$", head)
        if dated:  # a run: its name on the first line, when (and its status) whole on the second
            head, tail = dated.group(1), dated.group(2) + dated.group(3)
        fill = record._lineage_fill
        stroke = 'stroke="#1d4f91" stroke-width="2.5"' if node == graph.root else 'stroke="#8895a7" stroke-width="1"'
        rx = BOX_H / 2 if record._lineage_round else 8
        parts.append(
            f'<a href="{escape(href(record))}" class="node"><g><title>{escape(text)}</title>'
            f'<rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{BOX_H}" rx="{rx:.0f}" fill="{fill}" {stroke}/>'
            f'<text x="{x + BOX_W / 2:.0f}" y="{y + 19:.0f}" text-anchor="middle" fill="#111">{escape(_short(head))}</text>'
            f'<text x="{x + BOX_W / 2:.0f}" y="{y + 34:.0f}" text-anchor="middle" fill="#556">{escape(_short(tail))}</text>'
            "</g></a>"
        )
    parts.append("</svg>")
    return '<div class="lineage" data-engine="builtin">' + "".join(parts) + "</div>"
