"""Guarantee: ``check`` finds every disagreement between rows and stored files; ``--fix`` never deletes."""

from __future__ import annotations

import os
import time
from pathlib import Path

from click.testing import CliRunner
from reliability_helpers import managed_files, temp_files


def _save(ln, tmp_path: Path, name: str, data: bytes | None = None):
    path = tmp_path / name
    path.write_bytes(data if data is not None else os.urandom(128))
    return ln.Artifact(path, key=f"k/{name}").save()


def test_clean_instance_passes(ln, make_instance, tmp_path):
    make_instance(modules="")
    for i in range(3):
        _save(ln, tmp_path, f"{i}.txt")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.csv").write_text("x\n1\n")
    ln.Artifact(folder, key="k/folder").save()
    report = ln.setup.check(hashes=True)
    assert report.ok and report.n_artifacts == 4 and report.n_hashed == 4, str(report)
    assert "no problems" in str(report)


def test_reports_missing_orphan_temp_and_changed_content(ln, make_instance, tmp_path):
    inst = make_instance(modules="")
    root = Path(inst.storage_root) / ".lineagedb"
    gone = _save(ln, tmp_path, "gone.txt")
    changed = _save(ln, tmp_path, "changed.txt")
    kept = _save(ln, tmp_path, "kept.txt")
    Path(gone.path).unlink()
    Path(changed.path).write_bytes(b"tampered")
    (root / "AAAAAAAAAAAAAAAAAAAA.txt").write_text("nobody's")  # an orphan under a final name
    stale = root / ".tmp-stage-leftover.bin"
    stale.write_bytes(b"partial")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    young = root / ".tmp-stage-running.bin"
    young.write_bytes(b"a save in progress")

    report = ln.setup.check()
    kinds = sorted((p.kind, p.uid or Path(p.path).name) for p in report.problems)
    assert kinds == [("hash_mismatch", changed.uid), ("missing", gone.uid), ("orphan", "AAAAAAAAAAAAAAAAAAAA.txt"),
                     ("temp", stale.name)], str(report)  # changed in place (size and mtime): re-hashed by default
    assert not report.ok
    with_hashes = ln.setup.check(hashes=True)
    assert [p.uid for p in with_hashes.of_kind("hash_mismatch")] == [changed.uid]
    assert kept.uid not in str(with_hashes)


def test_fix_quarantines_instead_of_deleting(ln, make_instance, tmp_path):
    inst = make_instance(modules="")
    root = Path(inst.storage_root) / ".lineagedb"
    kept = _save(ln, tmp_path, "kept.txt")
    orphan = root / "BBBBBBBBBBBBBBBBBBBB.csv"
    orphan.write_text("precious\n")
    stale = root / ".tmp-stage-old.bin"
    stale.write_bytes(b"partial")
    young = root / ".tmp-stage-young.bin"
    young.write_bytes(b"in progress")
    os.utime(stale, (time.time() - 7200,) * 2)

    report = ln.setup.check(fix=True)
    assert report.ok and len(report.problems) == 2, str(report)
    assert not orphan.exists() and not stale.exists() and young.exists()
    (quarantine,) = report.quarantine
    assert Path(quarantine).parent == root / "quarantine"
    assert (Path(quarantine) / orphan.name).read_text() == "precious\n"
    assert (Path(quarantine) / stale.name).read_bytes() == b"partial"
    assert managed_files(inst.storage_root) == {Path(kept.path).name}
    assert temp_files(inst.storage_root) == {young.name}
    assert ln.setup.check().ok, "the quarantine folder itself is not reported"
    young.unlink()


def test_fix_finishes_an_interrupted_save(ln, make_instance, tmp_path):
    make_instance(modules="")
    artifact = _save(ln, tmp_path, "p.txt", b"payload")
    final = Path(artifact.path)
    pending = final.with_name(f".tmp-{final.name}")
    final.rename(pending)  # the state a crash between commit and rename leaves
    report = ln.setup.check(fix=True, grace_s=0)
    assert [p.kind for p in report.problems] == ["pending"] and report.ok
    assert final.read_bytes() == b"payload" and not pending.exists()


def test_cli_check_exit_status(ln, make_instance, tmp_path):
    from lineagedb.cli.main import cli

    inst = make_instance(modules="")
    artifact = _save(ln, tmp_path, "c.txt")
    runner = CliRunner()
    ok = runner.invoke(cli, ["check", "--hashes"])
    assert ok.exit_code == 0 and "no problems" in ok.output, ok.output
    Path(artifact.path).write_bytes(b"changed")
    (Path(inst.storage_root) / ".lineagedb" / "CCCCCCCCCCCCCCCCCCCC.txt").write_text("x")
    bad = runner.invoke(cli, ["check", "--hashes"])
    assert bad.exit_code == 1 and "hash_mismatch" in bad.output and "orphan" in bad.output, bad.output
    fixed = runner.invoke(cli, ["check", "--fix"])
    assert "quarantined to" in fixed.output, fixed.output
    assert fixed.exit_code == 1 and "hash_mismatch" in fixed.output  # changed in place: found without --hashes
    still = runner.invoke(cli, ["check", "--hashes"])
    assert still.exit_code == 1 and "hash_mismatch" in still.output  # changed content is never "fixed"


def test_cli_check_in_a_fresh_process(ln, make_instance, tmp_path):
    import subprocess
    import sys

    inst = make_instance(modules="")
    _save(ln, tmp_path, "s.txt")
    (Path(inst.storage_root) / ".lineagedb" / "EEEEEEEEEEEEEEEEEEEE.txt").write_text("x")
    run = [sys.executable, "-m", "lineagedb.cli", "check", "--hashes"]
    env = {**os.environ, "LINEAGEDB_INSTANCE": inst.name}
    bad = subprocess.run(run, capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 1 and "orphan" in bad.stdout and "1 problem(s)" in bad.stdout, bad.stdout + bad.stderr
    fixed = subprocess.run(run[:-1] + ["--fix"], capture_output=True, text=True, env=env, timeout=120)
    assert fixed.returncode == 0 and "quarantined to" in fixed.stdout, fixed.stdout + fixed.stderr
