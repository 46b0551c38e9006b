"""How a schema definition is normalised and hashed (used by ``Schema`` and the curators).

``itype`` strings: ``"Feature"`` (columns are registered features), ``"Record"``, ``"bio.CellType"``
(a registry: values match its name field) or ``"bio.Gene.ensembl_gene_id"`` (a registry field).
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from .. import errors
from ._base import column_keywords

if TYPE_CHECKING:
    from django.db.models import Model

    from ._base import BaseRecord

_PY_DTYPES = {int: "int", float: "float", str: "str", bool: "bool", dict: "dict", list: "list"}
_VALUE_DTYPES = {"int", "float", "num", "str", "bool", "date", "datetime"}


def registry_name(model: type[Model]) -> str:
    """``bt.CellType`` -> ``"bio.CellType"``, ``ln.Record`` -> ``"Record"``."""
    from ._dtypes import _registry_name

    return _registry_name(model)


def normalize_schema_kwargs(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """``Schema([f1, f2], coerce=True)`` -> ``{"features": [f1, f2], "coerce_dtype": True}``.

    The first positional argument arrives here as ``features`` (``Schema._positional``); ``coerce`` is the
    model's ``coerce_dtype``; ``n_members`` (derived from the features) is ignored.
    """
    kwargs = dict(kwargs)
    from .feature import Feature

    if isinstance(kwargs.get("features"), Feature):  # ln.Schema(feature): the registry's positional is features
        raise errors.InvalidArgument("Please pass a ListLike of features, not a single feature")
    if "coerce" in kwargs:
        kwargs["coerce_dtype"] = bool(kwargs.pop("coerce"))
    kwargs.pop("n_members", None)
    from .schema import Schema

    fields = {f.name for f in Schema._meta.get_fields() if not f.auto_created or f.concrete}
    fields |= column_keywords(Schema)
    unknown = sorted(set(kwargs) - fields - {"slots", "organism", "_members"})
    if unknown:
        raise errors.FieldValidationError(
            f"Schema() got unexpected keyword argument(s) {unknown}; valid ones include features, index, slots, "
            "itype, otype, dtype, name, description, minimal_set, maximal_set, ordered_set, flexible, coerce, "
            "organism, suffix, is_type, type"
        )
    suffix = kwargs.get("suffix")
    if suffix is not None:
        from ._schema_extras import SCHEMA_SUFFIXES

        if suffix not in SCHEMA_SUFFIXES:
            raise errors.FieldValidationError(
                f"Invalid suffix {suffix!r}. Please pass a canonical suffix: one of {list(SCHEMA_SUFFIXES)}"
            )
    described = ("features", "slots", "itype", "_members", "index", "otype")
    if not kwargs.get("is_type") and all(kwargs.get(k) is None for k in described):
        raise errors.InvalidArgument(
            "Please pass features or slots or itype or set is_type=True, e.g. ln.Schema(itype=ln.Feature) "
            "for any registered feature or ln.Schema([f1, f2]) for these features"
        )
    if kwargs.get("type") is not None and not getattr(kwargs["type"], "is_type", False):
        from ._typed import not_a_type

        raise not_a_type(Schema, kwargs["type"])
    return kwargs


def is_feature_itype(itype: str | None) -> bool:
    """True for ``"Feature"`` and for a feature type's ``"Feature[<uid>]"``: columns are features."""
    return itype == "Feature" or (itype or "").startswith("Feature[")


def feature_type_of(itype: str | None) -> Any:
    """The feature type (``ln.Feature(..., is_type=True)``) of ``"Feature[<uid>]"``, or None."""
    if not (itype or "").startswith("Feature["):
        return None
    from .feature import Feature

    uid = itype[len("Feature["):-1]  # type: ignore[index]
    found = Feature.objects.filter(uid=uid, is_type=True).first()
    if found is None:
        raise errors.InvalidArgument(f"itype {itype!r}: no feature type with uid {uid!r}")
    return found


def normalize_itype(itype: Any) -> str | None:
    """Accept a registry class, a registry field (``bt.Gene.ensembl_gene_id``), a feature type or a string.

    A feature type (``ln.Feature(name=..., is_type=True)``) becomes ``"Feature[<uid>]"``: columns must be
    features of that type.
    """
    if itype is None:
        return None
    from .feature import Feature

    if isinstance(itype, Feature):
        if not itype.is_type:
            raise errors.InvalidArgument(
                f"itype={itype.name!r} is a feature, not a feature type: pass a feature type "
                "(ln.Feature(name=..., is_type=True)), ln.Feature, or list features with features=[...]"
            )
        if itype.pk is None:
            raise errors.InvalidArgument(f"the feature type {itype.name!r} is not saved yet: call .save() on it first")
        return f"Feature[{itype.uid}]"
    if isinstance(itype, str) and itype.startswith("Feature["):
        if not itype.endswith("]"):
            raise errors.InvalidArgument(f"itype {itype!r} is not of the form 'Feature[<uid of a feature type>]'")
        feature_type_of(itype)  # raises on an unknown uid
        return itype
    if isinstance(itype, str):
        model, field = registry_and_field(itype)  # raises on an unknown registry or field
        return registry_name(model) + (f".{field}" if field else "")
    field = getattr(itype, "field", None)
    if field is not None and getattr(field, "model", None) is not None:  # a Django DeferredAttribute
        return f"{registry_name(field.model)}.{field.name}"
    if isinstance(itype, type) and hasattr(itype, "_meta"):
        return registry_name(itype)
    raise errors.InvalidArgument(
        f"itype={itype!r} is not a registry or registry field; use e.g. ln.Feature or bt.Gene.ensembl_gene_id"
    )


def normalize_dtype(dtype: Any) -> str:
    """The dtype of a schema's values (e.g. of X in an AnnData): ``int``, ``float``, ``num``, ``str``, ..."""
    if dtype in _PY_DTYPES:
        return _PY_DTYPES[dtype]
    if isinstance(dtype, str) and dtype in _VALUE_DTYPES:
        return dtype
    raise errors.InvalidArgument(f"schema dtype={dtype!r} is not one of {sorted(_VALUE_DTYPES)} (or int/float/str/bool)")


def normalize_organism(organism: Any, itype: str | None) -> str:
    """``"mouse"`` or a ``bt.Organism`` record -> ``"mouse"``; checked against the public gene (etc.) sources."""
    name = organism if isinstance(organism, str) else getattr(organism, "name", None)
    if not name:
        raise errors.InvalidArgument(f"organism={organism!r} is not an organism name; use e.g. organism='mouse'")
    model = member_registry(itype) if itype and not is_feature_itype(itype) else None
    if model is not None and "organism" not in {f.name for f in model._meta.concrete_fields}:
        raise errors.InvalidArgument(f"organism= applies to organism-specific registries (e.g. bt.Gene), not {itype!r}")
    if model is not None and hasattr(model, "check_organism"):  # registries backed by public sources
        try:
            model.check_organism(name)
        except errors.LineageDBError as e:
            raise errors.InvalidArgument(f"organism={name!r}: {e}") from e
    return name


def registry_and_field(itype: str) -> tuple[type[BaseRecord], str | None]:
    """``"bio.Gene.ensembl_gene_id"`` -> (Gene, "ensembl_gene_id"); ``"Feature"`` -> (Feature, None)."""
    from ._dtypes import _get_model

    parts = itype.split(".")
    n_registry = 2 if parts[0] in {"bio", "bt"} else 1
    registry, rest = ".".join(parts[:n_registry]), parts[n_registry:]
    model = _get_model(registry)
    if model is None or len(rest) > 1:
        raise errors.InvalidArgument(
            f"itype {itype!r} is not a registry or registry field, e.g. 'Feature' or 'bio.Gene.ensembl_gene_id'"
        )
    field = rest[0] if rest else None
    if field is not None:
        try:
            model._meta.get_field(field)
        except Exception as e:  # noqa: BLE001
            raise errors.InvalidArgument(f"itype {itype!r}: {model.__name__} has no field {field!r}") from e
    return model, field


def member_registry(itype: str | None) -> type[BaseRecord] | None:
    if not itype:
        return None
    if is_feature_itype(itype):
        from .feature import Feature

        return Feature
    return registry_and_field(itype)[0]


def normalize_features(features: Any) -> list[tuple[Any, dict[str, Any]]]:
    """``[feature, feature.with_config(optional=True), "name"]`` -> ``[(Feature, config), ...]``."""
    from .feature import Feature

    if isinstance(features, Feature):
        raise errors.InvalidArgument(f"Please pass a ListLike of features, not a single feature: [{features.name!r}, ...]")
    if isinstance(features, str) or not hasattr(features, "__iter__"):
        raise errors.InvalidArgument("features must be a list of features, e.g. features=[perturbation, donor]")
    out: list[tuple[Any, dict[str, Any]]] = []
    seen: set[int] = set()
    for item in features:
        feature, config = (item if isinstance(item, tuple) else (item, {}))
        if isinstance(feature, str):
            found = Feature.filter(name=feature).first()
            if found is None:
                raise errors.InvalidArgument(
                    f"no feature named {feature!r}; create it first: ln.Feature(name={feature!r}, dtype=...).save()"
                )
            feature = found
        if not isinstance(feature, Feature):
            raise errors.InvalidArgument(f"{feature!r} is not a Feature")
        if feature.pk is None:
            raise errors.InvalidArgument(f"feature {feature.name!r} is not saved yet: call .save() on it first")
        if feature.pk in seen:
            raise errors.InvalidArgument(f"feature {feature.name!r} is listed twice")
        seen.add(feature.pk)
        out.append((feature, dict(config)))
    return out


def definition_hash(schema: Any, pending: dict[str, Any]) -> str:
    """A stable hash of everything that decides what validates: the same definition, the same hash."""
    features = [[f.uid, bool(c.get("optional"))] for f, c in pending["features"]]
    if not schema.ordered_set:
        features.sort()
    members = None
    if pending["members"] is not None:
        # identity of the records, not their field values: distinct member sets never share a hash
        # (the same symbol in two organisms is two genes)
        members = sorted({str(getattr(m, "uid", None) or m.pk) for m in pending["members"]})
    definition = {
        "itype": schema.itype, "otype": schema.otype, "dtype": schema.dtype,
        "minimal_set": schema.minimal_set, "maximal_set": schema.maximal_set,
        "ordered_set": schema.ordered_set, "flexible": schema.flexible, "coerce_dtype": schema.coerce_dtype,
        "index": schema.index.uid if schema.index_id is not None else None,
        "features": features,
        "slots": sorted([slot, comp.hash] for slot, comp in pending["slots"].items()),
        "members": members,
        "config": {k: v for k, v in (schema.config or {}).items() if k != "formats"} or None,
    }
    if schema.suffix:  # only when set, so hashes of schemas saved before suffixes existed stay the same
        definition["suffix"] = schema.suffix
    text = json.dumps(definition, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
