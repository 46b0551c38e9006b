"""Find the running notebook (VS Code, Jupyter Server, nbconvert, papermill) and render its HTML report."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def _from_vscode(shell: Any) -> Path | None:
    value = shell.user_ns.get("__vsc_ipynb_file__")
    return Path(value) if value else None


def _from_session_env() -> Path | None:
    """Jupyter Server passes the notebook path to kernels it starts as ``JPY_SESSION_NAME``."""
    value = os.environ.get("JPY_SESSION_NAME")
    if not value or not value.endswith(".ipynb"):
        return None
    path = Path(value)
    return path if path.is_absolute() else Path.cwd() / path


def _process_args(pid: int) -> tuple[list[str], Path] | None:
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
    except OSError:
        try:
            import psutil

            proc = psutil.Process(pid)
            return proc.cmdline(), Path(proc.cwd())
        except Exception:  # noqa: BLE001 - no way to inspect this process
            return None
    return [a.decode(errors="replace") for a in args if a], cwd


def _parent_pid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        try:
            import psutil

            return psutil.Process(pid).ppid()
        except Exception:  # noqa: BLE001
            return None


def _from_parent_command() -> Path | None:
    """nbconvert/papermill/jupyter-execute start the kernel; their command line names the notebook."""
    pid, here = os.getpid(), Path.cwd().resolve()
    for _ in range(3):
        ppid = _parent_pid(pid)
        if not ppid or ppid <= 1:
            return None
        found = _process_args(ppid)
        if found is not None:
            args, cwd = found
            candidates = [(cwd / a).resolve() for a in args if a.endswith(".ipynb")]
            candidates = [c for c in candidates if c.is_file()]
            in_cwd = [c for c in candidates if c.parent == here]
            if len(in_cwd) == 1 or len(candidates) == 1:
                return (in_cwd or candidates)[0]
        pid = ppid
    return None


def _from_running_servers() -> Path | None:
    """Ask the local Jupyter servers which session owns this kernel (classic notebook and JupyterLab)."""
    try:
        from ipykernel.connect import get_connection_file

        kernel_id = Path(get_connection_file()).stem.split("-", 1)[1]
    except Exception:  # noqa: BLE001 - not an ipykernel we can identify
        return None
    servers: list[dict] = []
    for module in ("jupyter_server.serverapp", "notebook.notebookapp"):
        try:
            servers += list(__import__(module, fromlist=["list_running_servers"]).list_running_servers())
        except Exception:  # noqa: BLE001 - that server flavour is not installed
            continue
    from urllib.request import urlopen

    for server in servers:
        url = f"{server['url'].rstrip('/')}/api/sessions?token={server.get('token', '')}"
        try:
            with urlopen(url, timeout=2) as response:  # noqa: S310 - a local Jupyter server
                sessions = json.load(response)
        except Exception:  # noqa: BLE001 - server gone or protected
            continue
        for session in sessions:
            if session.get("kernel", {}).get("id") == kernel_id:
                root = server.get("root_dir") or server.get("notebook_dir") or "."
                return Path(root) / session.get("path", session.get("notebook", {}).get("path", ""))
    return None


def notebook_path(shell: Any) -> Path | None:
    """The running notebook's path, or None when no detector finds it."""
    for detect in (lambda: _from_vscode(shell), _from_session_env, _from_parent_command, _from_running_servers):
        path = detect()
        if path is not None and path.suffix == ".ipynb" and path.is_file():
            return path.resolve()
    return None


def html_report(notebook: Path, target: Path) -> Path | None:
    """Render ``notebook`` to ``target`` as HTML with nbconvert; None when nbconvert is not installed."""
    try:
        from nbconvert import HTMLExporter
    except ImportError:
        return None
    body, _ = HTMLExporter().from_filename(str(notebook))
    target.write_text(body, encoding="utf-8")
    return target


def _nbconvert_output(args: list[str], cwd: Path, notebook: Path) -> Path | None:
    """Where ``jupyter nbconvert --execute ... notebook`` writes its result (None: not an executing nbconvert)."""
    program = [a for a in args if not a.endswith(".ipynb")]  # launchers vary: jupyter-nbconvert, -m, -c "..."
    if not any("nbconvert" in a for a in program) or "--execute" not in args:
        return None

    def option(name: str) -> str | None:
        for i, a in enumerate(args):
            if a == name and i + 1 < len(args):
                return args[i + 1]
            if a.startswith(name + "="):
                return a.split("=", 1)[1]
        return None

    to = (option("--to") or "notebook").lower()
    suffix = ".ipynb" if to == "notebook" else ".html" if to == "html" else None
    if suffix is None:
        return None
    if "--inplace" in args and to == "notebook":
        return notebook
    folder = Path(option("--output-dir") or notebook.parent)
    folder = folder if folder.is_absolute() else cwd / folder
    name = option("--output")
    if name is None:
        name = f"{notebook.stem}.nbconvert{suffix}" if to == "notebook" else f"{notebook.stem}{suffix}"
    elif not name.endswith(suffix):
        name += suffix
    return (folder / name).resolve()


def nbconvert_job(notebook: Path) -> tuple[int, Path] | None:
    """``(pid, output path)`` of the ``nbconvert --execute`` process running this kernel on ``notebook``, or None.

    nbconvert writes the executed notebook only after the kernel stops, so the report with outputs must be
    made from that file once the process has ended.
    """
    pid = os.getpid()
    for _ in range(3):
        ppid = _parent_pid(pid)
        if not ppid or ppid <= 1:
            return None
        found = _process_args(ppid)
        if found is not None:
            args, cwd = found
            if any((cwd / a).resolve() == notebook for a in args if a.endswith(".ipynb")):
                output = _nbconvert_output(args, cwd, notebook)
                return (ppid, output) if output is not None else None
        pid = ppid
    return None
