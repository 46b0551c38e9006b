"""Pydantic models of the JSON API, generated from the registries' Django fields.

django-ninja reads these to validate query parameters and bodies and to write the OpenAPI document
(``/api/openapi.json``), so each registry's record shape and typed filters are declared once: by its
Django fields. Field names that Python or pydantic reserve are aliased (``alias`` is the JSON name).

>>> record_model(Artifact, detail=False).model_json_schema(by_alias=True)["properties"]["size"]  # doctest: +SKIP
{'anyOf': [{'type': 'integer'}, {'type': 'null'}], 'title': 'Size'}
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, create_model

from . import _registries as reg

NO_NUL = r"^[^\x00]*$"  # NUL never reaches the database (the app refuses it before any handler)
TEXT = Annotated[str, Field(pattern=NO_NUL)]
BIGINT = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]  # what both databases store
BOUNDS = {"limit": (1, reg.MAX_LIMIT), "offset": (0, 10**9)}  # paging parameters: (lowest, highest)
LOOKUPS_DOC = (
    "Besides the parameters listed, any Django lookup on a field, relation or feature filters the list, e.g. "
    "key__startswith=my_datasets/, size__gt=1000, records__name=DMSO, temperature__gt=20, id__in=1,2,3, "
    "description__isnull=true; feature=<name>&value=<value> selects a feature value (both or neither). "
    "An unknown field or feature, or a value of the wrong type, gives 400 with the valid fields."
)


def python_type(f: Any) -> Any:
    """The Python type of a Django field's JSON value (foreign keys: the related id)."""
    kind = f.get_internal_type()
    if f.is_relation or kind in reg.INTEGER_TYPES:
        return int
    return {"FloatField": float, "BooleanField": bool, "DateTimeField": dt.datetime, "DateField": dt.date,
            "JSONField": Any}.get(kind, str)


def _name(attname: str) -> str:
    """A model attribute name for a JSON key (pydantic reserves ``model_*`` and BaseModel's attributes)."""
    return f"f_{attname}"


class Aliased(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


@cache
def record_model(model: Any, detail: bool) -> type[BaseModel]:
    """The JSON shape of one record of ``model`` (all fields present; nullable ones may be null)."""
    columns: dict[str, Any] = {}
    for f in reg.fields(model, detail=detail):
        kind = python_type(f)
        kind = Optional[kind] if f.null and kind is not Any else kind  # noqa: UP045 - kind is built at run time
        columns[_name(f.attname)] = (kind, Field(..., alias=f.attname))
    return create_model(_title(model) + ("Detail" if detail else ""), __base__=Aliased, **columns)


def _title(model: Any) -> str:
    app = model._meta.app_label
    return model.__name__ if app == "lineagedb" else f"{app}_{model.__name__}"


class FacetValue(BaseModel):
    text: str
    count: int
    params: dict[str, str]


class Facet(BaseModel):
    title: str
    values: list[FacetValue]


class Error(BaseModel):
    error: str = Field(description="what was wrong and what to do")


class RegistryCount(BaseModel):
    registry: str
    name: str
    module: str
    count: int


class Node(BaseModel):
    id: str
    registry: str
    uid: str
    label: str


class Edge(BaseModel):
    source: str
    target: str


class Lineage(BaseModel):
    root: str
    nodes: list[Node]
    edges: list[Edge]


class EditBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str | None = Field(..., description="the new description (null clears it)")


class AnnotateBody(BaseModel):
    registry: str = Field("record", description="a label registry: record, bio.celltype, ...")
    name: str | None = Field(None, description="the label's name (or give its uid)")
    uid: str | None = Field(None, description="the label's uid")
    feature: str | None = Field(None, description="the feature the label is annotated under")


class Labeled(BaseModel):
    artifact: dict[str, Any]
    label: dict[str, Any]
    feature: str | None


def page_model(model: Any) -> type[BaseModel]:
    results: Any = list[record_model(model, False)]  # type: ignore[misc]  # a list of a model made at run time
    return create_model(_title(model) + "Page", registry=(str, ...), count=(int, ...), limit=(int, ...),
                        offset=(int, ...), results=(results, ...),
                        facets=(list[Facet], Field(None, description="with facets=true")))


def detail_model(model: Any) -> type[BaseModel]:
    return create_model(_title(model) + "Record", registry=(str, ...), record=(record_model(model, True), ...),
                        relations=(dict[str, Any], Field(..., description="labels, features, run, versions, ...")))


def _query_type(f: Any) -> Any:
    kind = python_type(f)
    return {int: BIGINT, bool: bool}.get(kind, TEXT)


def query_model(model: Any) -> type[BaseModel]:
    """The documented query parameters of ``GET /api/<registry>``: paging, search, order, typed field filters."""
    from ._annotated import is_annotated

    def bounded(name: str, default: int, doc: str) -> tuple[Any, Any]:
        low, high = BOUNDS[name]
        return int, Field(default, ge=low, le=high, description=doc)

    names = ["id", *(f.name for f in reg.fields(model, detail=True) if not f.is_relation and f.name != "id")]
    order = Literal[tuple(names + [f"-{n}" for n in names])]  # type: ignore[valid-type]
    params: dict[str, Any] = {
        "q": (TEXT, Field(None, description="ranked search (exact, synonym, prefix, word, substring, fuzzy)")),
        "limit": bounded("limit", 50, "page size"),
        "offset": bounded("offset", 0, "records to skip"),
        "order": (order, Field(None, description="field to sort by, '-' for descending (default: newest first)")),
    }
    concrete = {f.name for f in model._meta.concrete_fields}
    if model._labels_as_links:
        params["label"] = (TEXT, Field(None, description="labeled with this name in any label registry"))
    if "key" in concrete:
        params["prefix"] = (TEXT, Field(None, description="records whose key starts with this (folders)"))
    if is_annotated(model):
        params["facets"] = (bool, Field(False, description="add facet counts of all matches"))
    for f in reg.filter_fields(model):
        params[_name(f.attname)] = (_query_type(f), Field(None, alias=f.attname, description=f"{f.name} equals"))
    return create_model(_title(model) + "Query", __base__=Aliased, **params)


class LineageQuery(BaseModel):
    upstream: bool = Field(True, description="include where it comes from")
    downstream: bool = Field(True, description="include what uses it")


UID = Annotated[str, Field(pattern=NO_NUL, description="the record's uid")]


def message(errors: list[dict[str, Any]], raw: dict[str, str]) -> str:
    """One clear sentence per invalid parameter or body field (``raw``: the query as sent)."""
    out = []
    for err in errors:
        where, *rest = err["loc"]
        name = ".".join(str(x) for x in rest if x not in {"body", "payload"}) or where
        given = f", not {raw[name]!r}" if name in raw else ""
        kind = err["type"]
        if kind in {"int_parsing", "int_from_float", "int_type"}:
            out.append(f"{name} must be an integer{given}")
        elif kind in {"greater_than_equal", "less_than_equal"}:
            low, high = BOUNDS.get(name, (err.get("ctx", {}).get("ge"), err.get("ctx", {}).get("le")))
            out.append(f"{name} must be between {low} and {high}{given}")
        elif kind in {"bool_parsing", "bool_type"}:
            out.append(f"{name} must be true or false{given}")
        elif kind == "literal_error":
            out.append(f"{name} must be one of {err.get('ctx', {}).get('expected', '')}{given}")
        elif where == "body" and kind == "extra_forbidden":
            out.append(f"{name} cannot be sent here")
        else:
            out.append(f"{name}: {err['msg']}{given}")
    return "; ".join(out)
