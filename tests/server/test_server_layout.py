"""What list and detail pages show: no column twice, runs and versions that say which one they are."""

from __future__ import annotations

import re
import time

from test_server_pages import call


def headers_of(html: str) -> list[str]:
    return re.findall(r"<th>(.*?)</th>", html.split("<thead>", 1)[1].split("</thead>", 1)[0])


def test_list_pages_never_repeat_a_column(ln, unique, tmp_path):
    from lineagedb.server import create_app
    from lineagedb.server._registries import models

    ln.Record(name=f"rec-{unique}").save()
    path = tmp_path / "x.txt"
    path.write_text(unique)
    ln.Artifact(path, key=f"layout/{unique}.txt").save()
    app = create_app()
    checked = 0
    for name in models():
        status, _, body = call(app, f"/{name}")
        assert status == 200, name
        if "<thead>" not in body.decode():
            continue
        heads = headers_of(body.decode())
        assert len(heads) == len(set(heads)), (name, heads)
        checked += 1
    status, _, body = call(app, "/artifact")
    assert "key" not in headers_of(body.decode())  # the name column shows the key already
    status, _, body = call(app, "/record")
    assert headers_of(body.decode()).count("name") == 1
    assert checked >= 2


def test_runs_and_versions_say_which_one(ln, unique, tmp_path):
    from lineagedb.core.context import set_run
    from lineagedb.server import create_app

    script = tmp_path / f"job_{unique}.py"
    script.write_text("print(1)\n")
    for _ in range(2):
        ln.track(path=script)
        ln.finish()
        set_run(None)
        time.sleep(1.1)
    path = tmp_path / "v.txt"
    path.write_text("one")
    v1 = ln.Artifact(path, key=f"versions/{unique}.txt").save()
    path.write_text("two")
    v2 = ln.Artifact(path, key=f"versions/{unique}.txt").save()
    assert v2.uid[:-4] == v1.uid[:-4]
    app = create_app()
    transform = ln.Transform.get(key=script.name)
    status, _, body = call(app, f"/transform/{transform.uid}")
    html = body.decode()
    titles = re.findall(r"run of [^<]*", html)
    assert status == 200 and len(set(titles)) >= 2, titles
    status, _, body = call(app, f"/artifact/{v2.uid}")
    chips = re.findall(r'<span class=tag><a href="/artifact/[^"]+">[^<]*</a> <small>([^<]*)</small>', body.decode())
    assert len(chips) >= 2 and len(set(chips)) == len(chips), chips
    assert any("latest" in c for c in chips)


def test_run_boxes_in_the_lineage_drawing_show_the_whole_date(ln, unique, tmp_path):
    from lineagedb.core.context import set_run
    from lineagedb.server import create_app

    script = tmp_path / f"a_rather_long_script_name_{unique}.py"
    script.write_text("print(1)\n")
    ln.track(path=script)
    path = tmp_path / "out.txt"
    path.write_text(unique)
    artifact = ln.Artifact(path, key=f"lineage/{unique}.txt").save()
    ln.finish()
    set_run(None)
    run = artifact.run
    status, _, body = call(create_app(), f"/run/{run.uid}/lineage?engine=builtin")
    texts = re.findall(r"<text [^>]*>([^<]*)</text>", body.decode())
    assert status == 200 and run.started_at.strftime("%Y-%m-%d %H:%M") in texts, texts
