"""The submission workflow in a real browser (Debian's chromium driven by Playwright) against a real server.

A partner signs in, uploads a template with an error, sees the error on the page, fixes it and resubmits;
an analyst accepts; the place's count and Sankey change accordingly. Screenshots of the main pages are
saved under build/screenshots, and no page may log a console error.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from web_support import BrowserTab, build_workspace, served

from placespend.report.template import write_template

from conftest import chromium, need_chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    need_chromium()
    with served(build_workspace(tmp_path_factory.mktemp("browser"))) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


class Tab(BrowserTab):
    """A signed-in page (web_support.BrowserTab) that also reads the place's count and Sankey."""

    def total(self) -> Decimal:
        self.page.goto(self.base + "/api/places/E09000023/count?year=2008-09")
        return Decimal(str(self.page.evaluate("() => JSON.parse(document.body.innerText).total")))

    def sankey_labels(self) -> list[str]:
        self.page.goto(self.base + "/places/E09000023?year=2008-09")
        self.page.wait_for_selector("#chart-sankey .sankey")
        return self.page.evaluate("() => document.getElementById('chart-sankey').data[0].node.label")


def _return(folder: Path, amount: object) -> Path:
    path = folder / "fire-return.xlsx"
    write_template(path)
    book = load_workbook(path)
    sheet = book["Spend"]
    at = {c.value: c.column for c in sheet[1]}
    for name, value in {"period": "2008-09", "place": "E09000023", "spender": "lbl", "spender_type":
                        "local_authority", "flow": "spend", "amount": amount, "cofog": "03.2",
                        "capital_revenue": "capital", "notes": "new fire station"}.items():
        sheet.cell(2, at[name], value)
    book.save(path)
    return path


def test_submit_fix_accept_and_see_the_count_change(server, browser, tmp_path):
    analyst = Tab(browser, server)
    analyst.sign_in("analyst")
    before, labels_before = analyst.total(), analyst.sankey_labels()
    analyst.shot("place-overview")

    partner = Tab(browser, server)
    partner.sign_in("partner")
    partner.page.goto(server + "/submissions")
    partner.page.set_input_files("#file", str(_return(tmp_path, "twelve thousand")))
    partner.page.click("text=Upload and check")
    partner.page.wait_for_selector("#validation-report")
    report = partner.page.inner_text("#validation-report")
    assert "amount" in report and "not an amount in pounds" in report and "2" in report
    partner.shot("upload-with-error")

    # 12,000.50 is more than lbl's whole previous return (GBP 1,250.00): refused until the partner confirms it.
    partner.page.set_input_files("#file", str(_return(tmp_path, 12000.50)))
    partner.page.click("text=Upload and check")
    partner.page.wait_for_selector("#validation-report")
    assert "more than lbl's whole previous return" in partner.page.inner_text("#validation-report")
    partner.page.set_input_files("#file", str(_return(tmp_path, 12000.50)))
    partner.page.check("#confirm-large")
    partner.page.click("text=Upload and check")
    partner.page.wait_for_selector("#upload-result.good")
    assert "received" in partner.page.inner_text("#upload-result")
    assert analyst.total() == before, "a submission must not count before it is accepted"

    analyst.page.goto(server + "/submissions")
    analyst.shot("submissions-board")
    analyst.page.click("#submissions a >> nth=0")
    # It replaces both of lbl's lines and moves the place's total: the analyst sees the difference first.
    difference = analyst.page.inner_text("#replacement-difference")
    assert "£1,250.00" in difference and "£12,000.50" in difference
    analyst.shot("submission-replaces")
    analyst.page.check("#confirm-replace")
    analyst.page.click("#accept")
    analyst.page.wait_for_selector("#submission-status.status-accepted")
    analyst.shot("submission-accepted")

    # The new return supersedes the partner's earlier one: 1,000 + 250 transfer replaced by 12,000.50;
    # the PCT's 400 stays and the 250 was eliminated (pct reports spend), so the total moves by 11,000.50.
    assert analyst.total() == before - Decimal("1000.00") + Decimal("12000.50")
    labels_after = analyst.sankey_labels()
    assert any(label.startswith("03 ") for label in labels_after)
    assert labels_after != labels_before
    analyst.shot("place-after-accept")
    assert not analyst.errors and not partner.errors, analyst.errors + partner.errors


def test_viewer_pages_render_without_console_errors(server, browser):
    viewer = Tab(browser, server)
    viewer.sign_in("viewer")
    viewer.page.goto(server + "/places")
    viewer.shot("places")
    viewer.page.goto(server + "/places/E09000023?year=2008-09")
    viewer.page.wait_for_selector("#chart-cofog .main-svg")
    viewer.page.keyboard.press("Tab")
    assert viewer.page.evaluate("() => document.activeElement.tagName") == "A"
    viewer.shot("place-viewer")
    assert not viewer.errors, viewer.errors
