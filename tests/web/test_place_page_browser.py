"""A place's page in a real browser against a real server: the "Other places" panel when its request fails, and
the local-control and concentration charts against the JSON API's numbers for the same place.
"""

from __future__ import annotations

import pytest
from web_support import BrowserTab, build_workspace, served

from conftest import Cli, chromium, line, need_chromium, write_csv

pytestmark = pytest.mark.browser

LEWISHAM, LAMBETH, YEAR = "E09000023", "E09000022", "2008-09"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The partnership workspace (Lewisham) and a second place, Lambeth, so "Other places" has a table."""
    need_chromium()
    folder = tmp_path_factory.mktemp("place-page")
    db = build_workspace(folder)
    Cli(db)("ingest", write_csv(folder / "lambeth.csv", [line(place=LAMBETH, spender="lambeth", amount="700.00")]))
    with served(db) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def tab(server, browser):
    """A viewer's tab; nothing may be asked of another server. Console errors are not checked here: a failed
    request is logged by the browser itself."""
    tab = BrowserTab(browser, server)
    outside = tab.block_outside()
    tab.sign_in("viewer")
    yield tab
    tab.context.close()
    assert outside == []


@pytest.mark.parametrize("failure", ["server error", "no answer"])
def test_other_places_says_it_could_not_load_and_loads_on_retry(tab, failure):
    def fail(route) -> None:
        if failure == "server error":
            route.fulfill(status=500, content_type="text/html", body="<p>Internal Server Error</p>")
        else:
            route.abort("connectionreset")

    others = f"**/places/{LEWISHAM}/others?*"
    tab.page.route(others, fail)
    tab.page.goto(f"{tab.base}/places/{LEWISHAM}?year={YEAR}")
    message = tab.page.locator("#other-places .failed")
    message.wait_for(state="visible", timeout=10_000)
    assert "could not be loaded" in message.inner_text()
    assert message.get_attribute("role") == "alert"
    assert not tab.page.locator("#other-places .loading").is_visible()

    tab.page.unroute(others, fail)
    tab.page.click("#other-places-retry")
    tab.page.wait_for_selector("#other-places table")
    assert tab.page.url.endswith(f"/places/{LEWISHAM}?year={YEAR}")  # retried in place, not by a page load
    links = tab.page.locator("#other-places tbody a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert links == [f"/places/{LAMBETH}?year={YEAR}"]
    assert not tab.page.locator("#other-places .failed").count()
