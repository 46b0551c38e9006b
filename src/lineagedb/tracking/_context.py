"""``ln.context``: the current transform and run, and the uid/version a script pins before ``ln.track()``.

>>> ln.context.version = "1.2"          # doctest: +SKIP
>>> ln.track("Ro1gl7n8YrdH0000")         # doctest: +SKIP
>>> ln.context.run, ln.context.transform  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from ..core.context import get_run


class Context:
    """The run context of this process (``ln.track()`` and ``ln.finish()`` are ``ln.context.track/finish``)."""

    def __init__(self) -> None:
        self.uid: str | None = None  # pin the transform uid of the next ln.track()
        self.version: str | None = None  # version tag of a transform ln.track() creates
        self.space: Any = None  # no current space: new records are in the space "all" unless given space=

    @property
    def run(self) -> Any:
        """The active Run (a step's or flow's inside one, else ``ln.track()``'s), or None."""
        return get_run()

    @property
    def transform(self) -> Any:
        """The Transform of the active run, or None."""
        run = get_run()
        return run.transform if run is not None else None

    def track(self, *args: Any, **kwargs: Any) -> Any:
        """Same as ``ln.track()``."""
        from ._run import track

        return track(*args, **kwargs)

    def finish(self) -> None:
        """Same as ``ln.finish()``."""
        from ._run import finish

        finish()

    def __repr__(self) -> str:
        run = get_run()
        return f"Context(run={run.uid if run else None!r}, uid={self.uid!r}, version={self.version!r})"


context = Context()
