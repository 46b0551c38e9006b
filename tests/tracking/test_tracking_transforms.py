"""Transform keys (file names, dev_dir), collisions, from_path, from_git (local repo), revises, Run(transform)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from tracking_helpers import child_env, run_python  # noqa: F401 (fixture)

from lineagedb.core.context import get_run


@pytest.fixture
def dev_dir(ln):
    previous = ln.settings.dev_dir
    yield ln.settings
    ln.settings.dev_dir = previous


def test_key_is_the_file_name_even_in_a_git_subfolder(ln, tmp_path, unique):
    (tmp_path / ".git").mkdir()
    (tmp_path / "docs").mkdir()
    notebook_like = tmp_path / "docs" / f"tutorial_{unique}.py"
    notebook_like.write_text("print('tutorial')\n")
    transform = ln.Transform.from_path(notebook_like)
    assert transform.key == notebook_like.name and transform.kind == "script"
    assert ln.Transform.get(key=notebook_like.name) == transform
    assert transform.reference == notebook_like.resolve().as_uri()  # where the file was is kept
    assert ln.Transform.from_path(notebook_like) == transform  # unchanged source: the same transform


def test_dev_dir_makes_keys_relative_paths(ln, tmp_path, unique, dev_dir, monkeypatch):
    (tmp_path / "pipelines").mkdir()
    script = tmp_path / "pipelines" / f"wf_{unique}.py"
    script.write_text("print('wf')\n")
    dev_dir.dev_dir = tmp_path
    assert ln.Transform.from_path(script).key == f"pipelines/{script.name}"
    monkeypatch.chdir(tmp_path)
    script.write_text("print('wf v2')\n")
    assert ln.Transform.from_path(f"pipelines/{script.name}").key == f"pipelines/{script.name}"
    outside = tmp_path.parent / f"outside_{unique}.py"
    outside.write_text("print('out')\n")
    try:
        assert ln.Transform.from_path(outside).key == outside.name
    finally:
        outside.unlink()


def test_same_file_name_in_two_folders_does_not_collide_silently(ln, tmp_path, unique, dev_dir):
    for folder in ("teamA", "teamB"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"qc_{unique}.py").write_text(f"print('{folder}')\n")
    first = ln.Transform.from_path(tmp_path / "teamA" / f"qc_{unique}.py")
    with pytest.raises(ln.errors.InvalidArgument, match="already belongs to another file") as error:
        ln.Transform.from_path(tmp_path / "teamB" / f"qc_{unique}.py")
    assert "dev_dir" in str(error.value)
    assert ln.Transform.filter(key=first.key).count() == 1
    dev_dir.dev_dir = tmp_path  # the documented way out: keys become relative paths
    b = ln.Transform.from_path(tmp_path / "teamB" / f"qc_{unique}.py")
    assert b.key == f"teamB/qc_{unique}.py" and b.uid[:12] != first.uid[:12]


def test_moved_file_becomes_a_new_version_of_its_transform(ln, tmp_path, unique):
    (tmp_path / "old").mkdir(), (tmp_path / "new").mkdir()
    old = tmp_path / "old" / f"moved_{unique}.py"
    old.write_text("print(1)\n")
    v1 = ln.Transform.from_path(old)
    new = tmp_path / "new" / old.name
    shutil.move(old, new)
    new.write_text("print(2)\n")
    v2 = ln.Transform.from_path(new)
    assert v2.uid[:12] == v1.uid[:12] and v2.uid.endswith("0001") and v2.is_latest
    v1.refresh_from_db()
    assert not v1.is_latest


def test_revises_and_recovery_by_key_and_hash(ln, unique):
    v1 = ln.Transform(key=f"pipe_{unique}", description="first").save()
    assert v1.uid.endswith("0000")
    assert ln.Transform(key=f"pipe_{unique}") == v1  # same key, no code: the saved one
    v2 = ln.Transform(revises=v1).save()
    assert v2.key == v1.key and v2.description == "first" and v2.uid == v1.uid[:12] + "0001"
    v1.refresh_from_db()
    assert v2.is_latest and not v1.is_latest
    coded = ln.Transform(key=f"coded_{unique}", source_code="print(1)").save()
    assert ln.Transform(key=f"coded_{unique}", source_code="print(1)") == coded
    changed = ln.Transform(key=f"coded_{unique}", source_code="print(2)").save()
    assert changed != coded and changed.uid[:12] == coded.uid[:12]
    with pytest.raises(ln.errors.InvalidArgument, match="`revises` has to be of type `Transform`"):
        ln.Transform(revises=ln.Record(name=f"r_{unique}"))
    tagged = ln.Transform(key=f"tagged_{unique}", version_tag="2.0")
    assert tagged.version == tagged.version_tag == "2.0"
    tagged.save()
    assert ln.Transform(key=f"tagged_{unique}", version="2.0") == tagged  # no code saved: the same transform
    tagged.source_code = "print(3)"
    tagged.save()
    with pytest.raises(ln.errors.InvalidArgument, match="change the version tag or leave it `None`, '2.0' is already"):
        ln.Transform(key=f"tagged_{unique}", version="2.0")
    assert ln.Transform(key=f"tagged_{unique}", version="2.1").save().uid[:12] == tagged.uid[:12]
    with pytest.raises(ln.errors.InvalidArgument, match="version must be None or a str"):
        ln.Transform(key=f"v_{unique}", version=0)


def test_run_takes_its_transform_positionally_and_starts_scheduled(ln, unique):
    transform = ln.Transform(key=f"runs_{unique}", kind="pipeline")
    with pytest.raises(ln.errors.InvalidArgument, match="save transform record"):
        ln.Run(transform)
    transform.save()
    run = ln.Run(transform).save()
    assert run.status == "scheduled" and run.transform == transform
    assert ln.Run(transform, status="started").save().status == "started"
    assert ln.Run.get(run.uid).status == "scheduled"  # loading from the database is untouched
    with pytest.raises(ln.errors.InvalidArgument, match="status must be one of"):
        ln.Run(transform, status="invalid")
    with pytest.raises(ln.errors.FieldValidationError, match="Only one non-keyword arg allowed: transform"):
        ln.Run(transform, 2)
    with pytest.raises(ln.errors.InvalidArgument, match="Pass transform"):
        ln.Run()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_from_git_with_a_local_repository(ln, tmp_path, unique):
    repo = tmp_path / f"pipes_{unique}"
    repo.mkdir()

    def git(*args):
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@x", *args], cwd=repo, check=True,
                              capture_output=True, text=True).stdout.strip()

    git("init", "-q", "-b", "main")
    (repo / "main.nf").write_text("workflow { v1 }\n")
    git("add", "."), git("commit", "-q", "-m", "v1"), git("tag", "v1.0")
    first = git("rev-parse", "HEAD")
    (repo / "main.nf").write_text("workflow { v2 }\n")
    git("commit", "-q", "-am", "v2")
    url = str(repo)
    latest = ln.Transform.from_git(url=url, path="main.nf")
    assert latest.key == f"{tmp_path.name}/{repo.name}/main.nf" and latest.kind == "pipeline"
    assert latest.source_code.startswith(f"repo: {url}\npath: main.nf\ncommit: {git('rev-parse', 'HEAD')}")
    assert latest.reference == f"{url}/blob/{git('rev-parse', 'HEAD')}/main.nf"
    tagged = ln.Transform.from_git(url=url, path="main.nf", version="v1.0", key=f"nf_{unique}").save()
    assert tagged.version == "v1.0" and first in tagged.source_code
    assert ln.Transform.from_git(url=url, path="main.nf", version="v1.0", key="other") == tagged  # same commit
    sliding = ln.Transform.from_git(url=url, path="main.nf", branch="main", entrypoint="qc")
    assert "entrypoint: qc\nbranch: main" in sliding.source_code and sliding.reference == f"{url}/tree/main/main.nf"
    with pytest.raises(ln.errors.InvalidArgument, match="Failed to checkout version nope"):
        ln.Transform.from_git(url=url, path="main.nf", version="nope")
    with pytest.raises(ln.errors.InvalidArgument, match="Failed to checkout branch nope"):
        ln.Transform.from_git(url=url, path="main.nf", branch="nope")
    with pytest.raises(ln.errors.InvalidArgument, match="does not exist"):
        ln.Transform.from_git(url=url, path="missing.nf")


def test_pinned_uid_and_version_in_a_script(ln, tmp_path, unique, run_python):
    from lineagedb.core.uids import base62

    stem = base62(12)
    script = tmp_path / f"pinned_{unique}.py"
    r = run_python(script, f"import lineagedb as ln\nln.context.version = '1'\nln.track('{stem}0000')\nln.finish()\n")
    assert f"created Transform('{stem}0000'" in r.stdout and "started new Run(" in r.stdout
    transform = ln.Transform.get(f"{stem}0000")
    assert transform.version == "1" and transform.key == script.name and transform.latest_run.status == "completed"
    clash = tmp_path / "other" / script.name
    clash.parent.mkdir()
    r = run_python(clash, f"import lineagedb as ln\nln.context.version = '1'\nln.track('{stem}0001')\n", check=False)
    assert r.returncode == 1 and f"version '1' is already taken by Transform('{stem}0000')" in r.stderr
    r = run_python(script, f"import lineagedb as ln\nln.context.version = '2'\nln.track('{stem}0000')\n", check=False)
    assert r.returncode == 1 and "already tagged with version 1, but you passed 2" in r.stderr


def test_sys_exit_nonzero_marks_the_run_errored(ln, tmp_path, unique, run_python):
    script = tmp_path / f"exits_{unique}.py"
    r = run_python(script, "import sys\nimport lineagedb as ln\nln.track()\nsys.exit(3)\n", check=False)
    assert r.returncode == 3  # the exit status is kept
    run = ln.Run.filter(transform__key=script.name).one()
    assert run.status == "errored" and run.finished_at is not None
    ok = tmp_path / f"exits_ok_{unique}.py"
    run_python(ok, "import sys\nimport lineagedb as ln\nln.track()\nln.finish()\nsys.exit(0)\n")
    assert ln.Run.filter(transform__key=ok.name).one().status == "completed"


def test_finish_before_track_is_an_error(ln, tmp_path, run_python):
    r = run_python(tmp_path / "early.py", "import lineagedb as ln\nln.finish()\n", check=False)
    assert r.returncode == 1 and "TrackNotCalled" in r.stderr and "before `ln.finish()`" in r.stderr
    assert get_run() is None
