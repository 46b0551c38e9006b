"""Headless Chromium (Playwright) browses a server subprocess: list -> artifact -> run -> lineage graph."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from server_helpers import populated_instance, served, start_server  # noqa: F401 (fixture)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="chromium is not installed (apt-get install chromium chromium-driver)")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, served):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert not errors, errors  # no script errors, no CSP violations


def test_click_from_list_to_artifact_run_and_lineage(page, served, tmp_path):
    data, server = served
    page.goto(server.url + "/")
    assert page.locator(".card").count() >= 8
    page.click("header nav >> text=Artifacts")
    page.wait_for_url("**/artifact")
    assert page.locator("table.table tbody tr").count() >= 4
    page.screenshot(path=str(tmp_path / "artifact_list.png"), full_page=True)
    page.click("table.table >> text=my_datasets/processed.parquet")
    page.wait_for_url(f"**/artifact/{data.uids['processed']}")
    assert page.locator("pre.describe").inner_text().count("temperature") == 1
    assert "<b>bold</b>" in page.locator("table.dataframe").inner_text()  # escaped user data shows as text
    assert page.locator("table.dataframe b").count() == 0
    page.screenshot(path=str(tmp_path / "artifact.png"), full_page=True)
    page.click("p.actions >> text=Run")
    page.wait_for_url(f"**/run/{data.uids['run']}")
    assert "alpha" in page.inner_text("main")
    page.screenshot(path=str(tmp_path / "run.png"), full_page=True)
    page.click("p.actions >> text=Lineage graph")
    page.wait_for_url(f"**/run/{data.uids['run']}/lineage")
    svg = page.locator(".lineage svg")
    assert svg.count() == 1 and svg.bounding_box()["width"] > 200
    assert "my_datasets/processed.parquet" in page.locator(".lineage").inner_text()
    page.screenshot(path=str(tmp_path / "lineage.png"), full_page=True)
    page.click(f'.lineage a[href$="/artifact/{data.uids["raw"]}"], .lineage a[*|href$="/artifact/{data.uids["raw"]}"]')
    page.wait_for_url(f"**/artifact/{data.uids['raw']}")
    for name in ("artifact_list", "artifact", "run", "lineage"):
        assert (tmp_path / f"{name}.png").stat().st_size > 5000


def test_search_filters_and_builtin_lineage_drawing(page, served, tmp_path):
    data, server = served
    page.goto(server.url + "/artifact")
    page.fill("input[name=label]", "T cell")
    page.click("form.filters button")
    page.wait_for_url("**/artifact?*label=T+cell*")
    rows = page.locator("table.table tbody tr")
    assert rows.count() == 1 and "processed" in rows.inner_text()
    status, _, body = server.get("/artifact?feature=nosuch&value=1")
    assert status == 400 and b"no feature named" in body
    page.goto(server.url + f"/collection/{data.uids['collection']}/lineage?engine=builtin")
    assert page.locator('.lineage[data-engine="builtin"] svg a.node').count() >= 4
    page.screenshot(path=str(tmp_path / "lineage_builtin.png"), full_page=True)
    page.goto(server.url + f"/transform/{data.uids['transform']}")
    assert page.locator(".highlight").count() >= 1 and "def main" in page.inner_text(".highlight")
    page.goto(server.url + f"/artifact/{data.uids['image']}")
    page.wait_for_function("document.querySelector('img.preview').complete")
    assert page.locator("img.preview").evaluate("img => img.naturalWidth") == 4
    page.goto(server.url + f"/bio.celltype/{data.uids['t_cell']}")
    assert "CD8-positive" in page.inner_text("main")


def test_token_cookie_and_write_form_in_the_browser(browser, _session_home, _shared_instance, tmp_path_factory):
    data = populated_instance(_session_home, _shared_instance, tmp_path_factory)
    server = start_server(data.name, "--allow-write", "--token", "browser-token-123")
    context = browser.new_context()
    try:
        page = context.new_page()
        response = page.goto(server.url + "/")
        assert response.status == 401
        page.goto(f"{server.url}/artifact/{data.uids['raw']}?token=browser-token-123")
        assert page.url == f"{server.url}/artifact/{data.uids['raw']}"  # the token left the URL for a cookie
        page.fill("form[data-method=PATCH] input[name=description]", "edited <i>in</i> the browser")
        with page.expect_navigation():
            page.click("form[data-method=PATCH] button")
        assert page.locator("dl.fields").first.inner_text().count("edited <i>in</i> the browser") == 1
        page.fill("form[data-api$='/labels'] input[name=name]", "no such label")
        page.click("form[data-api$='/labels'] button")
        page.wait_for_selector("form[data-api$='/labels'] .result:has-text('create the label first')")
    finally:
        context.close()
        server.stop()


OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => { for (let p = el; p; p = p.parentElement) {
      const s = getComputedStyle(p); if (/(auto|scroll)/.test(s.overflowX) && p !== document.documentElement && p !== document.body) return true; }
    return false; };
  const out = [];
  for (const el of document.querySelectorAll('main *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 1 && !scrolls(el.parentElement)) out.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right));
  }
  if (document.documentElement.scrollWidth > width + 1) out.push('page scrolls sideways: ' + document.documentElement.scrollWidth);
  return out.slice(0, 10);
}"""


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_nothing_overflows_at_desktop_and_phone_width(browser, served, tmp_path, width, height):
    """Every main page fits the window; wide content (tables, code, describe) scrolls inside its own box."""
    data, server = served
    u = data.uids
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        paths = ["/", "/artifact", "/artifact?q=T%20cell", f"/artifact/{u['processed']}", f"/artifact/{u['text']}",
                 f"/transform/{u['transform']}", f"/run/{u['run']}", f"/artifact/{u['processed']}/lineage",
                 "/bio.celltype", f"/collection/{u['collection']}", "/registries"]
        problems = {}
        for i, path in enumerate(paths):
            page.goto(server.url + path)
            page.screenshot(path=str(tmp_path / f"w{width}_{i}.png"), full_page=True)
            found = page.evaluate(OVERFLOW_JS)
            if found:
                problems[path] = found
        assert not problems, json.dumps(problems, indent=1)
    finally:
        context.close()


def test_search_box_finds_artifacts_by_ontology_synonym_and_id(page, served, tmp_path):
    data, server = served
    page.goto(server.url + "/")
    for query in ("T cell", "CL:0000084"):
        page.fill("header form.search input[name=q]", query)
        page.press("header form.search input[name=q]", "Enter")
        page.wait_for_url("**/artifact?q=*")
        first = page.locator("table.table tbody tr").first
        assert "my_datasets/processed.parquet" in first.inner_text(), query
    assert page.locator("aside.facets").inner_text().count("T cell") >= 1
    page.click("aside.facets >> text=.parquet")
    page.wait_for_url("**suffix=.parquet*")
    page.screenshot(path=str(tmp_path / "search_facets.png"), full_page=True)
    assert all(".parquet" in row for row in page.locator("table.table tbody tr").all_inner_texts())
