"""lineagedb.bio: biological registries backed by public ontologies, offline.

>>> import lineagedb.bio as bt
>>> bt.CellType.from_source(name="effector T cell").save()  # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_REGISTRIES = {
    "Organism", "Gene", "Protein", "CellMarker", "CellLine", "CellType", "Tissue", "Disease", "Phenotype",
    "Pathway", "ExperimentalFactor", "DevelopmentalStage", "Ethnicity", "Source",
}

__all__ = sorted([*_REGISTRIES, "settings"])


def __getattr__(name: str) -> Any:
    if name in _REGISTRIES:
        from ..core.instance import ensure_connected
        from ..errors import ModuleNotMounted

        inst = ensure_connected()
        if "bio" not in inst.modules:
            raise ModuleNotMounted(
                f"instance {inst.name!r} does not mount the bio module; re-run "
                f"`lineagedb init --storage {inst.storage_root} --modules bio` to add it"
            )
        value = getattr(import_module("lineagedb.bio.models"), name)
        globals()[name] = value
        return value
    if name == "settings":
        from ._settings import settings

        return settings
    raise AttributeError(f"module 'lineagedb.bio' has no attribute {name!r}")
