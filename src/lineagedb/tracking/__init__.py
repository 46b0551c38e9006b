"""Tracking: link the data a script, notebook, pipeline or function saves and loads to its run.

>>> import lineagedb as ln
>>> ln.track()      # doctest: +SKIP
>>> ...             # artifacts saved now get this run; artifacts loaded become its inputs
>>> ln.finish()     # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from ..core.context import get_run
from ._context import Context, context
from ._decorator import flow, step, tracked
from ._run import finish, track

__all__ = ["track", "finish", "tracked", "flow", "step", "context", "Context", "current_run"]


def current_run() -> Any:
    """The active Run, or None.

    >>> lineagedb.tracking.current_run()  # doctest: +SKIP
    """
    return get_run()
