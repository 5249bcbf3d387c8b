"""Deep dives in a real browser: an analyst uploads a savings register, sees its Monte Carlo distribution with
P10 / P50 / P90 marked, edits a row in the page and sees the range change; every deep-dive page is drawn from
this server alone (outside requests blocked and recorded) and axe-core finds nothing serious or critical on it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from web_support import BrowserTab, build_themed_workspace, offline_tab, serious_violations, served

from placespend.deepdive.examples import example_path

from conftest import chromium, need_chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    need_chromium()
    with served(build_themed_workspace(tmp_path_factory.mktemp("deepdives-browser"))) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def _money(text: str) -> Decimal:
    return Decimal(text.replace("£", "").replace(",", ""))


def _drawn(tab: BrowserTab, chart: str) -> None:
    tab.page.wait_for_selector(f"#chart-{chart} .main-svg", timeout=15_000)


def _marks(tab: BrowserTab) -> list[float]:
    return tab.page.evaluate("() => document.getElementById('chart-distribution').layout.shapes.map(s => s.x0)")


def test_upload_a_register_see_the_distribution_edit_a_row_see_the_range_change(server, browser):
    with offline_tab(browser, server, "analyst") as tab:
        page = tab.page
        page.goto(server + "/deepdives")
        assert serious_violations(tab) == []
        page.select_option("#upload-kind", "savings")
        page.fill("#upload-name", "Partnership savings")
        page.set_input_files("#upload-file", str(example_path("savings_example.csv")))
        page.click("#upload-form button[type=submit]")
        page.wait_for_url("**/deepdives/inputs/*")
        _drawn(tab, "distribution")
        _drawn(tab, "by-year")
        p10, p50, p90 = (_money(page.inner_text(f"td[data-key={k}]")) for k in ("p10", "p50", "p90"))
        central = _money(page.inner_text("td[data-key=central]"))
        assert p10 < p50 < p90 and central == Decimal("6610000.00")
        assert _marks(tab)[:4] == [float(p10), float(p50), float(p90), float(central)]
        assert serious_violations(tab) == []
        tab.shot("deepdive-savings")

        page.click("#open-editor")
        page.wait_for_selector("#rows-form")
        assert serious_violations(tab) == []
        high = page.eval_on_selector_all("table.grid thead th", "ths => ths.map(t => t.textContent)").index("high") - 1
        cell = page.locator(f"input[name='c-5-{high}']")  # S4, Kent's benefit form: 0 to GBP 2.2m a year
        assert cell.input_value() == "2200000"
        cell.fill("1200000")
        page.click("#save-rows")
        page.wait_for_function(f"() => document.querySelector('td[data-key=p90]') && "
                               f"document.querySelector('td[data-key=p90]').textContent !== '£{p90:,.2f}'")
        _drawn(tab, "distribution")
        new_p90 = _money(page.inner_text("td[data-key=p90]"))
        assert new_p90 < p90 and _money(page.inner_text("td[data-key=all_at_best]")) < Decimal("12790000.00")
        assert _marks(tab)[2] == float(new_p90)
        assert "row 5 high: 2200000 → 1200000" in page.inner_text("#versions")


def test_every_deep_dive_page_offline_and_accessible(server, browser):
    with offline_tab(browser, server, "analyst") as tab:
        page = tab.page
        page.goto(server + "/deepdives")
        page.click("#load-examples")
        page.wait_for_url("**/deepdives")
        links = page.eval_on_selector_all("table[id^=inputs-] a", "as => as.map(a => a.getAttribute('href'))")
        assert len(links) >= 9
        for link in links:
            page.goto(server + link)
            if page.locator(".chart").count():
                page.wait_for_selector(".chart .main-svg", timeout=15_000)
            assert serious_violations(tab) == [], link
        page.goto(server + "/deepdives")
        page.select_option("#themes-rules", label="theme_rules_example")
        page.click("#themes-heading ~ form button[type=submit]")
        page.wait_for_url("**/deepdives/themes?*")
        _drawn(tab, "cofog")
        _drawn(tab, "inventory")
        assert "drugs and alcohol" in page.inner_text("#themes")
        assert serious_violations(tab) == []
        tab.shot("deepdive-themes")
