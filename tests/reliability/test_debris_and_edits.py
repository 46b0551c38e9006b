"""Guarantee: staging debris of killed processes is removed by the next write session; files changed in place
are noticed by the default check (size or modification time differ -> re-hash), all of them with --hashes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from reliability_helpers import temp_files


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)


def test_staging_debris_of_a_killed_process_goes_with_the_next_write_session(ln, make_instance, tmp_path):
    inst = make_instance(modules="")
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(100_000))
    r = _python(f"""
        import os, signal, lineagedb as ln
        ln.connect({inst.name!r})
        a = ln.Artifact({str(src)!r}, key="killed.bin")  # staged, never saved
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    assert r.returncode == -signal.SIGKILL, r.stderr
    debris = temp_files(inst.storage_root)
    assert debris and all(name.startswith(".tmp-stage-") for name in debris)
    report = ln.setup.check()  # reported at once, although younger than the grace period: its owner is dead
    assert {p.kind for p in report.problems} == {"temp"}, str(report)
    other = tmp_path / "next.txt"
    other.write_text("next")
    r = _python(f"""
        import lineagedb as ln
        ln.connect({inst.name!r})
        ln.Artifact({str(other)!r}, key="next.txt").save()
    """)
    assert r.returncode == 0, r.stderr
    assert temp_files(inst.storage_root) == set()
    assert ln.setup.check().ok


def test_check_fix_quarantines_debris_of_dead_processes_only(ln, make_instance, tmp_path):
    inst = make_instance(modules="")
    src = tmp_path / "f.bin"
    src.write_bytes(os.urandom(100_000))
    r = _python(f"""
        import os, signal, lineagedb as ln
        ln.connect({inst.name!r})
        a = ln.Artifact({str(src)!r}, key="dead.bin")
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    assert r.returncode == -signal.SIGKILL
    assert len(temp_files(inst.storage_root)) == 1
    alive = ln.Artifact(src, key="alive.bin")  # staged by this (live) process
    assert len(temp_files(inst.storage_root)) == 2, temp_files(inst.storage_root)
    report = ln.setup.check(fix=True)
    assert len(report.of_kind("temp")) == 1 and report.ok, str(report)
    alive.save()
    assert ln.setup.check().ok


def test_default_check_rehashes_files_changed_in_place(ln, make_instance, tmp_path):
    make_instance(modules="")
    src = tmp_path / "data.txt"
    src.write_text("AAAA")
    artifact = ln.Artifact(src, key="edit/data.txt").save()
    stored = Path(artifact.path)
    time.sleep(0.05)
    stored.write_text("BBBB")  # same size, later mtime
    report = ln.setup.check()
    assert [p.kind for p in report.problems] == ["hash_mismatch"] and report.n_hashed == 1, str(report)
    stored.write_text("CCCCC")  # another size, mtime set back: the size alone gives it away
    os.utime(stored, (0, 0))
    assert [p.kind for p in ln.setup.check().problems] == ["hash_mismatch"]
    stored.write_text("DDDD")  # same size, mtime set back: only --hashes can tell
    os.utime(stored, (0, 0))
    assert ln.setup.check().ok
    assert [p.kind for p in ln.setup.check(hashes=True).problems] == ["hash_mismatch"]


def test_default_check_notices_a_changed_file_inside_a_folder(ln, make_instance, tmp_path):
    make_instance(modules="")
    folder = tmp_path / "imgs"
    folder.mkdir()
    (folder / "a.txt").write_text("one")
    (folder / "b.txt").write_text("two")
    artifact = ln.Artifact(folder, key="edit/imgs").save()
    assert ln.setup.check().ok
    time.sleep(0.05)
    (Path(artifact.path) / "b.txt").write_text("TWO")
    assert [p.kind for p in ln.setup.check().problems] == ["hash_mismatch"]
