"""The OpenAPI 3.0 description of the JSON API, generated from the instance's registries.

Each registry gets its own paths and a record schema typed from its fields, so clients in any
language (R's httr2, Python's requests, ...) know what they get.

>>> spec()["paths"]["/api/artifact"]["get"]["summary"]  # doctest: +SKIP
'List, filter and search Artifact records'
"""

from __future__ import annotations

from typing import Any

from . import _registries as reg
from ._api import LINEAGE_REGISTRIES

ERROR = {"$ref": "#/components/schemas/Error"}


def _field_schema(f: Any) -> dict[str, Any]:
    kind = f.get_internal_type()
    if f.is_relation or kind in {"AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
                                  "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField"}:
        out: dict[str, Any] = {"type": "integer"}
    elif kind == "FloatField":
        out = {"type": "number"}
    elif kind == "BooleanField":
        out = {"type": "boolean"}
    elif kind == "DateTimeField":
        out = {"type": "string", "format": "date-time"}
    elif kind == "DateField":
        out = {"type": "string", "format": "date"}
    elif kind == "JSONField":
        return {"description": "any JSON value", "nullable": True}
    else:
        out = {"type": "string"}
    if f.null:
        out["nullable"] = True
    return out


def _record_schema(model: Any, detail: bool) -> dict[str, Any]:
    fields = reg.fields(model, detail=detail)
    return {
        "type": "object",
        "properties": {f.attname: _field_schema(f) for f in fields},
        "required": [f.attname for f in fields],
    }


def _responses(ok: dict[str, Any], *codes: int) -> dict[str, Any]:
    out: dict[str, Any] = {"200": {"description": "OK", "content": {"application/json": {"schema": ok}}}}
    text = {400: "invalid query or body", 401: "missing or wrong token", 403: "read-only server",
            404: "no such record", 415: "body must be JSON"}
    for code in (400, 401, *codes):
        out[str(code)] = {"description": text[code], "content": {"application/json": {"schema": ERROR}}}
    return out


def _params(*names: str) -> list[dict[str, Any]]:
    table = {
        "q": {"description": "ranked search (exact, synonym, prefix, word, substring, fuzzy)", "schema": TEXT},
        "limit": {"description": "page size", "schema": {"type": "integer", "minimum": 1, "maximum": reg.MAX_LIMIT, "default": 50}},
        "offset": {"description": "records to skip", "schema": {"type": "integer", "minimum": 0, "maximum": 10**9, "default": 0}},
        "label": {"description": "artifacts only: labeled with this name in any label registry", "schema": TEXT},
        "prefix": {"description": "records whose key starts with this (folders)", "schema": TEXT},
        "facets": {"description": "add facet counts (labels by registry, suffix, kind, creator) of all matches",
                   "schema": {"type": "boolean", "default": False}},
        "upstream": {"description": "include where it comes from", "schema": {"type": "boolean", "default": True}},
        "downstream": {"description": "include what uses it", "schema": {"type": "boolean", "default": True}},
    }
    return [{"name": n, "in": "query", "required": False, **table[n]} for n in names]


TEXT = {"type": "string", "pattern": "^[^\\x00]*$"}  # NUL never reaches the database
LOOKUPS_DOC = (
    "Besides the parameters listed, any Django lookup on a field, relation or feature filters the list, e.g. "
    "key__startswith=my_datasets/, size__gt=1000, records__name=DMSO, temperature__gt=20, id__in=1,2,3, "
    "description__isnull=true. An unknown field or a value of the wrong type gives 400 with the valid fields."
)


def _field_params(model: Any) -> list[dict[str, Any]]:
    """Typed exact-match parameters, one per text, integer or boolean field."""
    out = []
    for f in reg.filter_fields(model):
        schema = _field_schema(f)
        schema.pop("nullable", None)
        if schema["type"] == "string":
            schema = dict(TEXT)
        elif schema["type"] == "integer":
            schema |= {"minimum": -(2**63), "maximum": 2**63 - 1}
        out.append({"name": f.attname, "in": "query", "required": False, "description": f"{f.name} equals", "schema": schema})
    return out


def _order_param(model: Any) -> dict[str, Any]:
    names = ["id", *(f.name for f in reg.fields(model, detail=True) if not f.is_relation and f.name != "id")]
    return {"name": "order", "in": "query", "required": False, "schema": {"type": "string", "enum": names + [f"-{n}" for n in names]},
            "description": "field to sort by, '-' for descending (default: newest first)"}


FACET = {"type": "object", "required": ["title", "values"], "properties": {
    "title": {"type": "string"}, "values": {"type": "array", "items": {
        "type": "object", "required": ["text", "count", "params"], "properties": {
            "text": {"type": "string"}, "count": {"type": "integer"}, "params": {"type": "object"}}}}}}
UID = {"name": "uid", "in": "path", "required": True, "schema": TEXT}


def _registry_paths(name: str, model: Any, allow_write: bool) -> dict[str, Any]:
    title = model.__name__
    ref = {"$ref": f"#/components/schemas/{name}"}
    page = {
        "type": "object", "required": ["registry", "count", "limit", "offset", "results"],
        "properties": {"registry": {"type": "string"}, "count": {"type": "integer"}, "limit": {"type": "integer"},
                       "offset": {"type": "integer"}, "results": {"type": "array", "items": ref},
                       "facets": {"type": "array", "items": FACET}},
    }
    detail = {
        "type": "object", "required": ["registry", "record", "relations"],
        "properties": {"registry": {"type": "string"}, "record": {"$ref": f"#/components/schemas/{name}.detail"},
                       "relations": {"type": "object"}},
    }
    extra = ("label",) if title == "Artifact" else ()
    extra += ("prefix",) if any(f.name == "key" for f in model._meta.concrete_fields) else ()
    from ._annotated import is_annotated

    extra += ("facets",) if is_annotated(model) else ()
    params = _params("q", "limit", "offset", *extra) + [_order_param(model)] + _field_params(model)
    paths: dict[str, Any] = {
        f"/api/{name}": {"get": {"summary": f"List, filter and search {title} records", "operationId": f"list_{name}",
                                 "description": LOOKUPS_DOC, "parameters": params, "responses": _responses(page)}},
        f"/api/{name}/{{uid}}": {"get": {"summary": f"One {title} with its relations", "operationId": f"get_{name}",
                                         "parameters": [UID], "responses": _responses(detail, 404)}},
    }
    if allow_write and any(f.name == "description" for f in model._meta.concrete_fields):
        body = {"type": "object", "required": ["description"], "additionalProperties": False,
                "properties": {"description": {"type": "string", "nullable": True}}}
        paths[f"/api/{name}/{{uid}}"]["patch"] = {
            "summary": f"Edit the description of a {title}", "operationId": f"edit_{name}", "parameters": [UID],
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": _responses(detail, 403, 404, 415),
        }
    if name in LINEAGE_REGISTRIES:
        paths[f"/api/{name}/{{uid}}/lineage"] = {"get": {
            "summary": f"Lineage of a {title} as nodes and edges", "operationId": f"lineage_{name}",
            "parameters": [UID, *_params("upstream", "downstream")],
            "responses": _responses({"$ref": "#/components/schemas/Lineage"}, 404),
        }}
    return paths


def _annotate_path() -> dict[str, Any]:
    body = {"type": "object", "properties": {
        "registry": {"type": "string", "default": "record", "description": "a label registry: record, bio.celltype, ..."},
        "name": {"type": "string"}, "uid": {"type": "string"}, "feature": {"type": "string"}}}
    ok = {"type": "object", "properties": {"artifact": {"type": "object"}, "label": {"type": "object"},
                                           "feature": {"type": "string", "nullable": True}}}
    responses = _responses(ok, 403, 404, 415)
    responses["201"] = responses.pop("200")
    responses["201"]["description"] = "labeled"
    return {"/api/artifact/{uid}/labels": {"post": {
        "summary": "Annotate an artifact with an existing label", "operationId": "annotate_artifact", "parameters": [UID],
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}}, "responses": responses}}}


def spec(allow_write: bool = False) -> dict[str, Any]:
    """The OpenAPI document of this server (write operations only when it allows writes)."""
    from .. import __version__

    node = {"type": "object", "required": ["id", "registry", "uid", "label"],
            "properties": {k: {"type": "string"} for k in ("id", "registry", "uid", "label")}}
    edge = {"type": "object", "required": ["source", "target"],
            "properties": {"source": {"type": "string"}, "target": {"type": "string"}}}
    schemas: dict[str, Any] = {
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
        "Lineage": {"type": "object", "required": ["root", "nodes", "edges"], "properties": {
            "root": {"type": "string"}, "nodes": {"type": "array", "items": node}, "edges": {"type": "array", "items": edge}}},
    }
    registries = {"type": "array", "items": {"type": "object", "required": ["registry", "name", "module", "count"],
                  "properties": {"registry": {"type": "string"}, "name": {"type": "string"}, "module": {"type": "string"},
                                 "count": {"type": "integer"}}}}
    paths: dict[str, Any] = {"/api/registries": {"get": {
        "summary": "The registries of this instance with their record counts", "operationId": "registries",
        "responses": _responses(registries)}}}
    for name, model in reg.models().items():
        schemas[name] = _record_schema(model, detail=False)
        schemas[f"{name}.detail"] = _record_schema(model, detail=True)
        paths.update(_registry_paths(name, model, allow_write))
    if allow_write:
        paths.update(_annotate_path())
    return {
        "openapi": "3.0.3",
        "info": {"title": "lineagedb", "version": __version__,
                 "description": "Read an instance's registries, records and lineage. Authenticate with "
                                "'Authorization: Bearer <token>' when the server was started with a token."},
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
        "security": [{}, {"token": []}],
    }
