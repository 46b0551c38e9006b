"""Scripts run as real processes: crashes mark runs errored, interactive use gets clear advice."""

from __future__ import annotations

import subprocess
import sys

from tracking_helpers import child_env, run_python  # noqa: F401 (fixture)


def test_script_that_raises_marks_its_run_errored(ln, tmp_path, unique, run_python):
    script = tmp_path / f"crash_{unique}.py"
    r = run_python(script, """
        import lineagedb as ln
        ln.track()
        raise ValueError("bad input file")
    """, check=False)
    assert r.returncode == 1
    assert "ValueError: bad input file" in r.stderr  # the user's traceback is still shown
    run = ln.Run.filter(transform__key=script.name).one()
    assert run.status == "errored" and run.finished_at is not None
    assert run.transform.source_code and "bad input file" in run.transform.source_code


def test_script_interrupted_is_aborted_and_unfinished_run_gets_a_hint(ln, tmp_path, unique, run_python):
    script = tmp_path / f"interrupt_{unique}.py"
    run_python(script, "import lineagedb as ln\nln.track()\nraise KeyboardInterrupt\n", check=False)
    assert ln.Run.filter(transform__key=script.name).one().status == "aborted"
    forgetful = tmp_path / f"nofinish_{unique}.py"
    r = run_python(forgetful, "import lineagedb as ln\nln.track()\n")
    assert "call ln.finish()" in r.stderr
    assert ln.Run.filter(transform__key=forgetful.name).one().status == "started"


def test_track_in_interactive_python_explains_how_to_name_the_transform(ln):
    r = subprocess.run([sys.executable, "-c", "import lineagedb as ln; ln.track()"], capture_output=True,
                       text=True, env=child_env(), timeout=120)
    assert r.returncode == 1 and "ln.track(path=" in r.stderr
