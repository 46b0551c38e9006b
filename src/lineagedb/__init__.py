"""lineagedb: metadata, lineage and validation for biological data.

>>> import lineagedb as ln
>>> ln.track()                                                   # doctest: +SKIP
>>> ln.Artifact.from_dataframe(df, key="my_datasets/x.parquet").save()  # doctest: +SKIP

Importing is cheap: Django, pandas and the registries load on first use, and the current
instance connects lazily on first database access.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_MODELS = {"Artifact", "Branch", "Collection", "Feature", "FeatureValue", "Project", "Record", "Reference", "Run", "Schema",
           "Space", "Storage", "Transform", "ULabel", "User"}
_LAZY = {
    "errors": ("lineagedb.errors", None),
    "setup": ("lineagedb.setup", None),
    "settings": ("lineagedb.core.user_settings", "settings"),
    "connect": ("lineagedb.setup", "connect"),
    "track": ("lineagedb.tracking", "track"),
    "finish": ("lineagedb.tracking", "finish"),
    "tracked": ("lineagedb.tracking", "tracked"),
    "flow": ("lineagedb.tracking", "flow"),
    "step": ("lineagedb.tracking", "step"),
    "context": ("lineagedb.tracking", "context"),
    "view": ("lineagedb.models._view", "view"),
    "save": ("lineagedb.models._bulk", "save"),
    "UPath": ("lineagedb.core.storage", "UPath"),
    "examples": ("lineagedb.examples", None),
    "curators": ("lineagedb.curators", None),
    "integrations": ("lineagedb.integrations", None),
    "Q": ("django.db.models", "Q"),
}

__all__ = sorted([*_MODELS, *_LAZY])


def __getattr__(name: str) -> Any:
    if name in _MODELS:
        from .core.instance import ensure_connected

        ensure_connected()
        value = getattr(import_module("lineagedb.models"), name)
    elif name in _LAZY:
        module, attr = _LAZY[name]
        if name in {"track", "finish", "tracked", "view", "save", "curators", "integrations"}:
            from .core.instance import ensure_connected

            ensure_connected()
        value = import_module(module) if attr is None else getattr(import_module(module), attr)
    else:
        raise AttributeError(f"module 'lineagedb' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
