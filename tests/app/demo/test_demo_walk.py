"""A new user's walk through the demo: every place `placespend places` lists (and Lewisham's own area code, which
the list folds into tp-lewisham) through every command of the method as CLI JSON, then its page in a real
browser, whose figures must be the CLI's: the count, the centre-out estimate, the analyses.

Places with lines show their count beside the estimate; the pilots without returns show their estimate and
seed 000's published figures, never an empty page.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from placespend.app.demo.build import DEMO_PASSWORD
from placespend.app.workspace import open_workspace
from placespend.report.money import pounds, short_pounds
from placespend.web.app import create_app

from conftest import Cli, chromium, demo_copy, need_chromium, served

pytestmark = pytest.mark.browser
Y = "2008-09"
ANALYSES = ("composition", "concentration", "local-control", "per-head", "routes")


def d(value: Any) -> Decimal:
    return Decimal(str(value))


@pytest.fixture(scope="module")
def walked(tmp_path_factory) -> tuple[Cli, list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The demo, its places list, and every place's CLI JSON (read before the server holds the workspace)."""
    need_chromium()
    cli = demo_copy(tmp_path_factory.mktemp("walk") / "demo.duckdb")
    listed = cli.json("places")
    figures: dict[str, dict[str, Any]] = {}
    for place in [row["place"] for row in listed] + ["E09000023"]:
        out = {"count": cli.json("count", "--place", place, "--year", Y),
               "estimate": cli.json("estimate", "--place", place, "--year", Y),
               "compare": cli.json("compare", "--place", place, "--year", Y)["places"][0]}
        for name in ANALYSES:
            out[name] = cli.json("analyse", name, "--place", place, "--year", Y)["places"][0]
        figures[place] = out
    return cli, listed, figures


def test_every_place_listed_has_a_name_a_region_and_an_estimate(walked):
    _, listed, figures = walked
    assert len(listed) == 14  # the 13 pilots, and Greenwich's one out-of-scope line (E09000011)
    for row in listed:
        assert row["name"] != row["place"] and row["region"], row
        out = figures[row["place"]]
        assert out["estimate"]["total"] > 0 and out["estimate"]["region"] == _region(row["region"]), row
        assert out["compare"]["problem"] is None and d(out["compare"]["centre_out"]) == d(out["estimate"]["total"])
        assert out["count"]["period"] == Y
        if row["periods"]:  # counted: B, the difference and the bridge
            assert row["periods"] == [Y] and out["count"]["lines"] > 0 and out["count"]["notes"] == []
            assert d(out["compare"]["locally_led"]) == d(out["count"]["total"]) and out["compare"]["bridge"]
        else:  # not yet: a true zero that says so
            assert out["count"]["total"] == 0
            assert out["count"]["notes"] == [f"No lines for {row['place']} in {Y}; years with lines: none yet."]


def _region(listed: str) -> str:
    return "East" if listed == "East of England" else listed


def test_lewishams_area_code_counts_and_estimates_as_its_pilot(walked):
    _, _, figures = walked
    area, pilot = figures["E09000023"], figures["tp-lewisham"]
    assert area["estimate"]["by_cofog"] == pilot["estimate"]["by_cofog"] and area["estimate"]["region"] == "London"
    assert area["count"]["total"] == pilot["count"]["total"] == 2_290_000_000
    for name in ("concentration", "local-control", "routes"):
        assert {k: v for k, v in area[name].items() if k != "place"} == \
               {k: v for k, v in pilot[name].items() if k != "place"}, name


def test_each_place_page_shows_the_clis_figures(walked):
    cli, listed, figures = walked
    app = create_app(open_workspace(cli.db))
    with served(app) as base, chromium() as browser:
        page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(base + "/login")
        page.fill("#username", "analyst")
        page.fill("#password", DEMO_PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_url("**/places")
        for row in listed:
            assert page.locator(f'a[href="/places/{row["place"]}"]').inner_text() == row["name"]
        for place in figures:
            out = figures[place]
            response = page.goto(f"{base}/places/{place}")
            assert response is not None and response.status == 200, place
            name = next((r["name"] for r in listed if r["place"] == place), "Lewisham")
            assert page.title().startswith(f"{name} ({place})"), page.title()
            assert page.inner_text("#estimate-gbp") == pounds(d(out["estimate"]["total"])), place
            if out["count"]["lines"]:
                _counted_page(page, out)
            else:
                _page_before_returns(page, out)
        assert errors == []


def _counted_page(page: Any, out: dict[str, Any]) -> None:
    """Count, analyses and estimate as the CLI gives them; the charts drawn."""
    assert page.inner_text("#total-gbp") == pounds(d(out["count"]["total"]))
    concentration, control, routes = out["concentration"], out["local-control"], out["routes"]
    text = " ".join(page.inner_text("main").split())
    assert f"{concentration['bodies']} bodies; " in text
    assert f"Herfindahl index {d(concentration['hhi']):.2f}" in text
    local = page.inner_text("#local-control")
    for band in control["bands"]:
        assert pounds(d(band["amount"])) in local, band
    assert f"Funding routes: {short_pounds(d(routes['admin_cost']))} " in text
    page.wait_for_selector("#chart-compare .main-svg")
    page.wait_for_selector("#chart-sankey .sankey")


def _page_before_returns(page: Any, out: dict[str, Any]) -> None:
    """No count yet: the estimate by COFOG division and the figures published for the pilot."""
    assert "years with lines: none yet." in page.inner_text("#no-lines")
    table = page.inner_text("#estimate-by-cofog")
    for division, amount in out["estimate"]["by_cofog"].items():
        if amount:
            assert pounds(d(amount)) in table, division
    published = out["compare"]["published"]
    if published:
        text = " ".join(page.inner_text("#published").split())
        for measure in ("centre_out", "locally_led"):
            assert f"{measure.replace('_', ' ')} {float(published[measure]) / 1e9:g} GBP bn" in text

