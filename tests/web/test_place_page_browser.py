"""A place's page in a real browser against a real server: the "Other places" panel when its request fails, and
the local-control and concentration charts against the JSON API's numbers for the same place.
"""

from __future__ import annotations

import json
from decimal import Decimal

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


def _api(tab: BrowserTab, path: str):
    """The JSON API's answer, read with the tab's session, numbers kept exact."""
    response = tab.page.request.get(f"{tab.base}/api/places/{LEWISHAM}/{path}?year={YEAR}")
    assert response.ok, response.status
    return json.loads(response.text(), parse_float=Decimal)


def _chart(tab: BrowserTab, name: str) -> list[dict]:
    tab.page.wait_for_selector(f"#chart-{name}[data-ready=yes]")
    return tab.page.evaluate(f"""() => document.getElementById('chart-{name}').data.map(t => (
        {{name: t.name, x: Array.from(t.x), y: Array.from(t.y), customdata: t.customdata}}))""")


def test_local_control_and_concentration_charts_carry_the_apis_figures(tab):
    tab.page.goto(f"{tab.base}/places/{LEWISHAM}?year={YEAR}")
    bands = _api(tab, "tables/local-control")
    stack = _chart(tab, "local-control")
    assert [t["name"] for t in stack] == [b["label"] for b in bands]  # locally decided first, as the table
    for trace, band in zip(stack, bands, strict=True):
        [(amount, share, shown)] = trace["customdata"]
        assert (Decimal(amount), Decimal(share)) == (band["amount"], band["share"])
        assert shown == f"£{band['amount']:,.2f}"
        assert trace["x"] == [pytest.approx(float(band["share"] * 100), abs=1e-9)]
    # the bands are the whole count: an independent check against the count's total
    assert sum(Decimal(t["customdata"][0][0]) for t in stack) == _api(tab, "count")["total"]

    ranking = _api(tab, "tables/concentration")
    [curve] = _chart(tab, "concentration")
    assert curve["x"] == [r["rank"] for r in ranking]
    assert [Decimal(amount) for amount, _, _ in curve["customdata"]] == [r["amount"] for r in ranking]
    assert [Decimal(cumulative) for _, cumulative, _ in curve["customdata"]] == [r["cumulative_share"]
                                                                                 for r in ranking]
    assert curve["y"] == [pytest.approx(float(r["cumulative_share"] * 100), abs=1e-9) for r in ranking]
    # the cumulative shares add up the amounts, largest first (independent arithmetic over the API's amounts;
    # the table is the top ten, here every body)
    assert 1 < len(ranking) < 10
    total = sum((r["amount"] for r in ranking), Decimal(0))
    running = Decimal(0)
    for r in ranking:
        running += r["amount"]
        assert abs(Decimal(r["cumulative_share"]) - running / total) < Decimal("0.000001")
