"""The compare page (DESIGN.md §8 `/compare`, seed 000 Table 1) on the demo, in a real browser: every place's A,
B and 1 - B/A as `placespend compare --format json` gives them, the chart with one point per place counted, the
table sorted by a click, the bridge per place, and the CSV download equal to the CLI's figures. Nothing is
requested from outside the server and axe-core finds nothing serious.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from web_support import BrowserTab, signed_in_tab

from placespend.app.demo.build import DEMO_PASSWORD
from placespend.report.money import pounds

from conftest import Cli, demo_copy, need_chromium

pytestmark = pytest.mark.browser
Y = "2008-09"


def d(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def pct(fraction: Decimal) -> str:
    return f"{fraction * 100:.1f}%"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Cli, dict[str, Any]]:
    """The demo and the CLI's comparison of every place (read before the server holds the workspace)."""
    need_chromium()
    cli = demo_copy(tmp_path_factory.mktemp("compare") / "demo.duckdb")
    return cli, cli.json("compare", "--year", Y)


@pytest.fixture(scope="module")
def tab(demo):
    cli, _ = demo
    with signed_in_tab(cli.db, "analyst", DEMO_PASSWORD) as tab:
        tab.page.click("nav >> text=Compare")
        tab.page.wait_for_selector("#chart-compare[data-ready=yes]")
        yield tab


def _rows(tab: BrowserTab) -> list[dict[str, str]]:
    return tab.page.eval_on_selector_all(
        "#compare-table tbody tr",
        "trs => trs.map(tr => ({place: tr.dataset.place, cells: [...tr.cells].map(td => td.innerText.trim())}))")


def test_every_place_shows_the_clis_a_b_and_difference(demo, tab):
    _, expected = demo
    shown = {row["place"]: row["cells"] for row in _rows(tab)}
    assert set(shown) == {p["place"] for p in expected["places"]} and len(shown) == 13  # the pilots
    counted = 0
    for p in expected["places"]:
        cells = shown[p["place"]]
        a, b = d(p["centre_out"]), d(p["locally_led"])
        assert a and cells[1] == pounds(a), p["place"]
        if b is not None:
            counted += 1
            assert cells[3] == pounds(b) and cells[5] == pct(1 - b / a) == pct(d(p["difference"])), p["place"]
        else:
            assert cells[3] == "not counted" and cells[5] == "–"
        if p["published"]:
            assert cells[2] == pounds(d(p["published"]["centre_out"]))
    assert counted >= 1
    points = tab.page.evaluate("() => document.getElementById('chart-compare').data[1].x.length")
    assert points == counted
    aggregate = d(expected["aggregate_difference"])
    assert pct(aggregate) in tab.page.inner_text("#aggregate") and pct(aggregate) == "8.9%"  # Lewisham alone


def test_a_click_sorts_largest_first_and_again_reverses(demo, tab):
    _, expected = demo
    by_a = sorted(expected["places"], key=lambda p: -d(p["centre_out"]))
    tab.page.click("button.sort[data-key=a]")
    assert [row["place"] for row in _rows(tab)] == [p["place"] for p in by_a]
    assert tab.page.get_attribute("#compare-table th:nth-child(2)", "aria-sort") == "descending"
    tab.page.click("button.sort[data-key=a]")
    assert [row["place"] for row in _rows(tab)] == [p["place"] for p in reversed(by_a)]
    assert tab.page.get_attribute("#compare-table th:nth-child(2)", "aria-sort") == "ascending"
    tab.page.click("button.sort[data-key=b]")  # the places not counted go last, whichever the order
    assert _rows(tab)[0]["place"] == "tp-lewisham"


def test_each_counted_place_has_its_bridge(demo, tab):
    _, expected = demo
    for p in expected["places"]:
        bridge = tab.page.locator(f'details.bridge[data-place="{p["place"]}"]')
        if not p["bridge"]:
            assert bridge.count() == 0
            continue
        bridge.locator("summary").click()
        text = bridge.inner_text()
        for item in p["bridge"]:
            assert str(item["reason"]) in text
            if item["amount"] is not None:
                amount = d(item["amount"])
                assert (f"-{pounds(-amount)}" if amount < 0 else pounds(amount)) in text, item


def test_the_csv_download_is_the_clis_table(demo, tab):
    _, expected = demo
    link = tab.page.get_attribute(".downloads a:text('CSV')", "href")
    cookies = {c["name"]: c["value"] for c in tab.context.cookies()}
    response = httpx.get(tab.base + link, cookies=cookies)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = {r["place"]: r for r in csv.DictReader(io.StringIO(response.text))}
    for p in expected["places"]:
        row = rows[p["place"]]
        assert d(row["centre_out_a"]) == d(p["centre_out"]) and d(row["locally_led_b"]) == d(p["locally_led"])
        if p["difference"] is None:
            assert row["difference_1_minus_b_over_a"] == ""
        else:  # the CLI's JSON writes ratios as floats; the download keeps the exact Decimal
            assert abs(d(row["difference_1_minus_b_over_a"]) - d(p["difference"])) < Decimal("1e-12")
        assert d(row["published_a"]) == d(p["published"].get("centre_out"))


def test_the_page_is_accessible(tab):
    found = Axe().run(tab.page).response["violations"]
    serious = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found
               if v["impact"] in ("serious", "critical")]
    assert serious == []
    tab.shot("compare")
