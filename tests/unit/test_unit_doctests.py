"""The examples in the foundations' docstrings run (those marked ``+SKIP`` need an instance or data)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import lineagedb

FOUNDATIONS = ("lineagedb.errors", "lineagedb.core", "lineagedb.formats", "lineagedb.loaders")


def _modules() -> list[str]:
    names = []
    for name in FOUNDATIONS:
        names.append(name)
        module = importlib.import_module(name)
        if hasattr(module, "__path__"):
            names += [m.name for m in pkgutil.walk_packages(module.__path__, prefix=name + ".")]
    return sorted(names)


def test_the_foundations_have_examples_that_run():
    assert len(_modules()) > 20 and "lineagedb.core.context" in _modules() and lineagedb.__name__ == "lineagedb"


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed (output above)"
