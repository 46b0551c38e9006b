"""Turn user lookups into Django lookups: unknown fields get a clear error; a registry's ``_extra_lookup`` adds its own."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q

from .. import errors
from ._trash import has_branch_column


def field_names(model: Any) -> list[str]:
    """Every name a lookup may start with: fields, relations and reverse relations."""
    names = set()
    for f in model._meta.get_fields():
        names.add(f.name)
        if getattr(f, "related_query_name", None) and f.is_relation and f.auto_created:
            names.add(f.related_query_name() if callable(f.related_query_name) else f.related_query_name)
        attname = getattr(f, "attname", None)
        if attname:
            names.add(attname)
    names.add("pk")
    return sorted(names)


def _is_field(model: Any, name: str) -> bool:
    if name == "pk":
        return True
    try:
        model._meta.get_field(name)
        return True
    except FieldDoesNotExist:
        return name in field_names(model)


def translate(model: Any, queries: tuple, expressions: dict[str, Any]) -> tuple[tuple, dict[str, Any]]:
    """Validate lookups; hand non-field ones to the registered hooks."""
    # condition objects that know their query for a model (feature predicates: temperature > 20)
    queries = tuple(q.for_model(model) if hasattr(type(q), "for_model") else q for q in queries)
    extra: list[Q] = []
    out: dict[str, Any] = {}
    for key, value in expressions.items():
        head = key.split("__", 1)[0]
        if head in ("branch", "branch_id") and has_branch_column(model):  # LaminDB's spelling of the branch column
            key, head = "branch" + key[len(head):], "branch"
            value = _branch_ids(value)  # a Branch record (or several) stands for its id
        aliases = getattr(model, "_query_aliases", {})
        if head in aliases:  # a relation reached through another one (Artifact: transform -> run__transform)
            key, head = aliases[head] + key[len(head):], aliases[head].split("__", 1)[0]
        if _is_field(model, head):
            _check_relation_value(model, key, value)
            if head == "key" and isinstance(value, str):  # keys are stored NFC: find them by any spelling
                import unicodedata

                value = unicodedata.normalize("NFC", value)
            out[key] = value
            continue
        q = model._extra_lookup(key, value)  # declared on the registry: feature names, Artifact's path=, ...
        if q is not None:
            extra.append(q)
        else:
            valid = [n for n in field_names(model) if not n.startswith("_") and not n.startswith("links_")]
            from difflib import get_close_matches

            close = get_close_matches(head, valid, n=3, cutoff=0.6)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            what = (f"{model.__name__} has no field or feature {head!r}. You can query either by available fields "
                    "or by feature names (ln.Feature)." if _has_features(model) else f"{model.__name__} has no field {head!r}.")
            if head == "path":  # a common slip: paths belong to artifacts (their storage and key)
                what += " Querying by path is only possible for artifacts: ln.Artifact.get(path=...)."
            raise errors.InvalidLookup(f"Unknown field {head!r}.{hint} Available fields: {', '.join(valid)}. {what}")
    return tuple(queries) + tuple(extra), out


def _branch_ids(value: Any) -> Any:
    if hasattr(value, "_meta") and hasattr(value, "pk"):
        return value.pk
    if isinstance(value, (list, tuple, set)):
        return [_branch_ids(v) for v in value]
    return value


def _has_features(model: Any) -> bool:
    from ._features import FeaturesDescriptor

    return any(isinstance(klass.__dict__.get("features"), FeaturesDescriptor) for klass in model.__mro__)


def _check_relation_value(model: Any, key: str, value: Any) -> None:
    """``filter(records="DMSO")``: a relation compared with a string is a missing ``__name``, not an id."""
    if "__" in key or not isinstance(value, str):
        return
    try:
        f = model._meta.get_field(key)
    except FieldDoesNotExist:
        return
    if not f.is_relation or f.related_model is None:
        return
    from ._dtypes import default_field

    target = f.related_model._meta.pk
    if target.get_internal_type() in ("AutoField", "BigAutoField", "IntegerField", "SmallAutoField") and not value.isdigit():
        raise errors.InvalidLookup(
            f"Invalid lookup {value!r} for {key}. Did you mean {key}__{default_field(f.related_model)}?"
        )


def _pins_version(kwargs: dict[str, Any]) -> bool:
    return any(k.split("__")[0] in {"uid", "id", "pk", "version", "version_tag", "is_latest"} for k in kwargs)


def candidates(model: Any, filtered: Any, kwargs: dict[str, Any]) -> list[Any]:
    """The querysets ``get`` tries in turn, two rows each: a versioned family's latest version first, then any
    match (one query in the common case, a second only when no match is latest)."""
    prefer_latest = hasattr(model, "is_latest") and (not _pins_version(kwargs) or "uid__startswith" in kwargs)
    if not prefer_latest:
        return [filtered[:2]]
    latest = filtered.filter(is_latest=True)
    per_branch: list[Any] = []
    if has_branch_column(model):  # a family has a latest version per branch: the current branch's, then main's
        from ..core.context import get_branch_id

        per_branch = [latest.filter(branch=b)[:2] for b in dict.fromkeys((get_branch_id(), 1))]
    return [*per_branch, latest[:2], filtered[:2]]


def no_match(model: Any, args: tuple, kwargs: dict[str, Any]) -> Exception:
    """The DoesNotExist ``get`` raises when nothing matches."""
    uid_given = [a for a in args if isinstance(a, str)]
    if uid_given:
        from ._dtypes import default_field

        return model.DoesNotExist(
            f"No record found with uid {uid_given[0]!r}. Did you forget a keyword as in "
            f"{model.__name__}.get({default_field(model)}={uid_given[0]!r})?"
        )
    return model.DoesNotExist(
        f"no {model.__name__} matches {_described(kwargs)}; browse with ln.{model.__name__}.filter(...).to_dataframe()"
    )


def several(model: Any, kwargs: dict[str, Any]) -> Exception:
    """The MultipleObjectsReturned ``get`` raises when more than one record matches."""
    return model.MultipleObjectsReturned(
        f"several {model.__name__} records match {_described(kwargs)}; narrow the query or use .filter(...).first()"
    )


def _described(kwargs: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) or "this query"


def get(qs: Any, *args: Any, **kwargs: Any) -> Any:
    """``get`` by uid, uid prefix or fields; a versioned family resolves to its latest version."""
    model = qs.model
    queries = []
    for arg in args:
        if isinstance(arg, str):
            uid_len = model._meta.get_field("uid").max_length
            kwargs["uid" if len(arg) == uid_len else "uid__startswith"] = arg
        elif isinstance(arg, int):
            kwargs["id"] = arg
        else:
            queries.append(arg)
    items: list[Any] = []
    for candidate in candidates(model, qs.filter(*queries, **kwargs), kwargs):
        items = list(candidate)
        if items:
            break
    if not items:
        raise no_match(model, args, kwargs)
    if len(items) > 1:
        raise several(model, kwargs)
    return items[0]
