"""The JSON API under ``/api/``: list/filter/search/get per registry, lineage, and (with --allow-write) edits.

    GET   /api/registries                         slugs, names and counts
    GET   /api/{registry}?q=&limit=&offset=&order=&label=&feature=&value=&facets=&<lookup>=<value>
    GET   /api/{registry}/{uid}                   fields and relations
    GET   /api/{registry}/{uid}/lineage           nodes and edges (artifact, collection, run)
    PATCH /api/{registry}/{uid}                   {"description": "..."}              (--allow-write)
    POST  /api/artifact/{uid}/labels              {"registry": "record", "name": "DMSO", "feature": "perturbation"}

>>> import urllib.request, json
>>> json.load(urllib.request.urlopen("http://127.0.0.1:8700/api/artifact?key__startswith=my_datasets/"))  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from . import _registries as reg
from ._http import HTTPError, Request, Response, Router
from ._relations import brief, relations

LINEAGE_REGISTRIES = {"artifact", "collection", "run"}


def list_view(request: Request, registry: str) -> Response:
    model = reg.registry(registry)
    limit = request.int_arg("limit", 50, 1, reg.MAX_LIMIT)
    offset = request.int_arg("offset", 0, 0)
    extra = []
    label = request.arg("label")
    if label:
        if model.__name__ != "Artifact":
            raise HTTPError(400, "label= filters artifacts only")
        extra.append(reg.label_filter(label))
    prefix = request.arg("prefix")
    if prefix and any(f.name == "key" for f in model._meta.concrete_fields):
        request.query["key__startswith"] = [prefix]
    qs = reg.query(model, reg.lookups(model, request.query), q=request.arg("q") or None,
                   order=request.arg("order") or None, extra=extra)
    page = reg.paginate(qs, limit=limit, offset=offset)
    out: dict[str, Any] = {"registry": registry, "count": page.count, "limit": limit, "offset": offset,
                           "results": [reg.to_json(r) for r in page.records]}
    if request.arg("facets", "false") not in {"true", "false"}:
        raise HTTPError(400, "facets takes true or false")
    if request.arg("facets") == "true":
        from dataclasses import asdict

        from ._annotated import is_annotated
        from ._facets import facets

        if not is_annotated(model):
            raise HTTPError(400, "facets= is offered for artifacts and collections")
        out["facets"] = [asdict(f) for f in facets(model, qs)]
    return Response.json(out)


def detail_view(request: Request, registry: str, uid: str) -> Response:
    model = reg.registry(registry)
    record = reg.get(model, uid)
    return Response.json({"registry": registry, "record": reg.to_json(record, detail=True), "relations": relations(record)})


def lineage_view(request: Request, registry: str, uid: str) -> Response:
    from ._svg import graph_of, to_json

    if registry not in LINEAGE_REGISTRIES:
        raise HTTPError(404, f"lineage is recorded for {', '.join(sorted(LINEAGE_REGISTRIES))}, not {registry!r}")
    record = reg.get(reg.registry(registry), uid)
    upstream = request.arg("upstream", "true") != "false"
    downstream = request.arg("downstream", "true") != "false"
    return Response.json(to_json(graph_of(record, upstream=upstream, downstream=downstream)))


def registries_view(request: Request) -> Response:
    counts = reg.counts()
    return Response.json([
        {"registry": name, "name": model.__name__, "module": model._meta.app_label, "count": counts[name]}
        for name, model in reg.models().items()
    ])


def edit_view(request: Request, registry: str, uid: str) -> Response:
    model = reg.registry(registry)
    body = request.json()
    if not isinstance(body, dict) or set(body) != {"description"} or not isinstance(body["description"], (str, type(None))):
        raise HTTPError(400, 'send {"description": "<text>"} (the only field the web UI edits)')
    if not any(f.name == "description" for f in model._meta.concrete_fields):
        raise HTTPError(400, f"{model.__name__} has no description")
    record = reg.get(model, uid)
    record.description = body["description"] or None
    record.save()
    return Response.json({"registry": registry, "record": reg.to_json(record, detail=True)})


def _label_model(name: str) -> Any:
    from ..models._labels import LABEL_LINKS

    model = reg.registry(name)
    if model._meta.label not in LABEL_LINKS:
        raise HTTPError(400, f"{model.__name__} is not a label registry")
    return model


def annotate_view(request: Request, uid: str) -> Response:
    from ..models import Artifact

    body = request.json()
    if not isinstance(body, dict) or not isinstance(body.get("uid") or body.get("name"), str):
        raise HTTPError(400, 'send {"registry": "record", "name": "<label name>" or "uid": "<uid>", "feature": "<optional>"}')
    artifact = reg.get(Artifact, uid)
    model = _label_model(str(body.get("registry") or "record"))
    lookup = {"uid": body["uid"]} if body.get("uid") else {"name": body["name"]}
    labels = list(model.filter(**lookup)[:2])
    if len(labels) != 1:
        found = "no" if not labels else "several"
        raise HTTPError(400, f"{found} {model.__name__} records match {lookup}; create the label first or pass its uid")
    from ..models._labels import link_of

    feature = body.get("feature")
    if feature is not None and not isinstance(feature, str):
        raise HTTPError(400, "feature must be a feature's name")
    getattr(artifact, link_of(model)[2]).add(labels[0], feature=feature)
    return Response.json({"artifact": brief(artifact), "label": brief(labels[0]), "feature": feature}, status=201)


def openapi_view(request: Request) -> Response:
    from ._openapi import spec

    return Response.json(spec(allow_write=request.environ.get("lineagedb.allow_write", False)))


def add_routes(router: Router) -> None:
    router.add("GET", "/api/openapi.json", openapi_view)
    router.add("GET", "/api/registries", registries_view)
    router.add("GET", "/api/{registry}", list_view)
    router.add("GET", "/api/{registry}/{uid}", detail_view)
    router.add("PATCH", "/api/{registry}/{uid}", edit_view)
    router.add("GET", "/api/{registry}/{uid}/lineage", lineage_view)
    router.add("POST", "/api/artifact/{uid}/labels", annotate_view)
