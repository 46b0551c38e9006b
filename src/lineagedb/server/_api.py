"""The JSON API under ``/api/``: django-ninja operations routed by Django's URL dispatch.

Each registry gets its operations, declared once below with typed parameters and response models
(``_schemas``); the same declarations route requests and write ``/api/openapi.json``:

    GET   /api/registries                         slugs, names and counts
    GET   /api/{registry}?q=&limit=&offset=&order=&label=&feature=&value=&facets=&<lookup>=<value>
    GET   /api/{registry}/{uid}                   fields and relations
    GET   /api/{registry}/{uid}/lineage           nodes and edges (artifact, collection, run)
    PATCH /api/{registry}/{uid}                   {"description": "..."}              (--allow-write)
    POST  /api/artifact/{uid}/labels              {"registry": "record", "name": "DMSO", "feature": "perturbation"}

Errors are ``{"error": "<reason>"}`` with a 4xx/5xx status (the app's checks and handlers share them).

>>> api = JsonApi(allow_write=False, token=None)  # doctest: +SKIP
>>> api.handle(request).status  # doctest: +SKIP
200
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Body, NinjaAPI, Path, Query

from . import _registries as reg
from . import _schemas as s
from ._http import HTTPError, Request, Response
from ._relations import brief, relations

Param = inspect.Parameter


def _json(data: Any, status: int = 200) -> HttpResponse:
    body = json.dumps(data, default=str, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type="application/json")


def _query(request: HttpRequest) -> dict[str, list[str]]:
    return {k: request.GET.getlist(k) for k in request.GET}


def _signature(func: Callable, **params: Any) -> Callable:
    """``func`` with a typed signature ninja reads (``request`` first, then ``params``: name -> annotation)."""
    head = [Param("request", Param.POSITIONAL_OR_KEYWORD)]
    func.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        head + [Param(n, Param.POSITIONAL_OR_KEYWORD, annotation=a) for n, a in params.items()])
    return func


OPTIONS = ("label", "prefix", "facets")  # list parameters only some registries have (see _schemas.query_model)


# -- handlers (one per kind of operation; bound to a registry when declared) -------------------------
def list_records(request: HttpRequest, model: Any, params: Any) -> HttpResponse:
    name = reg.slug(model)
    query = _query(request)
    for option in OPTIONS:
        if option in query and option not in type(params).model_fields:
            raise HTTPError(400, f"{option}= is not offered for {model.__name__} records; see /api/openapi.json")
    extra = []
    if getattr(params, "label", None):
        extra.append(reg.label_filter(params.label))
    if getattr(params, "prefix", None):
        query["key__startswith"] = [params.prefix]
    qs = reg.query(model, reg.lookups(model, query), q=params.q or None, order=params.order, extra=extra)
    page = reg.paginate(qs, limit=params.limit, offset=params.offset)
    out: dict[str, Any] = {"registry": name, "count": page.count, "limit": params.limit, "offset": params.offset,
                           "results": [reg.to_json(r) for r in page.records]}
    if getattr(params, "facets", False):
        from dataclasses import asdict

        from ._facets import facets

        out["facets"] = [asdict(f) for f in facets(model, qs)]
    return _json(out)


def get_record(request: HttpRequest, model: Any, uid: str) -> HttpResponse:
    record = reg.get(model, uid)
    return _json({"registry": reg.slug(model), "record": reg.to_json(record, detail=True), "relations": relations(record)})


def lineage(request: HttpRequest, model: Any, uid: str, params: s.LineageQuery) -> HttpResponse:
    from ._svg import graph_of, to_json

    record = reg.get(model, uid)
    return _json(to_json(graph_of(record, upstream=params.upstream, downstream=params.downstream)))


def edit(request: HttpRequest, model: Any, uid: str, body: s.EditBody) -> HttpResponse:
    record = reg.get(model, uid)
    record.description = body.description or None
    record.save()
    return _json({"registry": reg.slug(model), "record": reg.to_json(record, detail=True), "relations": relations(record)})


def registries(request: HttpRequest) -> HttpResponse:
    counts = reg.counts()
    return _json([{"registry": name, "name": model.__name__, "module": model._meta.app_label, "count": counts[name]}
                  for name, model in reg.models().items()])


def annotate(request: HttpRequest, uid: str, body: s.AnnotateBody) -> HttpResponse:
    from ..models import Artifact
    from ..models._labels import LABEL_LINKS, link_of

    if not (body.uid or body.name):
        raise HTTPError(400, 'send {"registry": "record", "name": "<label name>" or "uid": "<uid>", "feature": "<optional>"}')
    artifact = reg.get(Artifact, uid)
    model = reg.registry(body.registry)
    if model._meta.label not in LABEL_LINKS:
        raise HTTPError(400, f"{model.__name__} is not a label registry")
    lookup = {"uid": body.uid} if body.uid else {"name": body.name}
    labels = list(model.filter(**lookup)[:2])
    if len(labels) != 1:
        found = "no" if not labels else "several"
        raise HTTPError(400, f"{found} {model.__name__} records match {lookup}; create the label first or pass its uid")
    getattr(artifact, link_of(model)[2]).add(labels[0], feature=body.feature)
    return _json({"artifact": brief(artifact), "label": brief(labels[0]), "feature": body.feature}, status=201)


# -- declaration -----------------------------------------------------------------------------------
def _responses(ok: Any, *codes: int, status: int = 200) -> dict[int, Any]:
    return {status: ok, **{code: s.Error for code in (400, 401, *codes, 503)}}


class _Api(NinjaAPI):
    """django-ninja's API with the token scheme added to the document (the app checks the token itself)."""

    def __init__(self, token: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._token = token
        self._spec: Any = None  # the OpenAPI schema, made on first request

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        if self._spec is None:
            spec = super().get_openapi_schema(path_prefix="/api/")
            if self._token is not None:
                spec["components"]["securitySchemes"] = {"token": {"type": "http", "scheme": "bearer"}}
                spec["security"] = [{"token": []}]
            self._spec = spec
        return self._spec


def _bind(handler: Callable, model: Any, **params: Any) -> Callable:
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return handler(request, model, **kwargs)

    view.__name__ = f"{handler.__name__}_{reg.slug(model).replace('.', '_')}"
    return _signature(view, **params)


def _declare_registry(api: NinjaAPI, name: str, model: Any, allow_write: bool) -> None:
    title = model.__name__
    api.get(f"/{name}", response=_responses(s.page_model(model)), operation_id=f"list_{name}", by_alias=True,
            summary=f"List, filter and search {title} records", description=s.LOOKUPS_DOC, tags=[name])(
        _bind(list_records, model, params=Query[s.query_model(model)]))  # type: ignore[misc]
    uid = Path[s.UID]
    api.get(f"/{name}/{{uid}}", response=_responses(s.detail_model(model), 404), operation_id=f"get_{name}",
            by_alias=True, summary=f"One {title} with its relations", tags=[name])(_bind(get_record, model, uid=uid))
    if allow_write and "description" in {f.name for f in model._meta.concrete_fields}:
        api.patch(f"/{name}/{{uid}}", response=_responses(s.detail_model(model), 403, 404, 408, 413, 415),
                  operation_id=f"edit_{name}", by_alias=True, summary=f"Edit the description of one {title}", tags=[name])(
            _bind(edit, model, uid=uid, body=Body[s.EditBody]))
    if reg.has_lineage(model):
        api.get(f"/{name}/{{uid}}/lineage", response=_responses(s.Lineage, 404), operation_id=f"lineage_{name}",
                summary=f"Lineage of one {title} as nodes and edges", tags=[name])(
            _bind(lineage, model, uid=uid, params=Query[s.LineageQuery]))


def build(allow_write: bool, token: str | None) -> NinjaAPI:
    """The API of the current instance: operations for each registry (writes only when allowed)."""
    from .. import __version__

    api = _Api(token, title="lineagedb", version=__version__, docs_url=None, urls_namespace="lineagedb",
               description="Read an instance's registries, records and lineage. Authenticate with "
                           "'Authorization: Bearer <token>' when the server was started with a token.")
    api.get("/registries", response=_responses(list[s.RegistryCount]), operation_id="registries",
            summary="The registries of this instance with their record counts")(registries)
    for name, model in reg.models().items():
        _declare_registry(api, name, model, allow_write)
    if allow_write:
        api.post("/artifact/{uid}/labels", response=_responses(s.Labeled, 403, 404, 408, 413, 415, status=201),
                 operation_id="annotate_artifact", summary="Annotate an artifact with an existing label")(
            _signature(annotate, uid=Path[s.UID], body=Body[s.AnnotateBody]))
    _errors_as_http_errors(api)
    return api


def _errors_as_http_errors(api: NinjaAPI) -> None:
    """Let every error leave ninja as :class:`HTTPError` (or as itself), so the app answers all errors alike."""
    from django.http import Http404
    from ninja.errors import HttpError, ValidationError

    # ninja declares that a handler may get the exception or its class; it passes the raised exception
    def reraise(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
        raise exc

    def invalid(request: HttpRequest, exc: ValidationError | type[ValidationError]) -> HttpResponse:
        found = exc.errors if isinstance(exc, ValidationError) else []
        raise HTTPError(400, s.message(found, {k: request.GET.get(k, "") for k in request.GET}))

    def http_error(request: HttpRequest, exc: HttpError | type[HttpError]) -> HttpResponse:
        raise HTTPError(exc.status_code if isinstance(exc, HttpError) else 500, str(exc))

    def not_found(request: HttpRequest, exc: Http404 | type[Http404]) -> HttpResponse:
        raise HTTPError(404, f"nothing at {request.path}")

    api.add_exception_handler(Exception, reraise)
    api.add_exception_handler(ValidationError, invalid)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)


class _URLConf:
    """A URL configuration object for Django's resolver (instead of a settings module)."""

    def __init__(self, urlpatterns: list[Any]) -> None:
        self.urlpatterns = urlpatterns


class JsonApi:
    """The API of one app: Django resolves ``/api/...`` to ninja's views; their answers become :class:`Response`."""

    def __init__(self, allow_write: bool, token: str | None) -> None:
        from django.urls import path
        from django.urls.resolvers import RegexPattern, URLResolver

        self.api = build(allow_write, token)
        self.urlconf = _URLConf([path("api/", self.api.urls)])
        self.resolver = URLResolver(RegexPattern(r"^/"), self.urlconf)  # type: ignore[arg-type]  # any urlpatterns holder

    def handle(self, request: Request) -> Response:
        from django.core.handlers.wsgi import WSGIRequest
        from django.http import Http404
        from django.urls import Resolver404, set_urlconf

        path = request.path.rstrip("/") if request.path not in {"/api", "/api/"} else "/api/"
        set_urlconf(self.urlconf)  # type: ignore[arg-type]  # Django takes a module or an object with urlpatterns
        try:
            try:
                match = self.resolver.resolve(path)
            except Resolver404:
                raise HTTPError(404, _missing(path)) from None
            django_request = WSGIRequest(request.environ)
            if django_request.method == "HEAD":
                django_request.method = "GET"  # the app drops the body
            try:
                answer = match.func(django_request, *match.args, **match.kwargs)
            except Http404:
                raise HTTPError(404, _missing(path)) from None
        finally:
            set_urlconf(None)
        if answer.status_code == 405:
            raise HTTPError(405, f"{request.method} is not allowed here; use {answer.get('Allow', 'GET')}")
        headers = [(k, v) for k, v in answer.items() if k.lower() != "content-length"]
        return Response(answer.status_code, answer.content, headers)


def _missing(path: str) -> str:
    """Why nothing answers at ``path`` (an unknown registry names the known ones)."""
    parts = path.strip("/").split("/")
    if len(parts) >= 2 and parts[1] != "registries":
        reg.registry(parts[1])  # raises: no registry ...; registries: ...
        if len(parts) == 4 and parts[3] == "lineage":
            return f"lineage is recorded for {', '.join(reg.lineage_registries())}, not {parts[1]!r}"
    return f"nothing at {path}; the API is described at /api/openapi.json"
