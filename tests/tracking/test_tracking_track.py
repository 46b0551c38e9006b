"""ln.track()/ln.finish() in this process: transforms, versions, runs, params and pipelines."""

from __future__ import annotations

import pytest

from lineagedb.core.context import get_run


def write_script(folder, name, body="print('hello')\n"):
    path = folder / name
    path.write_text(body)
    return path


def test_track_script_creates_transform_and_run(ln, tmp_path, unique, capsys):
    script = write_script(tmp_path, f"tutorial_{unique}.py")
    ln.track(path=script, params={"learning_rate": 0.01, "layers": [1, 2]})
    run = get_run()
    assert run is not None and run.status == "started" and run.started_at is not None
    transform = run.transform
    assert transform.key == script.name and transform.kind == "script"
    assert transform.uid.endswith("0000") and len(transform.uid) == 16 and transform.is_latest
    assert unique in transform.description  # the tutorial's transform__description__icontains
    assert transform.source_code == "print('hello')\n" and transform.hash
    assert run.params == {"learning_rate": 0.01, "layers": [1, 2]}
    assert run.created_by.handle
    assert ln.Transform.filter(description__icontains=unique).count() == 1
    assert transform.uid in set(ln.Transform.search(f"tutorial_{unique}").to_dataframe()["uid"])
    assert transform.latest_run == run
    assert run.uid in set(ln.Run.to_dataframe()["uid"])
    assert transform.uid in set(ln.Transform.to_dataframe()["uid"])
    assert "tracking script" in capsys.readouterr().out
    ln.finish()
    run.refresh_from_db()
    assert run.status == "completed" and run.finished_at >= run.started_at
    assert get_run() is None


def test_finish_twice_is_harmless_and_without_track_says_so(ln, tmp_path, unique, capsys):
    ln.track(path=write_script(tmp_path, f"twice_{unique}.py"))
    run = get_run()
    ln.finish()
    finished_at = ln.Run.get(run.uid).finished_at
    ln.finish()
    assert "already finished" in capsys.readouterr().out
    assert ln.Run.get(run.uid).finished_at == finished_at


def test_unchanged_source_reuses_transform_changed_source_versions_it(ln, tmp_path, unique):
    script = write_script(tmp_path, f"versioned_{unique}.py", "x = 1\n")
    ln.track(path=script)
    first = get_run()
    ln.finish()
    ln.track(path=script)
    second = get_run()
    ln.finish()
    assert first.transform == second.transform and first != second  # a new run every time
    script.write_text("x = 2\n")
    ln.track(path=script)
    third = get_run()
    ln.finish()
    v1, v2 = first.transform, third.transform
    v1.refresh_from_db()
    assert v2 != v1 and v2.key == v1.key
    assert v2.uid[:12] == v1.uid[:12] and v2.uid.endswith("0001")
    assert v2.is_latest and not v1.is_latest
    assert v2.source_code == "x = 2\n" and v1.source_code == "x = 1\n"
    assert [t.uid for t in v2.versions] == [v1.uid, v2.uid]
    assert ln.Transform.get(key=script.name) == v2  # get() gives the latest version
    # going back to the old source reuses the old version instead of making a third
    script.write_text("x = 1\n")
    ln.track(path=script)
    assert get_run().transform == v1
    ln.finish()


def test_script_in_git_repo_keyed_by_file_name(ln, tmp_path, unique):
    (tmp_path / ".git").mkdir()
    (tmp_path / "analysis").mkdir()
    script = write_script(tmp_path / "analysis", f"step_{unique}.py")
    ln.track(path=script)
    assert get_run().transform.key == f"step_{unique}.py"  # the file name, as in LaminDB
    ln.finish()


def test_track_pipeline_transform_by_key_and_version(ln, unique):
    transform = ln.Transform(name=f"My pipeline {unique}")
    transform.version = "1.2.0"
    ln.track(transform)
    run = get_run()
    saved = run.transform
    assert saved.key == f"My pipeline {unique}" and saved.kind == "pipeline" and saved.version == "1.2.0"
    ln.finish()
    ln.track(ln.Transform(key=f"My pipeline {unique}", version="1.2.0"))
    assert get_run().transform == saved  # same key and version: reused
    ln.finish()
    ln.track(ln.Transform(key=f"My pipeline {unique}", version="1.3.0", kind="pipeline"))
    newer = get_run().transform
    ln.finish()
    assert newer.uid[:12] == saved.uid[:12] and newer.uid != saved.uid and newer.version == "1.3.0"
    ln.track(saved.uid)  # by uid
    assert get_run().transform == saved
    ln.finish()


def test_bad_arguments_get_clear_errors(ln, tmp_path):
    with pytest.raises(ln.errors.InvalidArgument, match="params must be a dict"):
        ln.track(path=write_script(tmp_path, "p.py"), params=[1, 2])
    with pytest.raises(ln.errors.InvalidArgument, match=r"only scripts \(.py, .sh, .R\) and notebooks"):
        ln.track(path=write_script(tmp_path, "notes.txt"))
    with pytest.raises(ln.errors.InvalidArgument, match="no such file"):
        ln.track(path=tmp_path / "missing.py")
    with pytest.raises(ln.errors.InvalidArgument, match="not both"):
        ln.track(ln.Transform(key="x"), path=tmp_path / "p.py")
    with pytest.raises(ln.errors.InvalidArgument, match="16 characters"):
        ln.track("short")
    with pytest.raises(ln.errors.InvalidArgument, match="needs a key"):
        ln.track(ln.Transform(kind="pipeline"))
    assert get_run() is None


def test_notebook_not_found_says_how_to_pass_the_path(ln, monkeypatch):
    from lineagedb.core import _jupyter
    from lineagedb.tracking import _notebook

    monkeypatch.setattr(_jupyter, "ipython_kernel", lambda: object())
    monkeypatch.setattr(_notebook, "notebook_path", lambda shell: None)
    with pytest.raises(ln.errors.NotebookNotFound, match=r"ln.track\(path="):
        ln.track()


def test_track_without_path_uses_the_calling_file(ln):
    ln.track()
    transform = get_run().transform
    assert transform.key == "test_tracking_track.py" and "def test_track_without_path_uses_the_calling_file" in transform.source_code
    ln.finish()


def test_params_that_are_not_json_are_stored_readably(ln, tmp_path, unique):
    class Model:
        def __repr__(self):
            return "Model(depth=3)"

    ln.track(path=write_script(tmp_path, f"p_{unique}.py"), params={"model": Model(), "n": 3, "t": (1, 2)})
    assert ln.Run.get(get_run().uid).params == {"model": "Model(depth=3)", "n": 3, "t": [1, 2]}
    ln.finish()


def test_tracking_again_aborts_the_unfinished_run(ln, unique, capsys):
    ln.track(ln.Transform(key=f"rerun {unique}", kind="pipeline"))
    first = get_run()
    ln.track(ln.Transform(key=f"rerun {unique}", kind="pipeline"))
    second = get_run()
    first.refresh_from_db()
    assert second != first and first.status == "aborted" and first.finished_at is not None
    assert "marked aborted" in capsys.readouterr().err
    ln.finish()
    second.refresh_from_db()
    assert second.status == "completed"
