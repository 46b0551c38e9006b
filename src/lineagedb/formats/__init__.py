"""Readers and writers per file suffix, so load()/open()/from_* never chain ``if suffix == ...``.

Each format module registers itself here; the registry imports them lazily by suffix.

>>> from lineagedb.formats import loader_for
>>> loader_for(".parquet")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from ..errors import UnknownSuffix

# suffix -> module that implements it (imported on first use)
_MODULES: dict[str, str] = {
    ".parquet": "lineagedb.formats._tables",
    ".csv": "lineagedb.formats._tables",
    ".tsv": "lineagedb.formats._tables",
    ".json": "lineagedb.formats._json",
    ".h5ad": "lineagedb.formats._anndata",
    ".zarr": "lineagedb.formats._anndata",
    ".h5mu": "lineagedb.formats._anndata",
    **{suffix: "lineagedb.formats._files" for suffix in (".yaml", ".yml", ".html", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".rds")},
}

LOADERS: dict[str, Callable[[Any], Any]] = {}  # suffix -> fn(local_or_upath) -> object
OPENERS: dict[str, Callable[[Any], Any]] = {}  # suffix -> fn(upath) -> streaming handle


def register(suffix: str, load: Callable[[Any], Any] | None = None, open: Callable[[Any], Any] | None = None) -> None:  # noqa: A002
    if load is not None:
        LOADERS[suffix] = load
    if open is not None:
        OPENERS[suffix] = open


def _ensure(suffix: str) -> None:
    module = _MODULES.get(suffix)
    if module is not None and suffix not in LOADERS and suffix not in OPENERS:
        import_module(module)


def loader_for(suffix: str) -> Callable[[Any], Any]:
    _ensure(suffix)
    if suffix not in LOADERS:
        raise UnknownSuffix(
            f"lineagedb cannot load {suffix or 'suffix-less'} files into memory; "
            "use artifact.cache() for a local path and read it with the tool of your choice"
        )
    return LOADERS[suffix]


def opener_for(suffix: str) -> Callable[[Any], Any]:
    _ensure(suffix)
    if suffix not in OPENERS:
        raise UnknownSuffix(
            f"lineagedb cannot stream {suffix or 'suffix-less'} files; open() supports "
            f"{sorted(set(_MODULES) | set(OPENERS))}; use artifact.load() or artifact.cache()"
        )
    return OPENERS[suffix]
