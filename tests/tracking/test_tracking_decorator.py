"""@ln.tracked(): one run per call, arguments as params, nested calls linked to the calling run."""

from __future__ import annotations

import pytest

from lineagedb.core.context import get_run


def test_each_call_is_a_run_with_params(ln):
    seen = []

    @ln.tracked()
    def subset(n: int, label: str = "all"):
        """Take the first n rows."""
        seen.append(get_run())
        return n * 2

    assert subset(3) == 6 and subset(4, label="x") == 8
    first, second = seen
    assert first != second and first.transform == second.transform
    transform = first.transform
    assert transform.kind == "function" and transform.key.endswith("::test_each_call_is_a_run_with_params.<locals>.subset")
    assert transform.description == "Take the first n rows." and "return n * 2" in transform.source_code
    first.refresh_from_db(), second.refresh_from_db()
    assert first.params == {"n": 3, "label": "all"} and second.params == {"n": 4, "label": "x"}
    assert first.status == second.status == "completed" and first.finished_at is not None
    assert get_run() is None  # nothing stays active after the call


def test_call_inside_a_run_is_initiated_by_it_and_errors_are_recorded(ln, tmp_path, unique):
    runs = []

    @ln.tracked
    def fails():
        runs.append(get_run())
        raise RuntimeError("boom")

    script = tmp_path / f"outer_{unique}.py"
    script.write_text("pass\n")
    ln.track(path=script)
    outer = get_run()
    with pytest.raises(RuntimeError, match="boom"):
        fails()
    assert get_run() == outer  # the outer run is current again
    inner = ln.Run.get(runs[0].uid)
    assert inner.status == "errored" and inner.finished_at is not None
    assert inner.initiated_by_run == outer and list(outer.initiated_runs.all()) == [inner]
    ln.finish()
    start, fail = inner.to_openlineage()
    assert fail["eventType"] == "FAIL" and start["job"]["facets"]["jobType"]["jobType"] == "FUNCTION"
    parent = start["run"]["facets"]["parent"]
    assert parent["run"]["runId"] == outer.to_openlineage()[0]["run"]["runId"] and parent["job"]["name"] == script.name
