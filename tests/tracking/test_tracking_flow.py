"""@ln.flow() and @ln.step(): a flow run with nested step runs, params, inputs/outputs, errors, threads, context."""

from __future__ import annotations

import concurrent.futures

import pandas as pd
import pytest

from lineagedb.core.context import get_run


def test_flow_with_steps_links_runs_params_inputs_and_outputs(ln, unique):
    raw = ln.Artifact.from_dataframe(pd.DataFrame({"x": [1, 2, 3], "u": [unique] * 3}), key=f"raw_{unique}.parquet").save()

    @ln.step()
    def double(artifact: ln.Artifact, factor: int = 2) -> ln.Artifact:
        df = artifact.load()
        df["x"] = df["x"] * factor
        return ln.Artifact.from_dataframe(df, key=f"doubled_{unique}.parquet").save()

    @ln.flow()
    def pipeline(key: str, factor: int) -> str:
        assert ln.context.run is not None and ln.context.transform.kind == "function"
        return double(ln.Artifact.get(key=key), factor=factor).key

    assert ln.context.run is None
    out_key = pipeline(raw.key, factor=3)
    assert ln.context.run is None  # global_run="clear": nothing stays active
    output = ln.Artifact.get(key=out_key)
    step_run = output.run
    flow_run = step_run.initiated_by_run
    assert flow_run is not None and flow_run.initiated_by_run is None
    assert flow_run.params == {"key": raw.key, "factor": 3}
    assert step_run.params == {"artifact": f"Artifact[{raw.uid}]", "factor": 3}
    assert flow_run.status == step_run.status == "completed"
    assert step_run.started_at < step_run.finished_at <= flow_run.finished_at
    assert list(step_run.input_artifacts.all()) == [raw]  # loaded inside the step: an input of the step
    assert step_run.transform.key.endswith("::test_flow_with_steps_links_runs_params_inputs_and_outputs.<locals>.double")
    assert ln.Run.filter(params__factor=3, transform=flow_run.transform).one() == flow_run  # params are queryable


def test_exceptions_mark_flow_and_step_runs_errored(ln, unique):
    seen = {}

    @ln.step()
    def fails():
        seen["step"] = ln.context.run
        raise RuntimeError(f"boom {unique}")

    @ln.flow()
    def pipeline():
        seen["flow"] = ln.context.run
        fails()

    with pytest.raises(RuntimeError, match=f"boom {unique}"):
        pipeline()
    assert ln.context.run is None
    step_run, flow_run = ln.Run.get(seen["step"].uid), ln.Run.get(seen["flow"].uid)
    assert step_run.status == flow_run.status == "errored" and step_run.initiated_by_run == flow_run
    assert step_run.finished_at is not None and flow_run.finished_at is not None


def test_step_needs_a_run_and_flow_refuses_an_active_one(ln, tmp_path, unique):
    @ln.step()
    def lonely():
        return 1

    @ln.flow()
    def top():
        return 2

    with pytest.raises(ln.errors.TrackNotCalled, match=r"before using @ln.step\(\)"):
        lonely()
    script = tmp_path / f"host_{unique}.py"
    script.write_text("pass\n")
    ln.track(path=script)
    try:
        assert lonely() == 1  # inside ln.track()'s run: initiated by it
        with pytest.raises(ln.errors.RunContextError, match=r"use @ln.step\(\)"):
            top()
    finally:
        ln.finish()
    with pytest.raises(ln.errors.InvalidArgument, match="global_run"):
        ln.flow(global_run="sometimes")


def test_memorize_keeps_the_flow_run_as_context(ln):
    @ln.flow(global_run="memorize")
    def pipeline():
        return ln.context.run.uid

    uid = pipeline()
    try:
        assert ln.context.run is not None and ln.context.run.uid == uid
    finally:
        ln.finish()
    assert ln.Run.get(uid).status == "completed"


def test_parallel_steps_in_threads_get_their_own_runs(ln, tmp_path, unique):
    @ln.step()
    def chunk(i: int, records: list) -> str:
        df = pd.DataFrame({"i": [i], "u": [unique]})
        return ln.Artifact.from_dataframe(df, key=f"chunk_{unique}_{i}.parquet").save().key

    labels = [ln.Record(name=f"label_{unique}_{n}").save() for n in range(2)]
    script = tmp_path / f"parallel_{unique}.py"
    script.write_text("pass\n")
    ln.track(path=script)
    outer = get_run()
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
            keys = list(pool.map(lambda i: chunk(i, ln.Record.filter(name__startswith=f"label_{unique}")), range(3)))
    finally:
        ln.finish()
    runs = [ln.Artifact.get(key=k).run for k in keys]
    assert len({r.id for r in runs}) == 3
    for i, run in enumerate(runs):
        assert run.initiated_by_run == outer and run.status == "completed" and run.params["i"] == i
        assert sorted(run.params["records"]) == sorted(f"Record[{r.uid}]" for r in labels)


def test_track_params_and_context(ln, tmp_path, unique):
    script = tmp_path / f"params_{unique}.py"
    script.write_text("pass\n")
    run = ln.track(path=script, params={"learning_rate": 0.01, "tag": unique, "paths": [tmp_path / "a"]})
    try:
        assert ln.context.run == run and ln.context.transform == run.transform
        assert run.params == {"learning_rate": 0.01, "tag": unique, "paths": [(tmp_path / "a").as_posix()]}
    finally:
        ln.finish()
    assert ln.context.run is None and ln.context.transform is None
    assert ln.Run.filter(params__tag=unique).one() == run
    assert ln.Run.filter(params__learning_rate__lt=0.1, params__tag=unique).count() == 1
