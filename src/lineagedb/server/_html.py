"""HTML building blocks: the page layout (``templates/base.html``), links, tables, pagers.

Every piece of data goes through :func:`e` (``html.escape``); helpers take already-escaped HTML
only where their parameter says ``html``.

>>> e("<b>")
'&lt;b&gt;'
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from html import escape
from importlib.resources import files
from string import Template
from typing import Any

NAV = [("/", "Home"), ("/artifact", "Artifacts"), ("/collection", "Collections"), ("/transform", "Transforms"),
       ("/run", "Runs"), ("/record", "Records"), ("/feature", "Features"), ("/schema", "Schemas"), ("/registries", "All registries")]


def e(value: Any) -> str:
    """Escape anything for HTML text and attribute values."""
    return escape("" if value is None else str(value), quote=True)


@cache
def asset(name: str) -> bytes:
    return files("lineagedb.server").joinpath(name).read_bytes()


def layout(title: str, body_html: str, active: str = "", head_html: str = "", write: bool = False) -> str:
    from .. import __version__
    from ..core.instance import current

    inst = current()
    nav = "".join(f'<a href="{href}"{" class=active" if href == active else ""}>{e(text)}</a>' for href, text in NAV)
    return Template(asset("templates/base.html").decode()).substitute(
        title=e(title), head=head_html, instance=e(inst.name if inst else ""), nav=nav, body=body_html,
        version=e(__version__), mode="read-write" if write else "read-only",
    )


def link(item: dict[str, Any] | None) -> str:
    """A link to a record from its ``brief`` (registry, uid, title)."""
    if not item:
        return "<span class=muted>-</span>"
    return f'<a href="/{e(item["registry"])}/{e(item["uid"])}">{e(item["title"])}</a>'


def table(headers: list[str], rows_html: Iterable[list[str]], empty: str = "nothing here") -> str:
    rows = list(rows_html)
    if not rows:
        return f"<p class=muted>{e(empty)}</p>"
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<div class=scroll><table class=table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def fields(items: Iterable[tuple[str, str]]) -> str:
    """A definition list; values are HTML."""
    return "<dl class=fields>" + "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in items) + "</dl>"


def cell(value: Any, limit: int = 80) -> str:
    if value is None or value == "":
        return "<span class=muted>-</span>"
    text = str(value)
    if len(text) > limit:
        return f'<span title="{e(text[:2000])}">{e(text[: limit - 1])}…</span>'
    return e(text)


def pager(request: Any, count: int, page: int, per_page: int) -> str:
    pages = max(1, -(-count // per_page))
    prev = f'<a href="{e(request.url(page=page - 1))}" rel="prev">‹ previous</a>' if page > 1 else ""
    nxt = f'<a href="{e(request.url(page=page + 1))}" rel="next">next ›</a>' if page < pages else ""
    return f"<div class=pager>{prev}<span class=muted>page {page} of {pages} · {count} records</span>{nxt}</div>"


def error_page(status: int, message: str, write: bool = False) -> str:
    return layout(f"Error {status}", f"<h1>Error {status}</h1><p class=error>{e(message)}</p>", write=write)
