"""Imports in the browser (DESIGN.md §8 `/imports`): a real open-data file (IoD 2019 file 2, 32,844 LSOAs)
uploaded, read in the background while the page follows it, loaded with the rows `placespend import` loads from
the same file; a malformed file refused with its row and column and nothing loaded; only the count team imports.
"""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import httpx
import pytest
from web_support import PASSWORD, BrowserTab, sign_in

from placespend.app import accounts, imports
from placespend.app.workspace import open_workspace
from placespend.web.app import create_app

from conftest import SHARED, Cli, chromium, need_chromium, served

DATA = SHARED / "data"  # ../shared beside the clone, or PLACESPEND_SHARED
FILE_2 = DATA / "imd2019-lsoa" / "File_2_-_IoD2019_Domains_of_Deprivation.csv.gz"
BAD = "area,indicator,value\nE01000001,clients,4\nE01000002,clients,four\n"


@pytest.fixture
def app(tmp_path: Path):
    application = create_app(open_workspace(tmp_path / "imports.duckdb"))  # a new, empty workspace
    for username, role, org in (("admin", "admin", None), ("analyst", "analyst", None),
                                ("partner", "partner", "lbl"), ("viewer", "viewer", None)):
        accounts.add_user(application.state.workspace, username, PASSWORD, role, org)
    yield application
    application.state.workspace.close()


def _upload(session, name: str, content: bytes) -> str:
    response = session.client.post("/imports", data={"csrf_token": session.csrf},
                                   files={"file": (name, content)}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def _finished(session, job_id: str, seconds: float = 600) -> tuple[dict, list[float]]:
    """Poll the job as the page does; the share read it reported on the way."""
    seen: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = session.get(f"/api/imports/jobs/{job_id}").json()
        if job["fraction"] is not None:
            seen.append(job["fraction"])
        if job["stage"] in ("done", "failed"):
            return job, seen
        time.sleep(0.2)
    raise AssertionError(f"import {job_id} still {job['stage']} after {seconds} s")


@pytest.mark.skipif(not FILE_2.is_file(), reason="../shared/data is absent")
def test_an_open_data_file_loads_as_the_cli_loads_it(app, tmp_path):
    analyst = sign_in(app, "analyst")
    job_id = _upload(analyst, FILE_2.name, FILE_2.read_bytes())
    job, seen = _finished(analyst, job_id)
    assert job["stage"] == "done" and job["failure"] is None
    assert seen == sorted(seen) and all(0 <= f <= 1 for f in seen) and job["fraction"] == 1.0
    [expected] = Cli(tmp_path / "cli.duckdb").json("import", FILE_2)
    result = job["result"]
    assert (result["outcome"], result["reader"], result["rows"]) == ("loaded", expected["reader"], expected["rows"])
    assert result["rows"]["place_statistics"] > 32_844  # every LSOA, several domains each
    page = analyst.get(f"/imports/jobs/{job_id}").text
    rows = result["rows"]["place_statistics"]
    assert f"read as <strong>{expected['reader']}</strong>: {rows:,} place statistics rows" in page
    history = analyst.get("/imports").text
    assert FILE_2.name in history and f"{rows:,}" in history
    again, _ = _finished(analyst, _upload(analyst, FILE_2.name, FILE_2.read_bytes()))
    assert again["result"]["outcome"] == "unchanged"
    assert not [p for p in (tmp_path / "imports.incoming").rglob("*") if p.is_file()]  # uploads not kept


def test_a_malformed_file_is_refused_at_its_row_and_column_and_loads_nothing(app):
    analyst = sign_in(app, "analyst")
    job_id = _upload(analyst, "clients_2019.csv", BAD.encode())
    job, _ = _finished(analyst, job_id, 120)
    assert job["result"]["outcome"] == "rejected"
    [error] = job["result"]["errors"]
    assert (error["row"], error["column"]) == (3, "value")
    page = analyst.get(f"/imports/jobs/{job_id}/progress").text
    assert 'data-outcome="rejected"' in page and 'data-row="3" data-column="value"' in page
    assert "Refused: nothing was loaded" in page
    assert "No reference data imported yet." in analyst.get("/imports").text


@pytest.mark.parametrize("username", ["partner", "viewer"])
def test_only_the_count_team_imports(app, username):
    session = sign_in(app, username)
    assert session.get("/imports").status_code == 403
    response = session.client.post("/imports", data={"csrf_token": session.csrf},
                                   files={"file": ("x.csv", BAD.encode())}, follow_redirects=False)
    assert response.status_code == 403
    assert all(job.username != username for job in imports.jobs())


def test_the_count_team_follows_each_others_imports_and_partners_do_not(app):
    job_id = _upload(sign_in(app, "analyst"), "clients_2019.csv", BAD.encode())
    _finished(sign_in(app, "analyst"), job_id, 120)
    assert sign_in(app, "admin").get(f"/api/imports/jobs/{job_id}").json()["result"]["outcome"] == "rejected"
    assert "clients_2019.csv" in sign_in(app, "admin").get("/imports").text
    assert sign_in(app, "partner").get(f"/api/imports/jobs/{job_id}").status_code == 403
    assert sign_in(app, "admin").get("/api/imports/jobs/nonesuch").status_code == 404


def test_an_import_the_server_stops_under_ends_failed_without_an_error_in_its_thread(app, tmp_path, monkeypatch):
    """A server stopping closes its workspace and interrupts an import still reading (Workspace.close); the
    import's thread then tried to audit the failure in the closed workspace and died with a traceback."""
    upload = tmp_path / "in" / "stats.csv"
    upload.parent.mkdir()
    upload.write_text("area,period,indicator,value\nE01000001,2019,population,1500\n", encoding="utf-8")
    job = imports.ImportJob("closed", "admin", upload.name, None, upload, upload.stat().st_size)
    ws = app.state.workspace
    ws.close()
    raised: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: raised.append(args.exc_value))
    thread = threading.Thread(target=imports._run, args=(ws, accounts.User(1, "admin", "admin", None, None), job))
    thread.start()
    thread.join(timeout=60)
    assert raised == []
    assert job.stage == "failed" and "server stopped" in job.failure and job.finished is not None
    with open_workspace(ws.path).read() as con:  # nothing loaded
        assert con.con.execute("SELECT count(*) FROM imports").fetchone()[0] == 0


def test_the_read_position_is_the_handles_offset(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 10_000)
    assert imports._read_position(path) is None  # not open
    with path.open("rb") as handle:
        handle.read(4_096)
        assert imports._read_position(path) == handle.tell() == 4_096


@pytest.mark.browser
@pytest.mark.skipif(not FILE_2.is_file(), reason="../shared/data is absent")
def test_the_page_follows_the_import_to_its_report(app):
    need_chromium()
    with served(app) as base, chromium() as browser:
        tab = BrowserTab(browser, base)
        outside = tab.block_outside()
        tab.sign_in("analyst")
        tab.page.click("nav >> text=Imports")
        tab.page.set_input_files("#import-file", str(FILE_2))
        tab.page.click("#import-form button[type=submit]")
        tab.page.wait_for_url("**/imports/jobs/*")
        tab.page.wait_for_selector("#import-job[data-stage=done]", timeout=600_000)  # htmx swaps it in
        job_id = tab.page.url.rsplit("/", 1)[1]
        shown = tab.page.inner_text("#import-outcome")
        cookies = {c["name"]: c["value"] for c in tab.context.cookies()}
        job = httpx.get(f"{base}/api/imports/jobs/{job_id}", cookies=cookies).json()
        assert f"{job['result']['rows']['place_statistics']:,} place statistics rows" in shown
        assert outside == [] and tab.errors == []
        tab.shot("imports-done")
    assert json.dumps(job["result"]["errors"]) == "[]"
    assert re.search(r"Loaded in [\d.]+ s", shown)
