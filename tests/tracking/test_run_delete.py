"""Deleting runs and transforms for good: the runs go, tracking's report/environment artifacts are tidied in the
background, and nothing the runs made is lost."""

import time

import pytest


def _internal(ln, tmp_path, unique, name):
    path = tmp_path / f"{name}.txt"
    path.write_text(f"{unique} {name}")
    return ln.Artifact(path, description=f"{unique} {name}", kind="__lamindb_run__").save()


def _wait_for_log(log, line, seconds=120):
    """The background process writes ``line`` into ``log`` once it removed the artifact."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not (log.exists() and line in log.read_text()):
        time.sleep(0.3)


def test_lamindb_run_kind_is_the_internal_kind(ln, tmp_path, unique):
    artifact = _internal(ln, tmp_path, unique, "report")
    assert artifact.kind == "__lineagedb__"
    assert not ln.Artifact.filter(description=f"{unique} report").exists()  # hidden from listings
    assert ln.Artifact.filter(uid=artifact.uid).count() == 1


def test_permanent_run_delete_removes_its_report_in_the_background(ln, tmp_path, unique):
    from lineagedb.core.user_settings import settings

    transform = ln.Transform(key=f"{unique}.py").save()
    report = _internal(ln, tmp_path, unique, "report")
    run = ln.Run(transform, report=report).save()
    run.delete(permanent=True)
    assert not ln.Run.filter(uid=run.uid).exists()
    log = settings.cache_dir / f"run_cleanup_logs_{run.uid}.txt"
    _wait_for_log(log, f"deleted artifact {report.id}")
    assert f"deleted artifact {report.id}" in log.read_text()
    assert not ln.Artifact.filter(uid=report.uid).exists()
    transform.delete(permanent=True)


def test_cleanup_keeps_shared_environments_and_user_artifacts(ln, tmp_path, unique):
    from lineagedb.models._run_delete import cleanup

    transform = ln.Transform(key=f"{unique}.py").save()
    environment = _internal(ln, tmp_path, unique, "environment")
    path = tmp_path / "mine.txt"
    path.write_text(unique)
    mine = ln.Artifact(path, description=f"{unique} mine").save()
    first = ln.Run(transform, environment=environment, report=mine).save()
    second = ln.Run(transform, environment=environment).save()
    first.delete(permanent=True)
    assert cleanup([environment.id, mine.id]) == [
        f"kept artifact {environment.id}: another run still uses it",
        f"kept artifact {mine.id}: it is the user's (artifact.kind=None), not tracking's",
    ]
    second.delete(permanent=True)
    assert cleanup([environment.id]) == [f"deleted artifact {environment.id}"]
    assert not ln.Artifact.filter(uid=environment.uid).exists()
    assert ln.Artifact.filter(uid=mine.uid).exists()
    transform.delete(permanent=True)
    mine.delete(permanent=True)


def test_bulk_run_delete(ln, unique):
    transform = ln.Transform(key=f"{unique}.py").save()
    runs = [ln.Run(transform).save() for _ in range(3)]
    count, _ = ln.Run.filter(transform=transform).delete(permanent=True)
    assert count == 3
    assert not ln.Run.filter(id__in=[r.id for r in runs]).exists()
    transform.delete(permanent=True)


def test_transform_delete_removes_its_runs_also_from_the_trash(ln, unique):
    transform = ln.Transform(key=f"{unique}.py").save()
    run = ln.Run(transform).save()
    ln.Transform.filter(id=transform.id).delete()  # to the trash: the runs stay
    assert ln.Transform.filter(id=transform.id).one().branch_id == -1
    assert ln.Run.filter(id=run.id).exists()
    ln.Transform.filter(id=transform.id).delete(permanent=True)
    assert not ln.Transform.filter(id=transform.id).exists()
    assert not ln.Run.filter(id=run.id).exists()
    other = ln.Transform(key=f"{unique}-2.py").save()
    run = ln.Run(other).save()
    other.delete(permanent=True)
    assert not ln.Run.filter(id=run.id).exists()


def test_transform_delete_refused_while_its_runs_made_data(ln, tmp_path, unique):
    transform = ln.Transform(key=f"{unique}.py").save()
    run = ln.Run(transform).save()
    path = tmp_path / "out.txt"
    path.write_text(unique)
    output = ln.Artifact(path, description=f"{unique} out", run=run).save()
    with pytest.raises(ln.errors.InvalidArgument, match=r"made 1 Artifact .*Delete those records first"):
        transform.delete(permanent=True)
    with pytest.raises(ln.errors.InvalidArgument, match=run.uid):
        ln.Run.filter(id=run.id).delete(permanent=True)
    assert ln.Transform.filter(id=transform.id).exists() and ln.Run.filter(id=run.id).exists()
    output.delete(permanent=True)
    transform.delete(permanent=True)
    assert not ln.Run.filter(id=run.id).exists()


def test_tracking_artifacts_made_by_a_run_do_not_block_its_deletion(ln, tmp_path, unique):
    transform = ln.Transform(key=f"{unique}.py").save()
    run = ln.Run(transform).save()
    path = tmp_path / "nb.txt"
    path.write_text(unique)
    notebook = ln.Artifact(path, description=f"{unique} nb", kind="__lineagedb__", run=run).save()
    run.delete(permanent=True)
    notebook.refresh_from_db()
    assert notebook.run_id is None  # kept, detached from the removed run
    notebook.delete(permanent=True)
    transform.delete(permanent=True)
