"""Functions as runs: ``@ln.flow()`` (a top-level run), ``@ln.step()`` (a run inside one), ``@ln.tracked()``.

Each decorated function is a ``function`` transform keyed ``<file name>::<qualified name>``; each call is a
Run with the call's arguments as ``params`` (records as ``"Artifact[<uid>]"``), ``initiated_by_run`` set to the
run that called it, and status ``completed`` or ``errored`` (``aborted`` on Ctrl-C).

>>> @ln.step()
... def normalize(artifact: ln.Artifact) -> ln.Artifact: ...       # doctest: +SKIP
>>> @ln.flow()
... def pipeline(key: str) -> None:                                 # doctest: +SKIP
...     normalize(ln.Artifact.get(key=key))
"""

from __future__ import annotations

import functools
import inspect
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import errors
from ..core.context import get_global_run, get_run, local_run, set_run

GLOBAL_RUN_MODES = ("clear", "memorize", "none")


def _function_transform(fn: Callable, key: str | None, uid: str | None = None) -> Any:
    from ..models import Transform
    from ..models._transform_source import file_key, source_hash

    try:
        code = textwrap.dedent(inspect.getsource(fn))
        path = Path(inspect.getsourcefile(fn) or "").resolve()
        prefix = file_key(path) if path.is_file() else fn.__module__
    except (OSError, TypeError):  # built in the REPL: no source to keep
        code, prefix = None, fn.__module__
    if uid is not None:
        pinned = Transform.objects.filter(uid__startswith=uid).order_by("-is_latest", "-uid").first()
        if pinned is not None:
            return pinned
    key = key or f"{prefix}::{fn.__qualname__}"
    digest = source_hash(code or key)
    same = Transform.objects.filter(key=key, hash=digest, branch=1).order_by("-id").first()
    if same is not None:
        return same
    doc = (inspect.getdoc(fn) or "").strip().splitlines()
    fields = {"uid": uid if uid is None or len(uid) == 16 else uid + "0000"} if uid is not None else {}
    return Transform(key=key, kind="function", hash=digest, source_code=code, skip_hash_lookup=True,  # type: ignore[misc]
                     description=doc[0] if doc else fn.__qualname__, **fields).save()


def _start(fn: Callable, signature: inspect.Signature, key: str | None, uid: str | None, args: tuple,
           kwargs: dict, initiated_by: Any) -> Any:
    from ..core.instance import ensure_connected
    from ._run import jsonable, start_run

    ensure_connected()
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    params = {name: value for name, value in jsonable(dict(bound.arguments)).items() if value is not None}
    return start_run(_function_transform(fn, key, uid), params=params, initiated_by=initiated_by, make_current=False)


def _call(run: Any, fn: Callable, args: tuple, kwargs: dict) -> Any:
    """Call ``fn`` with ``run`` active in this thread/task; end the run with the call's outcome."""
    from ._run import end_run

    try:
        with local_run(run):
            result = fn(*args, **kwargs)
    except BaseException as e:
        end_run(run, "aborted" if isinstance(e, KeyboardInterrupt) else "errored")
        raise
    end_run(run, "completed")
    return result


def step(uid: str | None = None, key: str | None = None) -> Callable[[Callable], Callable]:
    """Decorator: each call is a run initiated by the active run (of ``ln.track()``, a flow or another step).

    Calls in parallel threads each get their own run. Without an active run it raises ``TrackNotCalled``.

    >>> @ln.step()
    ... def qc(artifact: ln.Artifact, min_genes: int = 200) -> ln.Artifact: ...  # doctest: +SKIP
    """
    if callable(uid):  # used bare: @ln.step
        return step()(uid)

    def decorate(fn: Callable) -> Callable:
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            parent = get_run()
            if parent is None:
                raise errors.TrackNotCalled(
                    "Please track the global run context before using @ln.step(): ln.track() or @ln.flow()"
                )
            return _call(_start(fn, signature, key, uid, args, kwargs, parent), fn, args, kwargs)

        return wrapper

    return decorate


def flow(uid: str | None = None, global_run: str = "clear", key: str | None = None) -> Callable[[Callable], Callable]:
    """Decorator: each call is a top-level run, the run that the steps it calls are initiated by.

    ``global_run``: ``"clear"`` (default) makes the run ``ln.context.run`` during the call and clears it after;
    ``"memorize"`` leaves it there after the call; ``"none"`` keeps it local to this thread/task, so flows can
    run concurrently. A flow called while ``ln.track()``'s run is active raises ``RunContextError``
    (use ``@ln.step()`` there).

    >>> @ln.flow()
    ... def pipeline(input_key: str, n_top_genes: int = 2000) -> None: ...  # doctest: +SKIP
    """
    if callable(uid):  # used bare: @ln.flow
        return flow()(uid)
    if global_run not in GLOBAL_RUN_MODES:
        raise errors.InvalidArgument(f"global_run must be one of {GLOBAL_RUN_MODES}, not {global_run!r}")

    def decorate(fn: Callable) -> Callable:
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            outer = get_run() if global_run == "none" else get_global_run()
            if global_run != "none" and outer is not None:
                raise errors.RunContextError(
                    "Please use @ln.step() or clear the global run context before using @ln.flow(): no "
                    f"`ln.track()` or `@ln.flow(global_run='clear')` may be active (run {outer.uid} is); "
                    "call ln.finish() first, or use @ln.flow(global_run='none') for a nested flow"
                )
            run = _start(fn, signature, key, uid, args, kwargs, outer)
            if global_run == "none":
                return _call(run, fn, args, kwargs)
            set_run(run)
            try:
                return _call(run, fn, args, kwargs)
            finally:
                if global_run == "clear" or run.status != "completed":
                    set_run(None)

        return wrapper

    return decorate


def tracked(key: str | None = None) -> Callable[[Callable], Callable]:
    """Decorator: each call is a run; inside another run it is initiated by it, else it stands alone.

    ``@ln.tracked()`` is ``@ln.step()`` that also works without an active run.

    >>> @ln.tracked()
    ... def subset(artifact, n: int = 10):  # doctest: +SKIP
    ...     ...
    """
    if callable(key):  # used bare: @ln.tracked
        return tracked()(key)

    def decorate(fn: Callable) -> Callable:
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return _call(_start(fn, signature, key, None, args, kwargs, get_run()), fn, args, kwargs)

        return wrapper

    return decorate
