"""The run lifecycle: ``track()`` starts a run, ``finish()`` ends it, a crash marks it errored."""

from __future__ import annotations

import atexit
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import errors
from ..core.context import get_global_run, get_run, on_connect_hook, set_run

if TYPE_CHECKING:
    from ..models._transform_source import SourceFile

_STATE: dict[str, Any] = {"source": None, "last": None, "hooks": False, "previous_hook": None,
                          "previous_exit": None, "exit_code": None}
_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])


@on_connect_hook
def _forget_runs() -> None:
    """Another instance: the finished run of the previous one is no concern of it."""
    _STATE.update(source=None, last=None)


def now() -> Any:
    from django.utils import timezone

    return timezone.now()


def jsonable(value: Any) -> Any:
    """``value`` as JSON-serializable data: records become ``"Artifact[<uid>]"``, paths strings, others their repr.

    >>> jsonable({"n": 1, "paths": (Path("/a"),)})
    {'n': 1, 'paths': ['/a']}
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Path) or type(value).__name__ == "UPath":
        return value.as_posix()
    uid = getattr(value, "uid", None)
    if isinstance(uid, str):
        return f"{type(value).__name__}[{uid}]"
    if isinstance(value, (list, tuple, set, frozenset)) or hasattr(value, "model") and hasattr(value, "iterator"):
        return [jsonable(v) for v in value]  # sequences and query sets
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _caller_file() -> Path | None:
    """The first file up the stack that is neither lineagedb, the standard library nor generated code."""
    import sysconfig

    skip = (_PACKAGE_DIR, sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"])
    frame: Any = sys._getframe(1)
    while frame is not None:
        name = frame.f_code.co_filename
        if not name.startswith(skip) and not name.startswith("<"):
            return Path(name)
        frame = frame.f_back
    return None


def detect_source(path: str | Path | None) -> SourceFile:
    """The script or notebook that called ``ln.track()`` (or the one at ``path``)."""
    from ..models._transform_source import read_source

    if path is not None:
        return read_source(path)
    from ..core._jupyter import ipython_kernel
    from ._notebook import notebook_path

    shell = ipython_kernel()
    if shell is not None:
        found = notebook_path(shell)
        if found is None:
            raise errors.NotebookNotFound(
                "could not detect the path of this notebook; pass it: ln.track(path='my_notebook.ipynb') "
                "(relative to the notebook's folder, or absolute)"
            )
        return read_source(found)
    caller = _caller_file()
    if caller is None or not caller.is_file():
        raise errors.InvalidArgument(
            "ln.track() cannot tell which script is running (interactive session?); pass "
            "ln.track(path='my_script.py') or ln.track(ln.Transform(key='my_analysis', kind='pipeline'))"
        )
    return read_source(caller)


def start_run(transform: Any, params: dict | None = None, initiated_by: Any = None, make_current: bool = True) -> Any:
    """Save a new started Run of ``transform`` with the process environment (and make it the global run)."""
    from ..models import Run
    from ._artifacts import save_environment

    try:
        environment = save_environment()
    except Exception as e:  # noqa: BLE001 - an unsavable environment must not stop the user's work
        print(f"! could not save the environment of this run: {type(e).__name__}: {e}", file=sys.stderr)
        environment = None
    run = Run(transform=transform, started_at=now(), status="started", params=params,
              environment=environment, initiated_by_run=initiated_by).save()
    if make_current:
        set_run(run)
    return run


def end_run(run: Any, status: str) -> None:
    run.status = status
    run.finished_at = now()
    run.save(update_fields=["status", "finished_at"])


def track(transform: Any = None, params: dict | None = None, path: str | Path | None = None) -> Any:
    """Start a run of the calling script or notebook (or of ``transform``); data saved from now on links to it.

    ``transform`` may be a transform uid: the script's transform then keeps that uid (``ln.context.version``
    tags it). Returns the new Run.

    >>> ln.track()                                    # doctest: +SKIP
    >>> ln.track("Ro1gl7n8YrdH0000")                  # doctest: +SKIP
    >>> ln.track(params={"learning_rate": 0.01})      # doctest: +SKIP
    >>> ln.track(ln.Transform(key="my_pipeline", version="1.2.0", kind="pipeline"))  # doctest: +SKIP
    """
    from ._context import context
    from ._transforms import transform_for_record, transform_for_source

    if params is not None and not isinstance(params, dict):
        raise errors.InvalidArgument(f"params must be a dict such as {{'alpha': 0.1}}, not {type(params).__name__}")
    if transform is not None and path is not None and not isinstance(transform, str):
        raise errors.InvalidArgument("pass either a transform or a path to ln.track(), not both")
    previous = get_global_run()
    if previous is not None and previous.status == "started":  # e.g. a notebook's track() cell run again
        end_run(previous, "aborted")
        print(f"→ run {previous.uid} was not finished and is marked aborted: a new run starts", file=sys.stderr)
    source = None
    uid = transform if isinstance(transform, str) else context.uid
    if transform is None or isinstance(transform, str):
        try:
            source = detect_source(path)
        except errors.InvalidArgument:
            if uid is None:
                raise
            record = _saved_transform(uid)  # a pinned uid in an interactive session: that saved transform
        if source is not None:
            record = transform_for_source(source, uid=uid, version=context.version)
    else:
        record = transform_for_record(transform)
    run = start_run(record, params=jsonable(params) if params is not None else None)
    _STATE.update(source=source, last=None)
    _install_hooks()
    print(f"→ tracking {record.kind} {record.key!r} (transform {record.uid}), started new Run({run.uid!r})")
    return run


def _saved_transform(uid: str) -> Any:
    from ..models import Transform

    found = Transform.objects.filter(uid__startswith=uid).order_by("-is_latest", "-uid").first()
    if found is None:
        raise errors.InvalidArgument(
            f"no transform with uid {uid!r}, and no script or notebook to create it from; pass a uid from "
            "ln.Transform.to_dataframe(), or call ln.track() from a script"
        )
    return found


def finish() -> None:
    """End the current run: finished_at, status ``completed``, source code and (notebooks) an HTML report.

    Calling it again changes nothing; calling it before any ``ln.track()`` raises ``TrackNotCalled``.

    >>> ln.finish()  # doctest: +SKIP
    """
    run = get_global_run()
    if run is None:
        last = _STATE["last"]
        if last is None:
            raise errors.TrackNotCalled("Please run `ln.track()` before `ln.finish()`: there is no run to finish")
        print(f"→ run {last.uid} is already finished")
        return
    source: SourceFile | None = _STATE["source"]
    transform = run.transform
    if source is not None and not transform.source_code:
        transform.source_code = source.source_code
        transform.save(update_fields=["source_code"])
    if source is not None and source.kind == "notebook":
        save_notebook_report(run, source.path)
    end_run(run, "completed")
    if source is not None and source.kind == "notebook":
        _report_after_nbconvert(run, source.path)
    set_run(None)
    _STATE.update(last=run, source=None)
    print(f"→ finished run {run.uid} of {transform.key!r}")


def save_notebook_report(run: Any, notebook: Path) -> None:
    """Save the notebook file and its HTML rendering as internal artifacts of ``run`` (``run.report``)."""
    from ._artifacts import save_internal_artifact
    from ._notebook import html_report

    transform = run.transform
    save_internal_artifact(notebook, f"__lineagedb__/notebooks/{transform.uid}.ipynb",
                           f"Notebook {transform.key} of run {run.uid}", run=run)
    with tempfile.TemporaryDirectory() as tmp:
        html = html_report(notebook, Path(tmp) / f"{notebook.stem}.html")
        if html is None:
            print("! nbconvert is not installed: no HTML report saved (pip install nbconvert)", file=sys.stderr)
            return
        run.report = save_internal_artifact(html, f"__lineagedb__/reports/{run.uid}.html",
                                            f"Report of {transform.key}, run {run.uid}", run=run, reuse=False)
    run.save(update_fields=["report"])


def _report_after_nbconvert(run: Any, notebook: Path) -> None:
    """Under ``nbconvert --execute``: the report with the executed outputs follows once nbconvert wrote them."""
    from ..core._jupyter import ipython_kernel
    from ._notebook import nbconvert_job

    if ipython_kernel() is None:
        return
    job = nbconvert_job(notebook)
    if job is not None:
        from ._report_later import schedule

        schedule(run, *job)


def _on_exception(exc_type: type, exc: BaseException, tb: Any) -> None:
    try:
        run = get_run()
        if run is not None and run.status == "started":
            end_run(run, "aborted" if issubclass(exc_type, KeyboardInterrupt) else "errored")
            set_run(None)
            print(f"→ run {run.uid} marked {run.status}", file=sys.stderr)
    except Exception:  # noqa: BLE001 - never hide the user's error behind ours
        pass
    hook = _STATE["previous_hook"] or sys.__excepthook__
    hook(exc_type, exc, tb)


def _on_exit() -> None:
    run = get_global_run()
    if run is None or run.status != "started":
        return
    code = _STATE["exit_code"]
    if code not in (None, 0):  # sys.exit(1), sys.exit("message"): the script failed
        try:
            end_run(run, "errored")
            print(f"→ run {run.uid} marked errored (sys.exit({code!r}))", file=sys.stderr)
        except Exception:  # noqa: BLE001 - the process is ending; never mask its exit status
            pass
    elif _STATE["source"] is not None and _STATE["source"].kind == "script":
        print(f"→ run {run.uid} was not finished: call ln.finish() at the end of the script", file=sys.stderr)


def _recording_exit(code: Any = None) -> None:
    """``sys.exit`` while a run is tracked: remember the exit status for ``_on_exit``, then exit as usual."""
    _STATE["exit_code"] = code
    _STATE["previous_exit"](code)


def _install_hooks() -> None:
    """Once per process: an uncaught exception or ``sys.exit(nonzero)`` marks the active run errored.

    ``sys.exit`` is wrapped (as wandb and others do) because an exit status is not visible to atexit handlers.
    """
    if _STATE["hooks"]:
        return
    _STATE.update(hooks=True, previous_hook=sys.excepthook, previous_exit=sys.exit)
    sys.excepthook = _on_exception
    sys.exit = _recording_exit  # type: ignore[assignment]  # records the code, then exits as sys.exit does
    atexit.register(_on_exit)
