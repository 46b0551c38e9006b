"""The one small accessor through which registries learn the current run.

``tracking`` sets it; ``models`` reads it. Nothing here imports Django.
"""

from __future__ import annotations

from typing import Any, Callable

_CURRENT: dict[str, Any] = {"run": None}
_ON_CONNECT: list[Callable[[], None]] = []


def get_run() -> Any:
    """The active Run, or None outside a tracked run."""
    return _CURRENT["run"]


def set_run(run: Any) -> None:
    _CURRENT["run"] = run


def on_connect_hook(fn: Callable[[], None]) -> Callable[[], None]:
    """Register ``fn`` to run after every connect (e.g. to reset caches)."""
    _ON_CONNECT.append(fn)
    return fn


def on_connect() -> None:
    _CURRENT["run"] = None
    for fn in _ON_CONNECT:
        fn()
