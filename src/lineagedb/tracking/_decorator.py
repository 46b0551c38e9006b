"""``@ln.tracked()``: every call of a function is a run of a ``function`` transform."""

from __future__ import annotations

import functools
import inspect
import textwrap
from pathlib import Path
from typing import Any, Callable

from ..core.context import get_run, set_run


def _function_transform(fn: Callable, key: str | None) -> Any:
    from ..models import Transform
    from ._source import file_key, source_hash
    from ._transforms import _new_version

    try:
        code = textwrap.dedent(inspect.getsource(fn))
        path = Path(inspect.getsourcefile(fn) or "").resolve()
        prefix = file_key(path) if path.is_file() else fn.__module__
    except (OSError, TypeError):  # built in the REPL: no source to keep
        code, prefix = None, fn.__module__
    key = key or f"{prefix}::{fn.__qualname__}"
    digest = source_hash(code or key)
    same = Transform.objects.filter(key=key, hash=digest, branch=1).order_by("-id").first()
    if same is not None:
        return same
    doc = (inspect.getdoc(fn) or "").strip().splitlines()
    return _new_version(Transform, key, kind="function", hash=digest, source_code=code,
                        description=doc[0] if doc else fn.__qualname__)


def tracked(key: str | None = None) -> Callable[[Callable], Callable]:
    """Decorator: each call runs as a Run of a ``function`` transform, with its arguments as params.

    A call inside another run records that run as ``initiated_by_run``.

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
            from ..core.instance import ensure_connected
            from ._run import end_run, jsonable, start_run

            ensure_connected()
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            transform = _function_transform(fn, key)
            outer = get_run()
            run = start_run(transform, params=jsonable(dict(bound.arguments)), initiated_by=outer)
            try:
                result = fn(*args, **kwargs)
            except BaseException as e:
                end_run(run, "aborted" if isinstance(e, KeyboardInterrupt) else "errored")
                raise
            else:
                end_run(run, "completed")
            finally:
                set_run(outer)
            return result

        return wrapper

    return decorate
