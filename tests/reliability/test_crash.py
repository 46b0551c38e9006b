"""Guarantee: a save killed (SIGKILL) at any moment leaves the complete artifact or nothing.

No row without its bytes, no bytes without their row; what a crash leaves behind (temporary copies,
a committed row whose bytes still carry their temporary name) is finished or removed by the next
save, by reading the artifact, or by ``check(fix=True)``.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from reliability_helpers import managed_files, spawn, temp_files, wait_all

SIZE = 200 << 20
DELAYS = [0.0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.8]  # seconds after the save starts


def _big_file(path: Path, seed: int) -> Path:
    """A 200 MB file: a random, unique first MiB, the rest sparse (cheap to create, full size to copy)."""
    with open(path, "wb") as f:
        f.write(os.urandom(1 << 20) + seed.to_bytes(4, "little"))
        f.truncate(SIZE)
    return path


def _assert_all_or_nothing(ln, root: Path) -> None:
    """Every row has its bytes (final or pending name), every final entry has its row."""
    rows = list(ln.Artifact.filter().values_list("uid", "suffix"))
    finals = managed_files(root)
    for uid, suffix in rows:
        assert f"{uid}{suffix}" in finals or f".tmp-{uid}{suffix}" in temp_files(root), f"row {uid} lost its bytes"
    assert finals <= {f"{uid}{suffix}" for uid, suffix in rows}, "bytes without a row"


def test_sigkill_at_random_moments_of_a_large_save(ln, make_instance, tmp_path):
    inst = make_instance(modules="")
    root = Path(inst.storage_root)
    sources = [_big_file(tmp_path / f"big{i}.bin", i) for i in range(len(DELAYS))]
    procs = [spawn(inst.name, "crash-save", str(src), f"big/{i}.bin", stdin=True) for i, src in enumerate(sources)]
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    outcomes = []
    for p, delay in zip(procs, DELAYS):
        p.stdin.write("go\n")
        p.stdin.flush()
        time.sleep(delay)
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        _assert_all_or_nothing(ln, root)
        outcomes.append((delay, p.returncode, len(temp_files(root)), ln.Artifact.filter().count()))
    print("delay, exit status, temp entries, rows:", outcomes)
    report = ln.setup.check(fix=True, grace_s=0)
    assert not report.of_kind("missing") and not report.of_kind("orphan"), str(report)
    assert not temp_files(root), "check --fix quarantines every leftover temp file"
    saved = ln.Artifact.filter().order_by("key")
    for artifact in saved:  # complete: full size and the right hash
        assert artifact.size == SIZE and Path(artifact.cache()).stat().st_size == SIZE
    assert ln.setup.check(hashes=True).ok
    assert managed_files(root) == {f"{a.uid}{a.suffix}" for a in saved}, outcomes


def test_sigkill_after_copy_and_after_commit(ln, make_instance, tmp_path):
    """The two windows a timed kill rarely hits: bytes staged but no row; row committed, bytes not renamed."""
    inst = make_instance(modules="")
    root = Path(inst.storage_root)
    staged_src, committed_src = (tmp_path / "staged.bin", tmp_path / "committed.bin")
    staged_src.write_bytes(os.urandom(4096))
    committed_src.write_bytes(os.urandom(4096))
    for point, src in (("staged", staged_src), ("committed", committed_src)):
        p = spawn(inst.name, "kill-at", point, str(src), f"{point}.bin")
        p.communicate(timeout=60)
        assert p.returncode == -signal.SIGKILL
    assert not ln.Artifact.filter(key="staged.bin").exists()
    committed = ln.Artifact.get(key="committed.bin")
    leftovers = temp_files(root)
    assert f".tmp-{committed.uid}.bin" in leftovers and len(leftovers) == 2 and not managed_files(root)
    report = ln.setup.check()
    # the pending save is young (left to the grace period); the stage copy's process is dead: reported at once
    assert sorted(p.kind for p in report.problems) == ["pending", "temp"], str(report)

    old = time.time() - 7200  # an hour later: nothing can still be working on these
    for name in leftovers:
        os.utime(root / ".lineagedb" / name, (old, old))
    other = tmp_path / "next.txt"
    other.write_bytes(os.urandom(64))
    wait_all([spawn(inst.name, "artifacts", "next", "1")])  # the next save, in a fresh process, tidies up
    assert not temp_files(root)
    assert (root / ".lineagedb" / f"{committed.uid}.bin").read_bytes() == committed_src.read_bytes()
    assert ln.setup.check(hashes=True).ok


def test_reader_finishing_a_save_does_not_break_the_writer(ln, make_instance, tmp_path):
    """A reader that opens an artifact between its commit and its rename moves the bytes into place
    itself; the writer must then accept that instead of undoing its save."""
    inst = make_instance(modules="")
    src = tmp_path / "shared.txt"
    src.write_bytes(b"written by another process\n")
    p = spawn(inst.name, "pause-at-commit", str(src), "shared.txt", stdin=True)
    assert p.stdout.readline().strip() == "committed", p.stderr.read()
    artifact = ln.Artifact.get(key="shared.txt")  # committed, bytes still under the temporary name
    assert Path(artifact.cache()).read_bytes() == src.read_bytes()
    out, err = p.communicate("go\n", timeout=60)
    assert p.returncode == 0 and out.strip().endswith("done"), err[-3000:]
    assert ln.Artifact.get(key="shared.txt").uid == artifact.uid
    assert ln.setup.check(hashes=True).ok
