"""A two-script pipeline run as real processes: runs, inputs, outputs and view_lineage()."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import pytest
from tracking_helpers import VENV_BIN, child_env, run_python  # noqa: F401 (fixture)


class _LazyLineage:
    """``lineagedb.models._lineage``, imported once Django is configured by the ``ln`` fixture."""

    def __getattr__(self, name):
        if name.startswith("_"):  # pytest probes module attributes while collecting
            raise AttributeError(name)
        from lineagedb.models import _lineage as module

        return getattr(module, name)


_lineage = _LazyLineage()


@pytest.fixture(scope="module")
def _pipeline_scripts(_shared_instance, tmp_path_factory):
    """Run once per module: step1 writes raw/<u>.parquet; step2 loads it and writes processed/<u>.parquet."""
    import uuid

    from lineagedb.core.instance import connect, current

    if current() is None or current().name != _shared_instance.name:
        connect(_shared_instance.name)
    unique = uuid.uuid4().hex[:8]
    folder = tmp_path_factory.mktemp("pipeline")
    raw, processed = f"raw/{unique}.parquet", f"processed/{unique}.parquet"
    step1, step2 = folder / f"step1_{unique}.py", folder / f"step2_{unique}.py"
    step1.write_text(textwrap.dedent(f"""
        import pandas as pd
        import lineagedb as ln
        ln.track(params={{"n": 3}})
        ln.Artifact.from_dataframe(pd.DataFrame({{"x": [1, 2, 3], "u": ["{unique}"] * 3}}), key="{raw}").save()
        ln.finish()
    """))
    step2.write_text(textwrap.dedent(f"""
        import lineagedb as ln
        ln.track()
        df = ln.Artifact.get(key="{raw}").load()
        df["y"] = df["x"] * 2
        ln.Artifact.from_dataframe(df, key="{processed}").save()
        ln.finish()
    """))
    for script in (step1, step2):
        r = subprocess.run([sys.executable, str(script)], cwd=folder, capture_output=True, text=True,
                           env=child_env(), timeout=180)
        assert r.returncode == 0, r.stdout + r.stderr
    return raw, processed, step1, step2


@pytest.fixture
def pipeline(ln, _pipeline_scripts):
    raw, processed, step1, step2 = _pipeline_scripts
    return ln.Artifact.get(key=raw), ln.Artifact.get(key=processed), step1, step2


def test_pipeline_runs_inputs_and_outputs(ln, pipeline):
    raw, processed, step1, step2 = pipeline
    assert raw.transform.key == step1.name and processed.transform.key == step2.name
    run1, run2 = raw.run, processed.run
    assert run1.status == run2.status == "completed" and run1.params == {"n": 3}
    assert list(run2.input_artifacts.all()) == [raw] and list(run1.input_artifacts.all()) == []
    assert list(raw.input_of_runs.all()) == [run2]
    assert list(run2.output_artifacts.filter(kind="dataset")) == [processed]
    assert ln.Artifact.filter(transform=run2.transform).count() == 1
    assert run2.transform.latest_run == run2 and run2.transform.source_code.count("ln.track()") == 1
    # one environment artifact (python + packages) shared by both runs, not a data output of either
    assert run1.environment is not None and run1.environment == run2.environment
    assert run1.environment.kind == "__lineagedb__" and run1.environment.run is None


def test_lineage_graph_and_text_tree(ln, pipeline):
    raw, processed, step1, step2 = pipeline
    graph = _lineage.build_graph(processed)
    ids = {_lineage.node_id(r) for r in (raw, processed, raw.run, processed.run)}
    assert set(graph.nodes) == ids
    assert graph.edges == {
        (_lineage.node_id(raw.run), _lineage.node_id(raw)),
        (_lineage.node_id(raw), _lineage.node_id(processed.run)),
        (_lineage.node_id(processed.run), _lineage.node_id(processed)),
    }
    text = _lineage.to_text(graph).splitlines()
    assert processed.key in text[0] and "comes from" in text[0]
    assert step2.name in text[1] and raw.key in text[2] and step1.name in text[3]
    down = _lineage.to_text(_lineage.build_graph(raw, upstream=False, downstream=True))
    assert "is used by" in down and step2.name in down and processed.key in down and step1.name not in down
    assert set(_lineage.build_graph(raw.run, upstream=True, downstream=True).nodes) == ids
    assert set(_lineage.build_graph(processed.run).nodes) == ids - {_lineage.node_id(processed)}


def test_view_lineage_without_dot_prints_a_text_tree(ln, pipeline):
    raw, processed, step1, step2 = pipeline
    code = f"import lineagedb as ln; ln.Artifact.get(key={processed.key!r}).view_lineage(downstream=True)"
    env = child_env(extra_path_first=False, PATH=VENV_BIN)  # no graphviz `dot` on this PATH
    assert shutil.which("dot", path=VENV_BIN) is None
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "comes from" in r.stdout and step1.name in r.stdout and raw.key in r.stdout and ".svg" not in r.stdout


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz `dot` is not installed (apt-get install graphviz)")
def test_view_lineage_with_dot_writes_svg(ln, pipeline, capsys):
    raw, processed, step1, step2 = pipeline
    path = _lineage.render(processed, jupyter=False)
    svg = open(path).read()
    assert path.endswith(".svg") and svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert step1.name in svg and step2.name in svg and raw.key in svg
    processed.view_lineage()
    assert path in capsys.readouterr().out
    assert _lineage.render(processed, jupyter=True) is None  # shown inline through IPython.display


def test_no_run_records_nothing_and_unsaved_records_explain(ln, pipeline, capsys):
    raw, processed, step1, step2 = pipeline
    before = raw.input_of_runs.count()
    raw.load()  # outside ln.track(): not an input of anything, and no error
    raw.cache()
    assert raw.input_of_runs.count() == before
    assert ln.Transform(key="x", kind="pipeline").latest_run is None
    lone = ln.Run(transform=ln.Transform.get(key=step1.name))
    assert "not saved yet" in _lineage.render(lone)


def test_collection_lineage_and_openlineage_of_the_pipeline(ln, pipeline, tmp_path, unique, run_python):
    raw, processed, step1, step2 = pipeline
    step3 = tmp_path / f"step3_{unique}.py"
    run_python(step3, f"""
        import lineagedb as ln
        ln.track()
        a = ln.Artifact.get(key={raw.key!r})
        b = ln.Artifact.get(key={processed.key!r})
        ln.Collection([a, b], key="both_{unique}").save()
        ln.finish()
    """)
    collection = ln.Collection.get(key=f"both_{unique}")
    assert collection.transform.key == step3.name
    graph = _lineage.build_graph(collection)
    assert _lineage.node_id(processed.run) in graph.nodes and _lineage.node_id(raw.run) in graph.nodes
    assert (_lineage.node_id(processed), _lineage.node_id(collection)) in graph.edges
    down = _lineage.build_graph(raw, upstream=False, downstream=True)
    assert _lineage.node_id(collection) in down.nodes
    collection.view_lineage()  # never raises, with or without dot

    start, complete = processed.run.to_openlineage()
    assert (start["eventType"], complete["eventType"]) == ("START", "COMPLETE")
    from lineagedb.core.instance import current

    assert start["job"]["name"] == step2.name and start["job"]["namespace"] == current().name
    assert [d["name"] for d in complete["inputs"]] == [raw.key]
    assert [d["name"] for d in complete["outputs"]] == [processed.key]
    assert complete["outputs"][0]["facets"]["version"]["datasetVersion"] == processed.uid
    assert complete["outputs"][0]["namespace"].startswith("file://")
    job_facets = complete["job"]["facets"]
    assert job_facets["sourceCodeLocation"]["url"].endswith(step2.name)
    assert "ln.track()" in job_facets["sourceCode"]["sourceCode"]
    env = complete["run"]["facets"]["lineagedb_environment"]
    assert env["pythonVersion"] == ".".join(map(str, sys.version_info[:3]))
    assert any(p.startswith("django==") for p in env["packages"])
    for event in (start, complete):
        json.dumps(event)  # JSON-ready
        assert event["eventTime"].endswith("Z") and event["schemaURL"].endswith("#/$defs/RunEvent")
        facets = [*event["run"]["facets"].values(), *event["job"]["facets"].values()]
        assert all("_producer" in f and f["_schemaURL"].startswith("http") for f in facets)
    assert start["run"]["runId"] == processed.run.to_openlineage()[0]["run"]["runId"]  # stable
