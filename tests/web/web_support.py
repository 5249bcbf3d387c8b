"""A small partnership workspace with one account per role, and the real app in process (helpers)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from fastapi.testclient import TestClient

from placespend.app import accounts
from placespend.app.workspace import open_workspace
from placespend.web.app import create_app

from conftest import Cli, chromium, line, write_csv
from conftest import served as serve_app

PASSWORD = "correct horse battery"
ROLES = {"admin": ("admin", None), "analyst": ("analyst", None), "partner": ("partner", "lbl"),
         "other_partner": ("partner", "pct"), "viewer": ("viewer", None)}


def build_workspace(folder: Path) -> Path:
    db = folder / "web.duckdb"
    cli = Cli(db)
    cli("ingest", write_csv(folder / "lbl.csv", [line(amount="1000.00", capital_revenue="capital"),
                                                 line(amount="250.00", flow="transfer", recipient="pct",
                                                      recipient_type="nhs", cofog="07")]))
    cli("ingest", write_csv(folder / "pct.csv", [line(spender="pct", spender_type="nhs", amount="400.00",
                                                      cofog="07.3", capital_revenue="capital")]))
    ws = open_workspace(db)
    for username, (role, org) in ROLES.items():
        accounts.add_user(ws, username, PASSWORD, role, org)
    return db


def build_themed_workspace(folder: Path) -> Path:
    """The partnership workspace plus lines tagged with themes by hand, and one a theme rule finds (its notes
    mention alcohol): what the deep dives' themes view reads."""
    db = build_workspace(folder)
    Cli(db)("ingest", write_csv(folder / "dwp.csv", [
        line(spender="dwp", spender_type="central_government", amount="300.00", cofog="10.5", theme="worklessness"),
        line(spender="dwp", spender_type="central_government", amount="120.00", cofog="07.4",
             notes="alcohol treatment"),
        line(spender="dwp", spender_type="central_government", amount="80.00", cofog="10.9",
             theme="worklessness;families")]))
    return db


class Session:
    """A signed-in browser: cookie jar plus the CSRF token the pages carry."""

    def __init__(self, client: TestClient, csrf: str | None) -> None:
        self.client, self.csrf = client, csrf

    def post(self, url: str, **kwargs):
        data = dict(kwargs.pop("data", {}) or {})
        if self.csrf:
            data["csrf_token"] = self.csrf
        return self.client.post(url, data=data, follow_redirects=False, **kwargs)

    def get(self, url: str, **kwargs):
        return self.client.get(url, follow_redirects=False, **kwargs)


def sign_in(app, username: str | None) -> Session:
    client = TestClient(app)
    if username is None:
        return Session(client, None)
    response = client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303, response.text
    page = client.get("/places").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return Session(client, csrf)


def table_cells(html: str, table: str | None = None) -> list[list[str]]:
    """The text of each cell of a page's table (the one with id `table`, else the first), row by row."""
    start = rf'<table id="{table}">' if table else r"<table[^>]*>"
    body = re.search(start + r".*?<tbody>(.*?)</tbody>", html, re.S).group(1)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
@contextmanager
def served(db: Path) -> Iterator[str]:
    """The app on the workspace `db` behind a real uvicorn server (conftest.serve_app), for a real browser."""
    with serve_app(create_app(open_workspace(db))) as base:
        yield base


class BrowserTab:
    """A page that records console errors, so each test can assert there were none."""

    def __init__(self, browser, base: str) -> None:
        self.context = browser.new_context(viewport={"width": 1366, "height": 900})
        self.page = self.context.new_page()
        self.base, self.errors = base, []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def block_outside(self) -> list[str]:
        """Block every request that would leave this server (councils run offline) and record its URL."""
        outside: list[str] = []

        def only_here(route) -> None:
            if route.request.url.startswith(self.base):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        self.context.route("**/*", only_here)
        return outside

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        self.page.goto(self.base + "/login")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.press("#password", "Enter")
        self.page.wait_for_url("**/places")

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@contextmanager
def offline_tab(browser, server: str, username: str) -> Iterator[BrowserTab]:
    """A signed-in tab whose every request outside this server is blocked; none may be tried, nothing may log
    an error."""
    tab = BrowserTab(browser, server)
    outside = tab.block_outside()
    try:
        tab.sign_in(username)
        yield tab
        assert outside == [] and tab.errors == [], (outside, tab.errors)
    finally:
        tab.context.close()


def serious_violations(tab: BrowserTab) -> list[tuple[str, str, list[str]]]:
    """axe-core's violations of serious or critical impact on the page as it stands."""
    found = Axe().run(tab.page).response["violations"]
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in found
            if v["impact"] in ("serious", "critical")]


@contextmanager
def signed_in_tab(db: Path, username: str, password: str = PASSWORD) -> Iterator[BrowserTab]:
    """A tab signed in to the app served over `db`, every request outside the server blocked: none may be tried
    and nothing may log an error, which is checked as the tab closes."""
    with served(db) as base, chromium() as browser:
        tab = BrowserTab(browser, base)
        outside = tab.block_outside()
        tab.sign_in(username, password)
        yield tab
        assert outside == [] and tab.errors == [], (outside, tab.errors)
