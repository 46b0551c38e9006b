"""``ln.core.datasets``: LaminDB's older name for :mod:`lineagedb.examples.datasets` (loaded on first use).

>>> from lineagedb.core import datasets  # doctest: +SKIP
>>> df = datasets.mini_immuno.get_dataset1()  # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from typing import Any


def __getattr__(name: str) -> Any:
    return getattr(import_module("lineagedb.examples.datasets"), name)
