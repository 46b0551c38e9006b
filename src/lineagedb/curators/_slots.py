"""Slots of composite data: where ``obs``, ``var.T``, ``uns:key``, ``rna:obs``, ``attrs:bio``, ``table:var.T`` live.

A slot name is a path: an optional container prefix (a MuData modality, a SpatialData table), then a
component (``obs``, ``var``, ``var.T``, ``obs.T``, ``uns``, ``attrs``), then keys into nested dicts.

>>> resolve_slot(mdata, "rna:uns:site_metadata")  # doctest: +SKIP
('meta', {'pos': 1.0, 'site_id': 'A'})
"""

from __future__ import annotations

from typing import Any

from .. import errors

COMPONENTS = ("obs", "var", "var.T", "obs.T", "uns", "attrs")


def otype_of(data: Any) -> str | None:
    """``"AnnData"``, ``"MuData"``, ``"SpatialData"`` or None, by duck type (no optional import needed)."""
    name = type(data).__name__
    if name in {"MuData", "SpatialData"}:
        return name
    if hasattr(data, "obs") and hasattr(data, "var") and hasattr(data, "X"):
        return "AnnData"
    return None


def _drill(value: Any, keys: list[str], slot: str, root: str) -> Any:
    path = root
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            available = ", ".join(repr(k) for k in value) if isinstance(value, dict) and value else (
                "none (not a dict)" if not isinstance(value, dict) else "none")
            wanted = root + "".join(f"[{k!r}]" for k in keys)
            raise errors.InvalidArgument(
                f"Schema slot {slot!r} requires keys {wanted} but key {key!r} not found. "
                f"Available keys at this level: {available}."
            )
        value = value[key]
        path += f"[{key!r}]"
    return value


def _container(data: Any, parts: list[str], slot: str) -> tuple[Any, list[str]]:
    """The AnnData-like object a slot refers to, and the rest of the path."""
    kind = otype_of(data)
    if kind == "MuData" and parts[0] not in COMPONENTS:
        if parts[0] not in data.mod:
            raise errors.InvalidArgument(
                f"Schema slot {slot!r}: no modality {parts[0]!r}; modalities: {sorted(data.mod)}")
        return data.mod[parts[0]], parts[1:]
    if kind == "SpatialData" and parts[0] not in COMPONENTS:
        if parts[0] not in data.tables:
            raise errors.InvalidArgument(f"Schema slot {slot!r}: no table {parts[0]!r}; tables: {sorted(data.tables)}")
        return data.tables[parts[0]], parts[1:]
    return data, parts


def resolve_slot(data: Any, slot: str) -> tuple[str, Any]:
    """``(kind, value)``: ``frame`` (a DataFrame), ``axis`` (an AnnData whose var/obs names are registry
    values), ``meta`` (a dict of dataset-level values). Raises ``InvalidArgument`` for a slot the data lacks."""
    container, rest = _container(data, slot.split(":"), slot)
    if not rest or rest[0] not in COMPONENTS:
        raise errors.InvalidArgument(
            f"Schema slot {slot!r} is not supported for {otype_of(data) or type(data).__name__}: use one of "
            f"{', '.join(COMPONENTS)} (prefixed by a modality or table name for MuData / SpatialData)"
        )
    component, keys = rest[0], rest[1:]
    if component in {"obs", "var"} and not keys:
        return "frame", getattr(container, component)
    if component in {"var.T", "obs.T"} and not keys:
        return "axis", container
    if component in {"uns", "attrs"}:
        root = getattr(container, component, None)
        if root is None:
            raise errors.InvalidArgument(f"Schema slot {slot!r}: the data has no {component}")
        return "meta", _drill(dict(root), keys, slot, component)
    raise errors.InvalidArgument(f"Schema slot {slot!r}: {component} takes no keys")


def check_slots(data: Any, schema: Any) -> None:
    """Raise ``InvalidArgument`` at construction for slots the data does not have."""
    for name in (schema.slots or {}):
        if name != "__external__":
            resolve_slot(data, name)
