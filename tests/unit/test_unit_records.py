"""core.records: the interface through which the foundations reach the registries (plugged in by the app)."""

from __future__ import annotations

import pytest

from lineagedb import errors
from lineagedb.core import records as records_module


@pytest.fixture
def nothing_registered(monkeypatch):
    monkeypatch.setattr(records_module, "_REGISTERED", [])


def test_without_the_registries_loaded_core_says_to_connect(nothing_registered):
    with pytest.raises(errors.InstanceNotSetup, match="connect an instance first"):
        records_module.records()


def test_the_last_registration_wins(nothing_registered):
    first, second = object(), object()
    records_module.register(first)  # type: ignore[arg-type]
    records_module.register(second)  # type: ignore[arg-type]
    assert records_module.records() is second
