"""lineagedb save / load / export-lineage (in this process, and once as a real subprocess)."""

from __future__ import annotations

import json
import uuid

from tracking_helpers import cli, cli_process, run_python  # noqa: F401 (fixtures)


def test_save_registers_script_and_load_writes_it_back(ln, tmp_path, unique, cli):
    script = tmp_path / f"analysis_{unique}.py"
    script.write_text("print('v1')\n")
    r = cli("save", str(script))
    transform = ln.Transform.get(key=script.name)
    assert transform.uid in r.stdout and transform.kind == "script" and transform.source_code == "print('v1')\n"
    cli("save", str(script))  # unchanged: no new version
    assert ln.Transform.filter(key=script.name).count() == 1
    script.write_text("print('v2')\n")
    cli("save", str(script))
    assert ln.Transform.filter(key=script.name).count() == 2
    out = tmp_path / "out"
    r = cli("load", script.name, "--output", str(out))  # by key: the latest version
    assert (out / script.name).read_text() == "print('v2')\n" and "script is here" in r.stdout
    r = cli("load", transform.uid, "--output", str(out), check=False)  # v1 by uid: would overwrite v2
    assert r.returncode == 1 and "--force" in r.stderr
    cli("load", f"https://example.org/me/inst/transform/{transform.uid}", "--output", str(out), "--force")
    assert (out / script.name).read_text() == "print('v1')\n"


def test_cli_errors_are_one_clear_line(ln, tmp_path, cli, cli_process):
    r = cli_process("load", "no-such-transform", check=False)
    assert r.returncode == 1 and "no transform with key or uid" in r.stderr and "Traceback" not in r.stderr
    (tmp_path / "notes.txt").write_text("x")
    r = cli("save", str(tmp_path / "notes.txt"), check=False)
    assert r.returncode == 1 and "only scripts (.py, .sh, .R) and notebooks (.ipynb)" in r.stderr


def test_load_transform_without_source_explains(ln, unique, cli):
    t = ln.Transform(key=f"pipe_{unique}", kind="pipeline").save()
    r = cli("load", t.uid, check=False)
    assert r.returncode == 1 and "has no saved source code" in r.stderr


def test_export_lineage_writes_openlineage_json_lines(ln, tmp_path, unique, cli, run_python):
    script = tmp_path / f"export_{unique}.py"
    run_python(script, "import lineagedb as ln\nln.track(params={'k': 1})\nln.finish()\n")
    crash = tmp_path / f"export_crash_{unique}.py"
    run_python(crash, "import lineagedb as ln\nln.track()\n1/0\n", check=False)
    target = tmp_path / "events.jsonl"
    r = cli("export-lineage", "--format", "openlineage", "--transform", script.name, "--output", str(target))
    events = [json.loads(line) for line in target.read_text().splitlines()]
    assert [e["eventType"] for e in events] == ["START", "COMPLETE"] and "wrote 2" in r.stderr
    assert {e["job"]["name"] for e in events} == {script.name}
    stdout = cli("export-lineage").stdout  # all runs, to stdout
    everything = [json.loads(line) for line in stdout.splitlines()]
    crashed = [e for e in everything if e["job"]["name"] == crash.name]
    assert [e["eventType"] for e in crashed] == ["START", "FAIL"]
    run = ln.Run.filter(transform__key=crash.name).one()
    assert [e["eventType"] for e in (json.loads(x) for x in cli("export-lineage", "--run", run.uid).stdout.splitlines())] == ["START", "FAIL"]
    uuid.UUID(events[0]["run"]["runId"])
