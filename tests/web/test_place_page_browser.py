"""A place's page in a real browser against a real server: the "Other places" panel when its request fails, and
the local-control and concentration charts against the JSON API's numbers for the same place.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from web_support import BrowserTab, build_workspace, serious_violations, served

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
    tab.page.wait_for_selector("#chart-concentration[data-ready=yes]")
    tab.shot("place-local-control-concentration")
    assert serious_violations(tab) == []
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


def test_the_places_list_says_there_is_no_map_without_boundaries(tab):
    tab.page.goto(f"{tab.base}/places")
    missing = tab.page.inner_text("#places-map #map-missing")
    assert "No district boundaries are imported" in missing and "placespend import" in missing
    assert tab.page.locator("#chart-places").count() == 0


LAD_BOUNDARIES = "boundaries-martinjc/administrative_eng_topo_lad.json"  # ONS districts, 2013 (TopoJSON)
POPULATION = {LEWISHAM: 258_500, LAMBETH: 272_000}


@pytest.fixture(scope="module")
def mapped(tmp_path_factory, shared_data_dir):
    """Lewisham and Lambeth with their district boundaries and populations imported, and a third code with
    lines whose boundary is not (E09999999 is no district)."""
    need_chromium()
    folder = tmp_path_factory.mktemp("places-map")
    db = build_workspace(folder)
    cli = Cli(db)
    cli("ingest", write_csv(folder / "more.csv", [
        line(place=LAMBETH, spender="lambeth", amount="7000000.00"),
        line(place=LEWISHAM, spender="dwp", spender_type="central_government", amount="5000000.00", cofog="10.5"),
        line(place="E09999999", spender="nowhere", amount="123.45")]))
    cli("import", shared_data_dir / LAD_BOUNDARIES)
    cli("import", write_csv(folder / "population_2008.csv", [
        {"area": code, "period": "2008", "indicator": "population", "value": people}
        for code, people in POPULATION.items()]))
    with served(db) as base:
        yield base


@pytest.fixture(scope="module")
def shared_data_dir():
    from conftest import SHARED

    if not (SHARED / "data" / LAD_BOUNDARIES).exists():
        pytest.skip("../shared/data is absent")
    return SHARED / "data"


@pytest.mark.parametrize("measure", [None, "total"])
def test_the_places_map_is_drawn_here_with_the_places_apis_values(mapped, browser, measure):
    tab = BrowserTab(browser, mapped)
    outside = tab.block_outside()
    try:
        tab.sign_in("viewer")
        tab.page.goto(f"{mapped}/places" + (f"?year={YEAR}&measure={measure}" if measure else ""))
        tab.page.wait_for_selector("#chart-places[data-ready=yes]", timeout=30_000)
        tab.page.wait_for_load_state("networkidle")
        [trace] = tab.page.evaluate("""() => document.getElementById('chart-places').data.map(t => (
            {type: t.type, locations: Array.from(t.locations), z: Array.from(t.z)}))""")
        response = tab.page.request.get(f"{mapped}/api/places-compared?year={YEAR}")
        api = {r["place"]: r for r in json.loads(response.text(), parse_float=Decimal)}
        shown = measure or "per_head"  # per head by default when the places have a population
        assert trace["type"] == "choroplethmap"
        assert trace["locations"] == [LAMBETH, LEWISHAM]
        assert trace["z"] == [float(api[p][shown]) for p in trace["locations"]]
        if shown == "per_head":  # independent arithmetic: the count over the imported population, to the penny
            for place in trace["locations"]:
                expected = (api[place]["total"] / POPULATION[place]).quantize(Decimal("0.01"))
                assert Decimal(str(trace["z"][trace["locations"].index(place)])) == expected
        assert "E09999999" in tab.page.inner_text("#map-not-drawn")
        assert tab.page.locator("#chart-places canvas").count() > 0
        tab.shot(f"places-map-{shown}")
        assert serious_violations(tab) == []
        assert outside == [] and tab.errors == [], (outside, tab.errors)
    finally:
        tab.context.close()


def test_an_unknown_colouring_of_the_map_is_refused_in_plain_english(tab):
    response = tab.page.goto(f"{tab.base}/places?measure=colour")
    assert response.status == 400
    assert "Colour the map by per_head or total, not 'colour'." in tab.page.inner_text("main")
