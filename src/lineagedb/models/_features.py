"""``artifact.features`` and ``run.features``: typed feature values, validated against each feature's dtype.

>>> ln.Feature(name="temperature", dtype=float).save()  # doctest: +SKIP
>>> artifact.features.add_values({"temperature": 21.6, "experiment": "My experiment"})  # doctest: +SKIP
>>> artifact.features.get_values()  # doctest: +SKIP
{'temperature': 21.6, 'experiment': 'My experiment'}

Non-categorical values live in ``FeatureValue`` rows shared by every artifact/run that has them;
categorical values of artifacts are label links that carry the feature (see ``_labels``); runs store
categorical values as validated text.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from .. import errors
from ._dtypes import check_value, dtype_info, from_json, is_categorical, to_json
from ._labels import is_label_registry, link_labels, link_of, mounted_links

NUMERIC = {"int", "float", "num", "bool"}


def value_hash(value: Any) -> str:
    """A stable hash of a JSON value (dict keys sorted)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


_MAX_VALUE_CHARS = 1_000_000  # the free-text cap (models._base.MAX_TEXT_CHARS)


def _storable(name: str, value: Any) -> Any:
    """Refuse what one of the backends cannot store as JSON: NaN/infinity, NUL characters, non-JSON objects."""
    try:
        json.dumps(value, allow_nan=False)
    except (ValueError, TypeError) as e:
        raise errors.ValidationError(
            f"feature {name!r} got {value!r}, which cannot be stored ({e}); NaN and infinity are refused, "
            "leave the feature out instead"
        ) from None
    if not isinstance(value, (bool, int, float)) and len(json.dumps(value)) > _MAX_VALUE_CHARS:
        raise errors.ValidationError(
            f"feature {name!r} got a value of more than {_MAX_VALUE_CHARS:,} characters; store long content as an "
            "artifact and annotate it instead"
        )
    if _has_nul(value):
        raise errors.ValidationError(f"feature {name!r} got a string with a NUL character (\\x00), which cannot be stored")
    return value


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def typed_columns(dtype: str, json_value: Any) -> tuple[float | None, str | None]:
    """The (number, text) copies of a stored value that range lookups and indexes use."""
    kind = dtype_info(dtype).kind
    if isinstance(json_value, (list, dict)):
        return None, None
    if kind == "int" and isinstance(json_value, int) and not isinstance(json_value, bool):
        return float(json_value), int_sort_key(json_value)
    if kind in NUMERIC:
        return float(json_value), None
    return None, str(json_value)


_INT_OFFSET = 2**64  # keys of integers in [-2**64, 2**64) are 21 digits, ordered as the integers


def int_sort_key(value: int) -> str | None:
    """A text that sorts like ``value`` (floats lose order above 2**53), e.g. ``int_sort_key(-1)``.

    >>> int_sort_key(2**63 - 2) < int_sort_key(2**63 - 1)
    True
    """
    shifted = value + _INT_OFFSET
    return f"{shifted:021d}" if 0 <= shifted < 2 * _INT_OFFSET else None


def _host_link(host: Any) -> tuple[Any, str]:
    """(link model, host field) of a feature-carrying registry, from its ``_feature_values`` declaration."""
    from django.apps import apps

    model = host if isinstance(host, type) else type(host)
    spec = getattr(model, "_feature_values", None)
    if spec is None:
        raise errors.InvalidArgument(f"{model.__name__} records carry no feature values; annotate an Artifact, a Run or a Record")
    return apps.get_model("lineagedb", spec[0]), spec[1]


def feature_names(values: dict[Any, Any]) -> dict[str, Any]:
    """``{feature or name: value}`` -> ``{name: value}`` (Feature records may be keys)."""
    if not isinstance(values, dict):
        raise errors.InvalidArgument("pass a dict of feature names to values: add_values({'temperature': 21.6})")
    return {getattr(k, "name", k): v for k, v in values.items()}


def _features_by_name(names: Iterable[str]) -> dict[str, Any]:
    from .feature import Feature

    names = list(names)
    found: dict[str, Any] = {}
    by_name: dict[str, list[Any]] = {}
    for f in Feature.objects.filter(name__in=names, is_type=False).select_related("type"):
        by_name.setdefault(f.name, []).append(f)
    for name, candidates in by_name.items():
        found[name] = _pick_feature(name, candidates)
    missing = [n for n in names if n not in found]
    if missing:
        hints = "; ".join(f"ln.Feature(name={n!r}, dtype=...).save()" for n in missing)
        known = list(Feature.objects.values_list("name", flat=True)[:10000])
        close = list(dict.fromkeys(c for n in missing for c in difflib.get_close_matches(n, known, n=3)))
        maybe = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
        raise errors.ValidationError(f"unknown feature(s) {missing}{maybe}: create them first, e.g. {hints}")
    return found


def _pick_feature(name: str, candidates: list[Any]) -> Any:
    """The feature a bare name means: the untyped one, else the only one; several typed ones are ambiguous."""
    if len(candidates) == 1:
        return candidates[0]
    untyped = [f for f in candidates if f.type_id is None]
    if len(untyped) == 1:
        return untyped[0]
    types = sorted(f.type.name for f in candidates if f.type_id is not None)
    raise errors.ValidationError(
        f"Ambiguous match for Feature {name!r}: found {len(candidates)} features at depth 1 (under types: {types}); "
        "pass the Feature object as the key instead of its name, or a schema that lists one of them"
    )


def _suggest(model: Any, field: str, value: str) -> str:
    from ._search import search

    try:
        close = [getattr(r, field) for r in search(model.objects.all(), value, field=field, limit=3)]
    except Exception:  # noqa: BLE001 - a suggestion must never hide the real error
        close = []
    close = close or difflib.get_close_matches(value, list(model.objects.values_list(field, flat=True)[:5000]), n=3)
    return f"; did you mean {', '.join(map(repr, close))}?" if close else ""


def filter_lookups(info: Any) -> dict[str, Any]:
    """A dtype's bracket filters as Django lookups (``organism='human'`` -> ``organism__name='human'``)."""
    from django.core.exceptions import FieldDoesNotExist

    from ._dtypes import default_field

    out = {}
    for key, value in (info.filters or {}).items():
        try:
            field = info.model._meta.get_field(key)
        except FieldDoesNotExist:
            field = None
        if field is not None and field.is_relation and isinstance(value, str) and field.related_model is not None:
            key = f"{key}__{default_field(field.related_model)}"
        out[key] = value
    return out


def _find(info: Any, names: list[str]) -> dict[str, Any]:
    """{name: record} for the names found in one registry of a dtype (type and filters applied)."""
    model, field = info.model, info.field
    qs = model.objects.filter(**{f"{field}__in": names})
    if info.type_name:
        qs = qs.filter(type__name=info.type_name, type__is_type=True)
    if info.filters:
        qs = qs.filter(**filter_lookups(info))
    found: dict[str, Any] = {}
    for r in qs.order_by("id"):
        key = getattr(r, field)
        if key not in found or (getattr(found[key], "type_id", 0) is not None and getattr(r, "type_id", 0) is None):
            found[key] = r
    return found


def resolve_labels(feature: Any, values: list[Any]) -> list[Any]:
    """Records of the feature's registry (or registries, for a union) matching ``values``, else ValidationError."""
    info = dtype_info(feature.dtype)
    model = info.model
    if model is None:  # plain "cat": values are kept as text
        return values
    field = info.cat_field
    records = [v for v in values if not isinstance(v, str)]
    names = [v for v in values if isinstance(v, str)]
    if info.type_name:
        for r in records:
            kind = r.type.name if getattr(r, "type_id", None) is not None else None
            if kind != info.type_name:
                raise errors.ValidationError(
                    f"Expected a record of type '{info.type_name}' for feature {feature.name!r}, got {r!r} of type {kind!r}"
                )
    if names:
        found: dict[str, Any] = {}
        for alternative in info.alternatives or (info,):
            missing = [n for n in names if n not in found]
            if missing:
                found.update(_find(alternative, missing))
        missing = list(dict.fromkeys(n for n in names if n not in found))
        if missing:
            where = f"{model.__name__}[{info.type_name}]" if info.type_name else model.__name__
            if info.alternatives:
                where = " or ".join(a.model.__name__ for a in info.alternatives)
            first = missing[0]
            create = (f"ln.{model._meta.concrete_model.__name__}({field}={first!r}{', type=...' if info.type_name else ''}).save()"
                      if not hasattr(model, "from_source")
                      else f"{model.__name__}.from_source({field}={first!r}).save() or {model.__name__}({field}={first!r}).save()")
            terms = "term" if len(missing) == 1 else "terms"
            raise errors.ValidationError(
                f"{len(missing)} {terms} not validated in feature {feature.name!r}: {', '.join(map(repr, missing))} "
                f"{'is' if len(missing) == 1 else 'are'} not a {where} {field}{_suggest(model, field, first)} "
                f"To add one: {create}"
            )
        return [found[v] if isinstance(v, str) else v for v in values]  # in the order given
    return records


_CONTENT_OTYPES = {"DataFrame", "AnnData", "MuData", "SpatialData"}


def external_schema(host: Any) -> Any:
    """The schema an artifact's dataset-level feature values were validated against, or None: the
    ``__external__`` slot of its schema, or, for a file that is not a table or AnnData, a schema of features."""
    schema = getattr(host, "schema", None) if type(host)._labels_as_links else None
    if schema is None:
        return None
    slots = schema.slots
    if "__external__" in slots:
        return slots["__external__"]
    if host.otype not in _CONTENT_OTYPES and not slots and schema.feature_links():
        return schema
    return None


def _check_complete(schema: Any, values: dict[Any, Any]) -> None:
    """``set_values`` on an artifact whose schema validated its values: the new values must fit that schema
    as a whole (required features present; with ``maximal_set``, no other feature)."""
    from ._feature_keys import resolve_keys

    given = {f.pk: f.name for f, _ in resolve_keys(values, schema).values()}
    links = schema.feature_links()
    known = {f.pk for f, _ in links}
    label = f"schema {schema.name or schema.uid!r}"
    extra = sorted(name for pk, name in given.items() if pk not in known)
    if extra and schema.maximal_set:
        raise errors.ValidationError(
            f"feature(s) {extra} not in the provided schema ({label} sets maximal_set=True): drop them, or "
            "set artifact.schema = None first"
        )
    missing = [f.name for f, optional in links if not optional and f.pk not in given]
    if missing and schema.minimal_set:
        raise errors.ValidationError(
            f"{label} requires feature(s) {missing}: pass values for all of them to set_values({{...}})"
        )


class FeatureManager:
    """Feature values of one artifact or run: ``add_values``, ``get_values``, ``remove_values``, ``set_values``."""

    def __init__(self, host: Any) -> None:
        self._host = host

    def __repr__(self) -> str:
        return f"<features of {type(self._host).__name__} {self._host.uid}: {self.get_values()!r}>"

    def _check_saved(self) -> None:
        if self._host._state.adding:
            raise errors.InvalidArgument(f"save the {type(self._host).__name__.lower()} before annotating it with features")

    def _check_no_external_schema(self, verb: str = "add") -> None:
        """Changing some of the values a schema validated as a whole would bypass it: ``set_values``
        revalidates them all."""
        schema = external_schema(self._host)
        if schema is not None:
            raise errors.InvalidArgument(
                f"Cannot {verb} values if artifact has external schema. Artifact {self._host.uid}'s values were "
                f"validated by schema {schema.name or schema.uid!r}: pass all of them to "
                f"artifact.features.set_values({{...}}), or set artifact.schema = None first"
            )

    def _validated(self, values: dict[Any, Any], schema: Any = None) -> tuple[list[tuple[Any, Any]], list[tuple[Any, list[Any]]]]:
        """(feature, json value) pairs to store as FeatureValue, and (feature, records) pairs to link."""
        from ._feature_keys import resolve_keys

        plain: list[tuple[Any, Any]] = []
        cats: list[tuple[Any, list[Any]]] = []
        is_artifact = type(self._host)._labels_as_links
        for name, (f, raw) in resolve_keys(values, schema).items():
            if raw is None:
                if not f.nullable:
                    raise errors.ValidationError(f"feature {name!r} is not nullable but got None")
                continue
            if is_categorical(f.dtype):
                items = list(raw) if isinstance(raw, (list, tuple, set)) else [raw]
                inner = f.dtype[5:-1] if f.dtype.startswith("list[") else f.dtype
                checked = [check_value(inner, v, coerce=f.coerce_dtype, feature=name) for v in items]
                records = resolve_labels(f, checked)
                if is_artifact and is_label_registry(dtype_info(f.dtype).model):
                    cats.append((f, records))
                else:
                    info = dtype_info(f.dtype)  # a bare "cat" names no field: its values stay strings
                    texts = [v if isinstance(v, str) else getattr(v, info.cat_field) for v in records]
                    plain.extend((f, t) for t in texts)
                continue
            plain.append((f, _storable(name, to_json(f.dtype, check_value(f.dtype, raw, coerce=f.coerce_dtype, feature=name)))))
        return plain, cats

    def add_values(self, values: dict[Any, Any], schema: Any = None) -> None:
        """Validate and add feature values (existing values of other features are kept).

        Keys are feature names or ``ln.Feature`` objects; ``schema`` picks among features of the same name.

        >>> artifact.features.add_values({"temperature": 21.6, "experiment": "My experiment"})  # doctest: +SKIP
        """
        self._check_saved()
        self._check_no_external_schema()
        self._add_values(values, schema)

    def _add_values(self, values: dict[Any, Any], schema: Any = None) -> None:
        """``add_values`` without the external-schema guard, for curators writing what a schema validated."""
        self._check_saved()
        plain, cats = self._validated(values, schema)
        with transaction.atomic():
            self._store(plain)
            for f, records in cats:
                link_labels(self._host, records, feature=f)

    def _store(self, pairs: list[tuple[Any, Any]]) -> None:
        from django.db.models import Q

        from .feature import FeatureValue

        if not pairs:
            return
        wanted = {(f.id, value_hash(v)): (f, v) for f, v in pairs}
        cond = Q()
        for fid, h in wanted:
            cond |= Q(feature_id=fid, hash=h)
        rows = {(r.feature_id, r.hash): r for r in FeatureValue.objects.filter(cond)}
        new = []
        for key, (f, v) in wanted.items():
            if key not in rows:
                number, text = typed_columns(f.dtype, v)
                new.append(FeatureValue(feature=f, value=v, hash=key[1], number=number, text=text))
        if new:
            FeatureValue.objects.bulk_create(new, ignore_conflicts=True)
            rows = {(r.feature_id, r.hash): r for r in FeatureValue.objects.filter(cond)}
        link, host_field = _host_link(self._host)
        link.objects.bulk_create(
            [link(**{f"{host_field}_id": self._host.id, "featurevalue_id": rows[k].id}) for k in wanted], ignore_conflicts=True
        )

    def get_values(self) -> dict[str, Any]:
        """Feature values as a dict with Python types; several values of one feature come as a set (or list)."""
        return host_values(type(self._host), [self._host.id]).get(self._host.id, {})

    def remove_values(self, features: Any, *, value: Any = None) -> None:
        """Remove the values of the given feature(s) (names or Feature objects; only ``value`` if given).

        A dict ``{feature: value}`` removes those values (``None``: all values of that feature).

        >>> artifact.features.remove_values("temperature")  # doctest: +SKIP
        >>> artifact.features.remove_values({temperature: 21.6, experiment: None})  # doctest: +SKIP
        """
        self._check_saved()
        if external_schema(self._host) is not None:
            raise errors.InvalidArgument(
                "Cannot remove values if artifact has external schema. The schema requires these feature values: "
                "change them with artifact.features.set_values({...}), or set artifact.schema = None first"
            )
        self._remove_values(features, value=value)

    def _remove_values(self, features: Any, *, value: Any = None) -> None:
        from ._feature_keys import resolve_keys

        if isinstance(features, dict):
            for f, v in resolve_keys(features).values():
                self._remove_values(f, value=v)
            return
        items = features if isinstance(features, (list, tuple)) else [features]
        found = {name: f for name, (f, _) in resolve_keys({item: None for item in items}).items()}
        link, host_field = _host_link(self._host)
        with transaction.atomic():
            for f in found.values():
                rows = link.objects.filter(**{f"{host_field}_id": self._host.id}, featurevalue__feature_id=f.id)
                if value is not None and not is_categorical(f.dtype):
                    rows = rows.filter(featurevalue__hash=value_hash(to_json(f.dtype, check_value(f.dtype, value, coerce=True))))
                elif value is not None:
                    vals = list(value) if isinstance(value, (list, tuple, set)) else [value]
                    texts = [v if isinstance(v, str) else getattr(v, dtype_info(f.dtype).cat_field, None) for v in vals]
                    rows = rows.filter(featurevalue__text__in=[t for t in texts if t is not None])
                rows.delete()
                info = dtype_info(f.dtype)
                if host_field == "artifact" and is_label_registry(info.model):
                    for alternative in info.alternatives or (info,):
                        if is_label_registry(alternative.model):
                            _unlink_values(self._host, f, alternative, value)

    def update_values(self, values: dict[Any, Any], schema: Any = None) -> None:
        """Replace the values of the given features only; ``None`` or an empty list/dict removes a feature's values.

        >>> artifact.features.update_values({"temperature": 22.0, "experiment": None})  # doctest: +SKIP
        """
        from ._feature_keys import is_empty, resolve_keys

        self._check_saved()
        resolved = resolve_keys(values, schema)
        keep = {f: v for _, (f, v) in resolved.items() if not is_empty(v)}
        plain, cats = self._validated(keep, schema)  # validate everything before changing anything
        with transaction.atomic():
            for _, (f, _) in resolved.items():
                self._remove_values(f)
            self._store(plain)
            for f, records in cats:
                link_labels(self._host, records, feature=f)

    def __getitem__(self, name: Any) -> Any:
        """The value of one feature; categorical values come as their records.

        >>> artifact.features["cell_type"]  # doctest: +SKIP
        CellType(name='T cell', ...)
        """
        from ._feature_keys import record_value, resolve_keys

        (key, (f, _)), = resolve_keys({name: None}).items()
        values = self.get_values()
        if key not in values:
            raise KeyError(f"{type(self._host).__name__} {self._host.uid} has no value for feature {key!r}")
        return record_value(f, values[key])

    @property
    def slots(self) -> dict[str, Any]:
        """The schemas an artifact's slots were validated into, by slot (``{}`` for runs and records).

        >>> artifact.features.slots["attrs"].features.first()  # doctest: +SKIP
        """
        if not type(self._host)._labels_as_links or self._host._state.adding:
            return {}
        links = self._host.links_schema.filter(slot__isnull=False).select_related("schema").order_by("id")
        return {link.slot: link.schema for link in links}

    def describe(self, return_str: bool = False) -> str | None:
        """Print (or return) the feature values and labels of this artifact or run as a tree."""
        from rich.console import Console
        from rich.markup import escape
        from rich.tree import Tree

        from ._describe_schema import dataset_features
        from ._feature_hooks import describe_features

        host = self._host
        label = getattr(host, "key", None) or getattr(host, "name", None) or getattr(host, "description", None)
        version = f" ({host.uid[16:]})" if label and len(host.uid) == 20 else ""  # the uid's version suffix
        tree = Tree(f"[bold]{type(host).__name__}:[/bold] {escape(label) if label else host.uid}{version}")
        dataset_features(host, tree)
        describe_features(host, tree, aligned=True)
        console = Console(record=True, width=120)
        with console.capture() as capture:
            console.print(tree)
        text = "\n".join(line.rstrip() for line in capture.get().rstrip("\n").splitlines())
        if return_str:
            return text
        print(text)
        return None

    def set_values(self, values: dict[Any, Any], schema: Any = None) -> None:
        """Replace all feature values of this artifact or run with ``values``."""
        from ._feature_keys import is_empty

        self._check_saved()
        values = {k: v for k, v in values.items() if not is_empty(v)}
        external = external_schema(self._host)
        if external is not None:
            _check_complete(external, values)
            schema = schema if schema is not None else external
        plain, cats = self._validated(values, schema)
        link, host_field = _host_link(self._host)
        with transaction.atomic():
            link.objects.filter(**{f"{host_field}_id": self._host.id}).delete()
            if host_field == "artifact":
                for label_link, _, _ in mounted_links().values():
                    label_link.objects.filter(artifact_id=self._host.id, feature_id__isnull=False).delete()
            self._store(plain)
            for f, records in cats:
                link_labels(self._host, records, feature=f)


def _unlink_values(host: Any, feature: Any, info: Any, value: Any) -> None:
    """Remove the label links of ``feature`` in one registry of its dtype (only those matching ``value``)."""
    label_link, field, _ = link_of(info.model)
    qs = label_link.objects.filter(artifact_id=host.id, feature_id=feature.id)
    if value is not None:
        vals = value if isinstance(value, (list, tuple, set)) else [value]
        recs = [v for v in vals if isinstance(v, info.model)]
        names = [v for v in vals if isinstance(v, str)]
        if not recs and not names:
            return  # the values belong to another registry of a union dtype
        qs = qs.filter(**{f"{field}__in": recs}) if recs else qs.filter(**{f"{field}__{info.field}__in": names})
    qs.delete()


def _collapse(values: list[Any], ordered: bool = False, as_list: bool = False) -> Any:
    """One value as itself (in a list when ``as_list``); several as a set (a list when ``ordered``, ``as_list`` or
    when they are unhashable)."""
    if as_list:
        return values
    if len(values) == 1:
        return values[0]
    if ordered:
        return values
    try:
        return set(values)
    except TypeError:
        return values


_MISSING = object()


def host_values(model: Any, ids: Any, names: list[str] | None = None) -> dict[int, dict[str, Any]]:
    """{host id: {feature name: value}} for artifacts or runs, in a bounded number of queries.

    Features of different types may share a name: a host shows the values of the categorical one (its labels)
    if it has any, else those of the oldest feature of that name. Several values of a feature come as a set; a
    registry that keeps their order (``_values_in_order``: Record) gets them as a list in the order they were stored,
    and the values of a categorical list feature always as a list.
    """
    from .feature import Feature

    is_artifact = model._labels_as_links
    ordered = getattr(model, "_values_in_order", False)
    link, host_field = _host_link(model)
    collected: dict[int, dict[str, dict[tuple[int, int], list[Any]]]] = {}  # host -> name -> (rank, fid) -> values
    order: dict[str, int] = {}
    listed: set[int] = set()  # categorical list features: a list even with one value (ordered registries)
    rows = link.objects.filter(**{f"{host_field}_id__in": ids})
    if names is not None:
        rows = rows.filter(featurevalue__feature__name__in=names)
    rows = rows.annotate(_json=Cast("featurevalue__value", TextField()))  # JSON text: decoded once per value row
    fetched = list(rows.values_list("id", f"{host_field}_id", "featurevalue__feature_id", "featurevalue_id",
                                    "featurevalue__feature__name", "featurevalue__feature__dtype", "_json"))
    fetched.sort(key=lambda r: r[0])  # links in the order they were stored (sorted here, not by the database)
    decoded: dict[int, Any] = {}  # value row -> value; lists and dicts are decoded per host (never shared)
    for _, hid, fid, fvid, name, dtype, raw in fetched:
        value = decoded.get(fvid, _MISSING)
        if value is _MISSING:
            value = from_json(dtype, json.loads(raw))
            if not isinstance(value, (list, dict)):
                decoded[fvid] = value
        if fid < order.get(name, fid + 1):
            order[name] = fid
        if ordered and dtype.startswith("list[") and is_categorical(dtype):
            listed.add(fid)
        per = collected.get(hid)
        if per is None:
            per = collected[hid] = {}
        by_feature = per.get(name)
        if by_feature is None:
            per[name] = {(1, fid): [value]}
        else:
            by_feature.setdefault((1, fid), []).append(value)
    if is_artifact:
        cat_features = Feature.objects.filter(dtype__contains="cat[")
        if names is not None:
            cat_features = cat_features.filter(name__in=names)
        by_id = {f.id: f for f in cat_features}
        by_registry: dict[Any, list[tuple[Any, str]]] = {}
        for f in by_id.values():
            info = dtype_info(f.dtype)
            for alternative in info.alternatives or (info,):
                by_registry.setdefault(alternative.model, []).append((f, alternative.cat_field))
        for model_, feats in by_registry.items():
            try:
                link, label_fk, _ = link_of(model_)
            except errors.InvalidArgument:  # e.g. cat[User]: values of other hosts, never linked to artifacts
                continue
            for field in {fld for _, fld in feats}:
                fids = [f.id for f, fld in feats if fld == field]
                rows = link.objects.filter(artifact_id__in=ids, feature_id__in=fids).order_by("id")
                for hid, fid, value in rows.values_list("artifact_id", "feature_id", f"{label_fk}__{field}"):
                    f = by_id[fid]
                    order[f.name] = min(f.id, order.get(f.name, f.id))
                    collected.setdefault(hid, {}).setdefault(f.name, {}).setdefault((0, fid), []).append(value)
    ranked = sorted(order, key=order.get)  # type: ignore[arg-type]
    out: dict[int, dict[str, Any]] = {}
    for hid, per in collected.items():
        out[hid] = {n: _collapse(per[n][key], ordered, key[1] in listed)
                    for n in ranked if n in per for key in (min(per[n]),)}
    return out


class FeaturesDescriptor:
    """``artifact.features`` / ``run.features`` / ``record.features`` (``manager``: the accessor class)."""

    def __init__(self, manager: type | None = None) -> None:
        self.manager = manager or FeatureManager

    def __get__(self, obj: Any, cls: type) -> Any:
        if obj is None:
            return self
        return self.manager(obj)
