"""The registries the server shows, read through the shared query layer (``Registry.filter/search``).

A registry's slug is its model name in lower case (``artifact``), prefixed by its module for modules
(``bio.celltype``). The same list/get functions feed the JSON API and the HTML pages.

>>> page = list_records(registry("artifact"), {"key__startswith": ["my_datasets/"]}, limit=20)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from ._http import HTTPError

RESERVED = {"q", "limit", "offset", "order", "page", "token", "label", "prefix", "feature", "value", "facets"}
HIDDEN_FIELDS = {"_real_key"}
LONG_FIELDS = {"source_code"}  # left out of lists (detail only)
MAX_LIMIT = 1000


def models() -> dict[str, Any]:
    """slug -> model for every registry with uids of the current instance (mounted modules only)."""
    from django.apps import apps

    from ..core.instance import ensure_connected
    from ..models._base import BaseRecord

    inst = ensure_connected()
    out: dict[str, Any] = {}
    for label in ["lineagedb", *inst.modules]:
        for model in apps.get_app_config(label).get_models():
            if not issubclass(model, BaseRecord) or not any(f.name == "uid" for f in model._meta.concrete_fields):
                continue
            out[slug(model)] = model
    return out


def slug(model: Any) -> str:
    name = model._meta.model_name
    return name if model._meta.app_label == "lineagedb" else f"{model._meta.app_label}.{name}"


def registry(name: str) -> Any:
    found = models().get(name.lower())
    if found is None:
        raise HTTPError(404, f"no registry {name!r}; registries: {', '.join(models())}")
    return found


@cache
def fields(model: Any, detail: bool = False) -> tuple[Any, ...]:
    """The concrete fields shown for a record (foreign keys by their ``<name>_id`` column)."""
    return tuple(
        f for f in model._meta.concrete_fields
        if f.name not in HIDDEN_FIELDS and not f.name.startswith("_") and (detail or f.name not in LONG_FIELDS)
    )


def value(v: Any) -> Any:
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    return v


def to_json(record: Any, detail: bool = False) -> dict[str, Any]:
    """A record's fields as JSON-ready values."""
    model: type = type(record)  # declared: mypy counts type[Any] as unhashable for the cache (python/mypy#11470)
    return {f.attname: value(getattr(record, f.attname)) for f in fields(model, detail)}


def title_field(model: Any) -> str | None:
    """The field :func:`title` shows for records of ``model``, declared on its class (None: only the uid)."""
    from ..models._dtypes import default_field

    field = default_field(model)
    return None if field == "uid" else field


def title(record: Any) -> str:
    """A short human name: the record's display name (its name field), else its description or uid."""
    return record._display_name() or getattr(record, "description", None) or record.uid


INTEGER_TYPES = {"AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
                 "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField"}


def _boolean(key: str, raw: str) -> bool:
    if raw.lower() not in {"true", "false", "1", "0"}:
        raise HTTPError(400, f"{key} must be true or false, not {raw!r}")
    return raw.lower() in {"true", "1"}


def _parse(model: Any, key: str, raw: str) -> Any:
    if key.endswith("__in"):
        return [v for v in raw.split(",") if v != ""]
    if key.endswith("__isnull"):
        return _boolean(key, raw)
    if key.endswith("__range"):
        parts = raw.split(",")
        if len(parts) != 2:
            raise HTTPError(400, f"{key} takes two comma-separated values, e.g. 1,10")
        return parts
    field = next((f for f in model._meta.concrete_fields if key in {f.name, f.attname}), None)
    kind = field.get_internal_type() if field is not None else ""
    if kind == "BooleanField":
        return _boolean(key, raw)
    if kind in INTEGER_TYPES or (field is not None and field.is_relation and key == field.attname):
        try:
            return int(raw)
        except ValueError:
            raise HTTPError(400, f"{key} must be an integer, not {raw!r}") from None
    return raw


def lookups(model: Any, query: dict[str, list[str]]) -> dict[str, Any]:
    """Django lookups from query parameters that are not reserved (``key__startswith=x/``, ``size=12``).

    Only allowed lookups pass (no regular expressions); ``feature=<name>&value=<v>`` filters by a feature value.
    """
    from ._limits import check_lookup

    out = {}
    for key, values in query.items():
        if key not in RESERVED:
            check_lookup(key)
            out[key] = _parse(model, key, values[-1])
    return out | feature_lookup(model, query)


def feature_lookup(model: Any, query: dict[str, list[str]]) -> dict[str, Any]:
    """``{name: value}`` from ``feature=<name>&value=<value>`` (both or neither), for registries with features."""
    from ..models._filters import _has_features

    feature, value = (query.get(k, [None])[-1] for k in ("feature", "value"))
    if not feature and not value:  # the UI's form sends both, empty
        return {}
    if not feature or not value:
        raise HTTPError(400, "feature= and value= go together, e.g. ?feature=temperature&value=21.6")
    if not _has_features(model):
        raise HTTPError(400, f"{model.__name__} records have no features; feature= filters registries with features")
    from ..models import Feature

    if not Feature.objects.filter(name=feature).exists():
        raise HTTPError(400, f"no feature named {feature!r}; create it with ln.Feature(name=..., dtype=...).save()")
    return {feature: value}


def filter_fields(model: Any) -> list[Any]:
    """Fields offered as typed exact-match query parameters in the API (text, integer and boolean)."""
    kinds = INTEGER_TYPES | {"BooleanField", "CharField", "TextField"}
    return [f for f in fields(model) if not f.is_relation and f.attname not in RESERVED and f.get_internal_type() in kinds]


@dataclass
class Page:
    records: list[Any]
    count: int
    limit: int
    offset: int


def _bad_query(e: Exception) -> HTTPError:
    return HTTPError(400, f"invalid query: {e}".strip())


def query(model: Any, filters: dict[str, Any], q: str | None = None, order: str | None = None,
          extra: list[Any] | None = None) -> Any:
    """A queryset of ``model`` via its ``filter`` (trash hidden, features and labels as lookups)."""
    from django.core.exceptions import FieldError, ValidationError

    from .. import errors

    q = q.strip() if q else None  # a blank search is no search
    try:
        qs = model.filter(*(extra or []), **filters)
        if model._display_relations:  # what each row's title reads, fetched with the rows
            qs = qs.select_related(*model._display_relations)
        if q:
            from ._annotated import in_order, is_annotated, ranked_ids

            if is_annotated(model):  # artifacts and collections: also by labels and feature values
                return in_order(qs, ranked_ids(qs, q))
            return qs.search(q, limit=None)
        if order:
            name = order.lstrip("-")
            if name not in {f.name for f in fields(model, detail=True)} | {"id"}:
                raise HTTPError(400, f"cannot order by {order!r}: not a field of {model.__name__}")
            return qs.order_by(order, "-id")
        return qs.order_by("-id")
    except (errors.LineageDBError, FieldError, ValidationError, ValueError, TypeError) as e:
        raise _bad_query(e) from None


def list_records(model: Any, query_params: dict[str, list[str]], limit: int = 50, offset: int = 0,
                 q: str | None = None, order: str | None = None, extra: list[Any] | None = None) -> Page:
    """One page of records matching the lookups in ``query_params``."""
    return paginate(query(model, lookups(model, query_params), q=q, order=order, extra=extra), limit, offset)


def paginate(qs: Any, limit: int = 50, offset: int = 0) -> Page:
    """One page of a queryset, with the total count (query errors become 400, time-outs propagate)."""
    from django.core.exceptions import FieldError, ValidationError
    from django.db import DatabaseError

    from .. import errors
    from ._limits import is_timeout

    try:
        count = qs.count()
        records = list(qs[offset: offset + limit])
    except (errors.LineageDBError, FieldError, ValidationError, ValueError, TypeError, DatabaseError) as e:
        if isinstance(e, DatabaseError) and is_timeout(e):
            raise
        raise _bad_query(e) from None
    return Page(records, count, limit, offset)


def get(model: Any, uid: str) -> Any:
    """The record with this uid (trashed ones too), else 404."""
    record = model.objects.filter(uid=uid).first()
    if record is None:
        raise HTTPError(404, f"no {model.__name__} with uid {uid!r}")
    return record


def counts() -> dict[str, int]:
    """slug -> number of records (trash excluded)."""
    return {name: model.filter().count() for name, model in models().items()}


def label_filter(name: str) -> Any:
    """A Q: artifacts labeled ``name`` in any label registry of the instance."""
    from django.db.models import Q

    from ..models._labels import LABEL_LINKS

    mounted = {model._meta.label for model in models().values()}
    condition = Q(pk__in=[])
    for key, (link, field, _) in LABEL_LINKS.items():
        if key not in mounted:
            continue
        label_model = link._meta.get_field(field).related_model
        text_fields = [f for f in ("name", "symbol") if any(x.name == f for x in label_model._meta.concrete_fields)]
        inner = Q(pk__in=[])
        for f in text_fields:
            inner |= Q(**{f"{field}__{f}": name})
        condition |= Q(id__in=link.objects.filter(inner).values("artifact_id"))
    return condition


def has_lineage(model: Any) -> bool:
    """Whether the registry sits in lineage graphs (it mixes in ``HasLineage``)."""
    from ..models._lineage import HasLineage

    return issubclass(model, HasLineage)


def lineage_registries() -> list[str]:
    """The slugs of the registries with a lineage graph, sorted."""
    return sorted(name for name, model in models().items() if has_lineage(model))
