"""Helpers for tracking tests (imported by the test modules; a conftest.py here would shadow tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

VENV_BIN = str(Path(sys.executable).parent)


def child_env(extra_path_first: bool = True, **overrides: str) -> dict:
    """The environment of a child process that connects to the instance this test uses."""
    from lineagedb.core.instance import current

    env = {**os.environ, "LINEAGEDB_INSTANCE": current().name}
    if extra_path_first:
        env["PATH"] = VENV_BIN + os.pathsep + env.get("PATH", "")
    env.update(overrides)
    return env


@pytest.fixture
def run_python():
    """``run_python(path, code=None)``: write ``code`` to ``path`` (if given), run it as a script."""

    def run(path: Path, code: str | None = None, check: bool = True, env: dict | None = None):
        if code is not None:
            path.write_text(textwrap.dedent(code))
        r = subprocess.run([sys.executable, str(path)], cwd=path.parent, capture_output=True, text=True,
                           env=env or child_env(), timeout=180)
        if check:
            assert r.returncode == 0, r.stdout + r.stderr
        return r

    return run


@pytest.fixture
def cli():
    """``cli(*args, cwd=...)``: the ``lineagedb`` command, in this process (click's runner) for speed.

    Returns an object with ``returncode``, ``stdout`` and ``stderr`` like ``subprocess.run``.
    """
    from click.testing import CliRunner

    from lineagedb.cli.main import cli as command

    def run(*args: str, cwd: Path | None = None, check: bool = True):
        previous = Path.cwd()
        if cwd is not None:
            os.chdir(cwd)
        try:
            result = CliRunner().invoke(command, list(args), catch_exceptions=False)
        finally:
            os.chdir(previous)
        result.returncode = result.exit_code
        if check:
            assert result.exit_code == 0, result.stdout + result.stderr
        return result

    return run


@pytest.fixture
def cli_process():
    """``cli_process(*args)``: the ``lineagedb`` command as a real subprocess."""

    def run(*args: str, check: bool = True):
        r = subprocess.run([sys.executable, "-m", "lineagedb.cli", *args], capture_output=True,
                           text=True, env=child_env(), timeout=180)
        if check:
            assert r.returncode == 0, r.stdout + r.stderr
        return r

    return run
