"""The analyses across places (`/analyses`) on the demo, in a real browser: each table shows what `placespend
analyse NAME --format json` gives for the same places and year, every chart is drawn from this server alone, the
places can be chosen, and axe-core finds nothing serious.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from web_support import BrowserTab, build_workspace, sign_in, signed_in_tab

from placespend.app.demo.build import DEMO_PASSWORD
from placespend.app.workspace import open_workspace
from placespend.report.money import pounds
from placespend.web.app import create_app

from conftest import Cli, demo_copy, need_chromium

pytestmark = pytest.mark.browser
Y = "2008-09"
PLACES = ("tp-lewisham", "E09000011")  # the demo's places with lines in 2008-09
NAMES = ("composition", "concentration", "local-control", "per-head", "routes")


def pct(value: Any) -> str:
    return f"{Decimal(str(value)) * 100:.1f}%"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Cli, dict[str, Any]]:
    need_chromium()
    cli = demo_copy(tmp_path_factory.mktemp("analyses") / "demo.duckdb")
    args = [arg for place in PLACES for arg in ("--place", place)]
    return cli, {name: cli.json("analyse", name, *args, "--year", Y) for name in NAMES}


@pytest.fixture(scope="module")
def tab(demo):
    cli, _ = demo
    with signed_in_tab(cli.db, "councillor", DEMO_PASSWORD) as tab:
        tab.page.click("nav >> text=Analyses")
        tab.page.wait_for_selector("#main[data-ready=yes]")
        yield tab


def _rows(tab: BrowserTab, table: str) -> dict[str, list[str]]:
    found = tab.page.eval_on_selector_all(
        f"#{table} tbody tr", "trs => trs.map(tr => [tr.dataset.place, [...tr.cells].map(td => td.innerText.trim())])")
    return dict(found)


def test_every_table_is_the_clis_json(demo, tab):
    _, cli = demo
    per_head = _rows(tab, "per-head-table")
    assert set(per_head) == set(PLACES)
    for r in cli["per-head"]["places"]:
        assert per_head[r["place"]][3] == pounds(Decimal(str(r["per_head"]))), r["place"]
        assert per_head[r["place"]][1] == pounds(Decimal(str(r["spend"])))
    composition = _rows(tab, "composition-table")
    for p in cli["composition"]["places"]:
        assert composition[p["place"]][1:] == [pounds(Decimal(str(p["total"]))), pct(p["table2"]["social_protection"]),
                                               pct(p["table2"]["health"]), pct(p["table2"]["education"]),
                                               pct(p["table2"]["total"])]
    concentration = _rows(tab, "concentration-table")
    for p in cli["concentration"]["places"]:
        assert concentration[p["place"]][1:4] == [str(p["bodies"]), pct(p["top3_share"]), pct(p["top10_share"])]
        assert concentration[p["place"]][5] == p["hhi_band"]
    control = _rows(tab, "local-control-table")
    for p in cli["local-control"]["places"]:
        assert control[p["place"]][1:-1] == [pounds(Decimal(str(b["amount"]))) for b in p["bands"]]
        # the bands are the whole count: an independent check of the column sums
        assert sum(Decimal(str(b["amount"])) for b in p["bands"]) == Decimal(str(p["total"]))
    routes = _rows(tab, "routes-table")
    for p in cli["routes"]["places"]:
        assert routes[p["place"]][2] == pounds(Decimal(str(p["admin_cost"])))


def test_the_charts_carry_the_same_figures(demo, tab):
    _, cli = demo
    curve = tab.page.evaluate("() => document.getElementById('chart-concentration').data.map(t => t.y.at(-1))")
    assert [round(y, 6) for y in curve] == [round(p["ranking"][-1]["cumulative_share"] * 100, 6)
                                            for p in cli["concentration"]["places"]]
    stacks = tab.page.evaluate("() => document.getElementById('chart-local-control').data.map(t => t.x)")
    for i in range(len(cli["local-control"]["places"])):
        assert sum(stack[i] for stack in stacks) == pytest.approx(100, abs=0.01)
    bars = tab.page.evaluate("() => document.getElementById('chart-per-head').data[0].y")
    assert bars == [r["per_head"] for r in cli["per-head"]["places"]]


def test_choosing_one_place_shows_it_alone(tab):
    tab.page.check("input[name=place][value=tp-lewisham]")
    tab.page.click("#analyses-form button[type=submit]")
    tab.page.wait_for_selector("#main[data-ready=yes]")
    assert list(_rows(tab, "per-head-table")) == ["tp-lewisham"]
    tab.shot("analyses")


def test_the_page_is_accessible(tab):
    found = Axe().run(tab.page).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found
            if v["impact"] in ("serious", "critical")] == []


def test_an_analysis_the_workspace_cannot_make_says_why_and_the_others_show(tmp_path):
    """Without population statistics there is no per head; the page says what to import, not a server error."""
    app = create_app(open_workspace(build_workspace(tmp_path)))
    try:
        page = sign_in(app, "viewer").get("/analyses?year=2008-09")
    finally:
        app.state.workspace.close()
    assert page.status_code == 200
    assert 'id="per-head-problem">No &#39;population&#39; statistics in the workspace' in page.text
    assert 'id="composition-table"' in page.text and 'id="per-head-table"' not in page.text


def test_without_a_choice_a_national_ledger_shows_a_handful_of_places_and_says_so(demo, monkeypatch):
    """Every place of a national ledger (400 and more) by default kept the page computing for minutes; the default
    is now the first few places, said so, and any places chosen are shown whatever their number. The cap is
    lowered to 1 here so that the demo's two places exceed it."""
    from fastapi.testclient import TestClient

    from placespend.app import place_view

    cli, by_name = demo
    monkeypatch.setattr(place_view, "DEFAULT_ANALYSED_PLACES", 1)
    app = create_app(open_workspace(cli.db))
    try:
        client = TestClient(app)
        client.post("/login", data={"username": "councillor", "password": DEMO_PASSWORD})
        default = client.get(f"/api/analyses?year={Y}").json()
        assert default["places"] == [PLACES[0]]
        assert default["note"] == f"The first 1 of the 2 places with lines in {Y}; choose the places to compare above."
        assert [p["place"] for p in default["composition"]["places"]] == [PLACES[0]]
        both = client.get(f"/api/analyses?year={Y}&place={PLACES[0]}&place={PLACES[1]}").json()
        assert both["note"] is None and both["composition"] == by_name["composition"]
        page = client.get(f"/analyses?year={Y}").text
        assert 'id="selection-note"' in page and "The first 1 of the 2 places" in page
    finally:
        app.state.workspace.close()
