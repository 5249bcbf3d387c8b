"""Councils run offline: no page of the app asks anything of another server, in a real browser with every
request that would leave this server blocked and recorded.

The pages are read from the app's own routes, so a page added later is visited too; each is opened as the
admin (who sees every page) on a workspace with a submission and an estate, so the charts, the map and the
tables are drawn, not their empty states.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from web_support import PASSWORD, BrowserTab, build_workspace

from placespend.app import accounts, deepdives, imports, ingest_files
from placespend.app.workspace import open_workspace
from placespend.web.app import WEB, create_app

from conftest import Cli, chromium, line, need_chromium, write_assets_template, write_csv
from conftest import served as serve_app

pytestmark = pytest.mark.browser

PLACE, YEAR = "E09000023", "2008-09"
# Routes that are files rather than pages (a browser downloads them or shows them raw).
NOT_PAGES = {"/openapi.json", "/favicon.ico", "/static-vendor/plotly.min.js", "/template.xlsx",
             "/deepdives/inputs/{input_id}/file", "/places/{place}/report.pdf", "/places/{place}/report.xlsx"}
# A tag that loads a script, style, image or frame from an absolute address, or a style that imports one.
LOADS_FROM_OUTSIDE = re.compile(r"<(script|link|img|iframe|source)\b[^>]*\b(src|href)\s*=\s*[\"']?(https?:)?//"
                                r"|(url\(|@import)\s*[\"']?(https?:)?//", re.IGNORECASE)


def _estate(folder: Path) -> Path:
    rows = [{"asset_code": f"L{i}", "property_name": f"Lewisham site {i}", "crs": "WGS84", "geo_x": -0.02 + i / 500,
             "geo_y": 51.45, "building_size": 500 + i, "running_cost": 40_000 + i, "utilisation": "0.5",
             "services": "library", "tenure_type": "Freehold"} for i in range(5)]
    return write_assets_template(folder / "estate.xlsx", rows)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    need_chromium()
    folder = tmp_path_factory.mktemp("offline")
    db = build_workspace(folder)
    Cli(db)("assets", "import", _estate(folder), "--owner", "lbl", "--place", PLACE)
    ws = open_workspace(db)
    waiting = write_csv(folder / "waiting.csv", [line(amount="12.00", cofog="09.1")])
    [result] = ingest_files.ingest_returns(ws, [waiting], submitter="lbl", status="submitted")
    examples = deepdives.load_examples(ws, accounts.authenticate(ws, "analyst", PASSWORD))
    job = imports.start(ws, accounts.authenticate(ws, "admin", PASSWORD), "c_2019.csv",
                        io.BytesIO(b"area,indicator,value\nE01000001,clients,four\n"))  # refused at row 2
    while job.finished is None:  # its connections closed before the app holds the file (one config per file)
        time.sleep(0.05)
    app = create_app(ws)
    app.state.values = {"place": [PLACE], "submission_id": [str(result.submission_id)],
                        "input_id": sorted({str(saved.input_id) for saved in examples}),  # every kind of deep dive
                        "job_id": [job.job_id]}
    return app


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def _pages(app) -> list[str]:
    """Every page the app serves, once for each real value of its path parameter (at most one per page)."""
    pages = []
    for path in _page_routes(app):
        [name] = re.findall(r"\{(\w+)\}", path) or [None]
        pages += [path.replace(f"{{{name}}}", value) for value in app.state.values[name]] if name else [path]
    return pages


def _page_routes(app) -> list[str]:
    """GET routes left out of the OpenAPI schema (the API's are in it), less files and static folders."""
    return [route.path for route in iter_route_contexts(app.routes)
            if route.methods and "GET" in route.methods and not getattr(route, "include_in_schema", True)
            and route.path not in NOT_PAGES]


def test_no_page_asks_anything_of_another_server(app, browser):
    pages = _pages(app)
    assert {"/places/{place}", "/submissions/{submission_id}", "/assets", "/suppliers", "/admin/audit",
            "/deepdives/inputs/{input_id}", "/compare", "/bodies", "/imports/jobs/{job_id}",
            "/docs"} <= set(_page_routes(app))
    with serve_app(app) as base:
        tab = BrowserTab(browser, base)
        outside = tab.block_outside()
        # The trap itself: a request for a CDN's copy of Swagger UI is caught and recorded.
        tab.page.goto(base + "/login")
        tab.page.evaluate("() => fetch('https://cdn.jsdelivr.net/npm/swagger-ui-dist/swagger-ui.css').catch(() => 0)")
        assert outside == ["https://cdn.jsdelivr.net/npm/swagger-ui-dist/swagger-ui.css"]
        outside.clear()
        tab.errors.clear()  # the blocked request above is logged as a failed load

        tab.sign_in("admin")
        seen = {}
        for page in pages:
            response = tab.page.goto(f"{base}{page}?year={YEAR}")
            tab.page.wait_for_load_state("networkidle")
            seen[page] = response.status
        tab.page.goto(base + "/docs")
        tab.page.wait_for_selector(".opblock-summary-path", timeout=20000)
        assert outside == [], outside
        assert all(status == 200 for status in seen.values()), seen
        assert not tab.errors, tab.errors


def test_api_docs_are_the_packages_own_swagger_ui(app):
    """/docs names no other server: its script and style are under /static-vendor, served from the package."""
    client = TestClient(app)
    docs = client.get("/docs").text
    assert "/static-vendor/swagger/swagger-ui-bundle.js" in docs and "/static-vendor/swagger/swagger-ui.css" in docs
    assert not LOADS_FROM_OUTSIDE.search(docs), docs
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        served = client.get(f"/static-vendor/swagger/{asset}")
        assert served.status_code == 200 and len(served.content) > 10_000


def test_no_template_or_static_file_loads_from_outside():
    """The same rule read from the files themselves, so a template with a CDN link fails before any browser."""
    offenders = [path.name for folder in ("templates", "static") for path in (WEB / folder).rglob("*")
                 if path.suffix in {".html", ".css"} and LOADS_FROM_OUTSIDE.search(path.read_text())]
    assert offenders == []
