"""HTML pages: home, the registry index and per-registry lists (server-side search, filters, pagination).

>>> # GET /artifact?q=rnaseq&prefix=my_datasets/&label=DMSO&feature=temperature&value=21.6&page=2
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from . import _registries as reg
from ._html import cell, e, layout, pager, table
from ._http import HTTPError, Request, Response

PER_PAGE = 50
SKIP = {"id", "uid", "branch", "hash", "synonyms", "description", "updated_at", "created_by", "run", "source", "reference"}


def columns(model: Any) -> list[str]:
    """The list columns after name and uid (never the field the name column already shows)."""
    title = reg.title_field(model)
    if model._list_columns:  # declared on the registry's class
        return [c for c in model._list_columns if c != title]
    shown = {title, "name"}  # the first column is headed "name" whichever field it shows (a user's handle)
    names = [f.name for f in reg.fields(model) if f.name not in SKIP and not f.is_relation and f.name not in shown]
    return names[:6]


def _title_cell(record: Any) -> str:
    return f'<a href="/{e(reg.slug(type(record)))}/{e(record.uid)}">{e(reg.title(record))}</a>'


def _row(record: Any, cols: list[str]) -> list[str]:
    from ..models._artifact_describe import human_size

    cells = [_title_cell(record), f"<code>{e(record.uid)}</code>"]
    for c in cols:
        v: Any = getattr(record, c, None)
        if c == "size" and v is not None:
            v = human_size(v)
        elif hasattr(v, "strftime"):
            v = v.strftime("%Y-%m-%d %H:%M")
        cells.append(cell(v))
    return cells


def records_table(records: list[Any], model: Any) -> str:
    cols = columns(model)
    computed = bool(model._display_relations)  # a title made from related records (runs: transform, start)
    head = [model.__name__.lower() if computed else "name", "uid", *cols]
    return table(head, (_row(r, cols) for r in records), empty=f"no {model.__name__} records")


def home(request: Request, write: bool) -> Response:
    from ..models import Artifact, Run

    counts = reg.counts()
    cards = "".join(
        f'<a class=card href="/{e(name)}"><b>{n}</b>{e(model.__name__)}</a>'
        for (name, model), n in ((item, counts[item[0]]) for item in reg.models().items()) if n or "." not in name
    )
    latest = list(Artifact.filter().order_by("-id").exclude(kind="__lineagedb__")[:10])
    runs = list(Run.filter().select_related("transform").order_by("-id")[:10])
    body = (
        f"<h1>Instance overview</h1><div class=cards>{cards}</div>"
        f"<h2>Latest artifacts</h2>{records_table(latest, Artifact)}"
        f"<h2>Latest runs</h2>{records_table(runs, Run)}"
    )
    return Response.html(layout("Home", body, active="/", write=write))


def registries(request: Request, write: bool) -> Response:
    counts = reg.counts()
    rows = [[f'<a href="/{e(name)}">{e(model.__name__)}</a>', e(model._meta.app_label), str(counts[name])]
            for name, model in reg.models().items()]
    body = "<h1>Registries</h1>" + table(["registry", "module", "records"], rows)
    return Response.html(layout("Registries", body, active="/registries", write=write))


def _labeled_filters(request: Request, registry: str) -> tuple[str, list[Any]]:
    """The filter form of a registry whose records carry labels and features (artifacts), and its conditions."""
    extra: list[Any] = []
    prefix, label = request.arg("prefix", ""), request.arg("label", "")
    feature, value = request.arg("feature", ""), request.arg("value", "")
    if prefix:
        request.query["key__startswith"] = [prefix]
    if label:
        extra.append(reg.label_filter(label))
    form = (
        f'<form class=filters method=get action="/{e(registry)}">'
        f'<input type=search name=q value="{e(request.arg("q", ""))}" placeholder="search" aria-label=search>'
        f'<input name=prefix value="{e(prefix)}" placeholder="key prefix, e.g. my_datasets/" aria-label="key prefix">'
        f'<input name=label value="{e(label)}" placeholder="label name" aria-label=label>'
        f'<input name=feature value="{e(feature)}" placeholder="feature" aria-label=feature>'
        f'<input name=value value="{e(value)}" placeholder="value" aria-label="feature value">'
        f'<button type=submit>Filter</button><a href="/{e(registry)}">reset</a></form>'
    )
    return form, extra


def registry_list(request: Request, registry: str, write: bool) -> Response:
    model = reg.registry(registry)
    page = request.int_arg("page", 1, 1)
    q = request.arg("q") or None
    if model._labels_as_links:  # declared on the class: labels, features and key prefixes to filter by
        form, extra = _labeled_filters(request, registry)
        if "kind" not in request.query:  # tracking's environments and reports show on their run's page
            from django.db.models import Q

            from ..models._lineage_kind import INTERNAL_KIND

            extra.append(~Q(kind=INTERNAL_KIND))
    else:
        form, extra = (
            f'<form class=filters method=get action="/{e(registry)}"><input type=search name=q value="{e(q or "")}" '
            f'placeholder="search {e(model.__name__)}" aria-label=search><button type=submit>Search</button></form>', []
        )
    from ._annotated import is_annotated
    from ._usage import label_link

    labels = label_link(model) is not None
    order = request.arg("order") or None
    try:
        qs = reg.query(model, reg.lookups(model, request.query), q=q, order=order, extra=extra)
        if labels:
            from ._usage import in_use_first, with_usage

            qs = with_usage(model, qs) if q or order else in_use_first(model, qs)
        result = reg.paginate(qs, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
        side = facets_html(request, model, qs) if is_annotated(model) else ""
    except HTTPError as err:
        body = f"<h1>{e(model.__name__)}</h1>{form}<p class=error>{e(err.message)}</p>"
        return Response.html(layout(model.__name__, body, active=f"/{registry}", write=write), status=err.status)
    listing = usage_tables(result.records, model) if labels else records_table(result.records, model)
    body = (f"<h1>{e(model.__name__)} <span class=muted>({result.count})</span></h1>{form}"
            f"<div class=with-facets>{side}<div class=listing>{listing}{pager(request, result.count, page, PER_PAGE)}"
            "</div></div>")
    return Response.html(layout(model.__name__, body, active=f"/{registry}", write=write))


def facets_html(request: Request, model: Any, qs: Any) -> str:
    """The facet panel: each value links to this list narrowed by it (active ones link back)."""
    from ._facets import facets

    parts = []
    for facet in facets(model, qs):
        items = []
        for v in facet.values:
            active = all(request.arg(k) == val for k, val in v.params.items())
            href = request.url(page=None, **({k: None for k in v.params} if active else v.params))
            items.append(f'<li><a href="{e(href)}"{" class=active" if active else ""}>{e(v.text)}</a> '
                         f"<span class=count>{v.count}</span></li>")
        parts.append(f"<h3>{e(facet.title)}</h3><ul>{''.join(items)}</ul>")
    return f"<aside class=facets aria-label=facets>{''.join(parts)}</aside>" if parts else ""


MAX_ANCESTORS = 200  # shown per term


def ancestors_html(record: Any) -> str:
    """A term's ancestors (parents, their parents, ...) folded in a details element; '' without a hierarchy."""
    from ._relations import ancestors, hierarchical

    if hierarchical(type(record)) is None:
        return ""
    found = ancestors(record, limit=MAX_ANCESTORS)
    if not found:
        return "<span class=muted>none</span>"
    items = "".join(f"<li>{_title_cell(a)}</li>" for a in found)
    noun = "ancestor" if len(found) == 1 else "ancestors"
    return f"<details class=ancestors><summary>{len(found)} {noun}</summary><ul>{items}</ul></details>"


def usage_tables(records: list[Any], model: Any) -> str:
    """Terms with artifacts first (with their counts and, in a hierarchy, their ancestors folded away);
    the others (e.g. ancestors added with a term) folded away below."""
    cols = columns(model)
    head = ["name", "uid", "artifacts", *cols]
    from ._relations import hierarchical

    hierarchy = hierarchical(model) is not None

    def row(r: Any, ancestors: bool = False) -> list[str]:
        cells = _row(r, cols)
        n = r.n_artifacts
        count = f'<a href="/artifact?{e(urlencode({"label": reg.title(r)}))}">{n}</a>' if n else "0"
        return cells[:2] + [count] + ([ancestors_html(r)] if ancestors else []) + cells[2:]

    used = [r for r in records if r.n_artifacts]
    unused = [r for r in records if not r.n_artifacts]
    used_head = head[:3] + (["ancestors"] if hierarchy else []) + head[3:]
    out = table(used_head, (row(r, hierarchy) for r in used), empty=f"no {model.__name__} on this page labels an artifact")
    if unused:
        folded = table(head, (row(r) for r in unused))
        out += (f"<details class=unused{' open' if not used else ''}><summary>{len(unused)} "
                f"{e(model.__name__)} records without artifacts (e.g. ancestors)</summary>{folded}</details>")
    return out
