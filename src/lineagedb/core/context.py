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


def track_input(record: Any) -> None:
    """Record ``record`` (an Artifact or Collection) as an input of the active run, if any.

    Called by load(), cache() and open(); outside a run it does nothing.
    """
    run = _CURRENT["run"]
    if run is None or getattr(record, "_state", None) is None or record._state.adding:
        return
    from .user_settings import settings

    if not settings.track_run_inputs:
        return
    if getattr(record, "run_id", None) == run.id:  # an output of this run is not also its input
        return
    name = type(record).__name__
    if name == "Artifact":
        run.input_artifacts.add(record)
    elif name == "Collection":
        run.input_collections.add(record)
