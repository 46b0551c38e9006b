"""The one small accessor through which registries learn the current run.

``tracking`` sets it; ``models`` reads it. Nothing here imports Django.

Two layers: the *global* run (``ln.track()``, ``@ln.flow()``) that every thread sees, and a *local* run
(``@ln.step()``, nested flows) held in a ``ContextVar``, so concurrent steps in threads each see their own.

>>> from lineagedb.core.context import get_run
>>> get_run() is None
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_CURRENT: dict[str, Any] = {"run": None, "branch": 1}
_UNSET = object()
_LOCAL: ContextVar[Any] = ContextVar("lineagedb_local_run", default=_UNSET)
_ON_CONNECT: list[Callable[[], None]] = []


def get_run() -> Any:
    """The active Run (the local one of a step or flow, else the global one), or None outside a tracked run."""
    local = _LOCAL.get()
    return _CURRENT["run"] if local is _UNSET else local


def get_global_run() -> Any:
    """The process-wide run set by ``ln.track()`` or a flow, ignoring any step running in this context."""
    return _CURRENT["run"]


def set_run(run: Any) -> None:
    """Set the global run (``None`` clears it)."""
    _CURRENT["run"] = run


@contextmanager
def local_run(run: Any) -> Iterator[Any]:
    """Make ``run`` the active run of this thread/task only, for the ``with`` block.

    >>> with local_run(None):
    ...     get_run() is None
    True
    """
    token = _LOCAL.set(run)
    try:
        yield run
    finally:
        _LOCAL.reset(token)


def on_connect_hook(fn: Callable[[], None]) -> Callable[[], None]:
    """Register ``fn`` to run after every connect (e.g. to reset caches)."""
    _ON_CONNECT.append(fn)
    return fn


def get_branch_id() -> int:
    """The id of the branch new records go to and class-level queries show next to main (1: main).

    >>> get_branch_id()
    1
    """
    return _CURRENT["branch"]


def set_branch_id(branch_id: int) -> None:
    """Make ``branch_id`` the current branch of this process (``ln.setup.switch`` calls this)."""
    _CURRENT["branch"] = branch_id


def visible_branch_ids() -> tuple[int, ...]:
    """The branches class-level queries show by default: main, plus the current branch when it is another one.

    >>> visible_branch_ids()
    (1,)
    """
    current = _CURRENT["branch"]
    return (1,) if current == 1 else (1, current)


def on_connect() -> None:
    _CURRENT["run"] = None
    _CURRENT["branch"] = 1
    for fn in _ON_CONNECT:
        fn()


def track_input(record: Any) -> None:
    """Record ``record`` (an Artifact or Collection) as an input of the active run, if any.

    Called by load(), cache() and open(); outside a run it does nothing.
    """
    run = get_run()
    if run is None or getattr(record, "_state", None) is None or record._state.adding:
        return
    from .user_settings import settings

    if not settings.track_run_inputs:
        return
    if getattr(record, "run_id", None) == run.id:  # an output of this run is not also its input
        return
    record.input_of_runs.add(run)  # Artifact, Collection (and Record) name the runs that read them alike
