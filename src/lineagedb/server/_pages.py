"""HTML pages: home, the registry index and per-registry lists (server-side search, filters, pagination).

>>> # GET /artifact?q=rnaseq&prefix=my_datasets/&label=DMSO&feature=temperature&value=21.6&page=2
"""

from __future__ import annotations

from typing import Any

from . import _registries as reg
from ._html import cell, e, layout, pager, table
from ._http import HTTPError, Request, Response

PER_PAGE = 50
COLUMNS = {
    "Artifact": ["key", "description", "suffix", "size", "version", "created_at"],
    "Collection": ["key", "description", "version", "created_at"],
    "Transform": ["key", "kind", "version", "description", "created_at"],
    "Run": ["status", "started_at", "finished_at"],
    "Storage": ["root", "type", "region"],
}
SKIP = {"id", "uid", "branch", "hash", "synonyms", "description", "updated_at", "created_by", "run", "source", "reference"}


def columns(model: Any) -> list[str]:
    if model.__name__ in COLUMNS:
        return COLUMNS[model.__name__]
    names = [f.name for f in reg.fields(model) if f.name not in SKIP and not f.is_relation]
    return names[:6]


def _title_cell(record: Any) -> str:
    return f'<a href="/{e(reg.slug(type(record)))}/{e(record.uid)}">{e(reg.title(record))}</a>'


def _row(record: Any, cols: list[str]) -> list[str]:
    from ..models._artifact_describe import human_size

    cells = [_title_cell(record), f"<code>{e(record.uid)}</code>"]
    for c in cols:
        v = getattr(record, c, None)
        if c == "size" and v is not None:
            v = human_size(v)
        elif hasattr(v, "strftime"):
            v = v.strftime("%Y-%m-%d %H:%M")
        cells.append(cell(v))
    return cells


def records_table(records: list[Any], model: Any) -> str:
    cols = columns(model)
    head = ["name" if model.__name__ != "Run" else "run", "uid", *cols]
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


def _artifact_filters(request: Request) -> tuple[str, list[Any]]:
    """The artifact list's filter form and the conditions it sets."""
    extra: list[Any] = []
    prefix, label = request.arg("prefix", ""), request.arg("label", "")
    feature, value = request.arg("feature", ""), request.arg("value", "")
    if prefix:
        request.query["key__startswith"] = [prefix]
    if label:
        extra.append(reg.label_filter(label))
    form = (
        '<form class=filters method=get action="/artifact">'
        f'<input type=search name=q value="{e(request.arg("q", ""))}" placeholder="search" aria-label=search>'
        f'<input name=prefix value="{e(prefix)}" placeholder="key prefix, e.g. my_datasets/" aria-label="key prefix">'
        f'<input name=label value="{e(label)}" placeholder="label name" aria-label=label>'
        f'<input name=feature value="{e(feature)}" placeholder="feature" aria-label=feature>'
        f'<input name=value value="{e(value)}" placeholder="value" aria-label="feature value">'
        '<button type=submit>Filter</button><a href="/artifact">reset</a></form>'
    )
    return form, extra


def registry_list(request: Request, registry: str, write: bool) -> Response:
    model = reg.registry(registry)
    page = request.int_arg("page", 1, 1)
    q = request.arg("q") or None
    if model.__name__ == "Artifact":
        form, extra = _artifact_filters(request)
        if "kind" not in request.query:  # tracking's environments and reports show on their run's page
            from django.db.models import Q

            from ..models._lineage_kind import INTERNAL_KIND

            extra.append(~Q(kind=INTERNAL_KIND))
    else:
        form, extra = (
            f'<form class=filters method=get action="/{e(registry)}"><input type=search name=q value="{e(q or "")}" '
            f'placeholder="search {e(model.__name__)}" aria-label=search><button type=submit>Search</button></form>', []
        )
    try:
        result = reg.list_records(model, request.query, limit=PER_PAGE, offset=(page - 1) * PER_PAGE, q=q,
                                  order=request.arg("order") or None, extra=extra)
    except HTTPError as err:
        body = f"<h1>{e(model.__name__)}</h1>{form}<p class=error>{e(err.message)}</p>"
        return Response.html(layout(model.__name__, body, active=f"/{registry}", write=write), status=err.status)
    body = (f"<h1>{e(model.__name__)} <span class=muted>({result.count})</span></h1>{form}"
            f"{records_table(result.records, model)}{pager(request, result.count, page, PER_PAGE)}")
    return Response.html(layout(model.__name__, body, active=f"/{registry}", write=write))
