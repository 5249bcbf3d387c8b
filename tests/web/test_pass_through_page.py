"""The place page and the API show what a pass-through body received against what it passed on (DESIGN.md §4),
and count the chain through it once."""

from __future__ import annotations

import csv
import io
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from web_support import PASSWORD, sign_in

from placespend.app import accounts
from placespend.app.workspace import open_workspace
from placespend.web.app import create_app

from conftest import Cli

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "count"))
from chain_ledger import CHAIN, EXPECTED, SHORT, WHOLE, YEAR, build_chain_ledger


@pytest.fixture
def app(tmp_path):
    cli = Cli(tmp_path / "chain.duckdb")
    build_chain_ledger(cli, tmp_path)
    accounts.add_user(open_workspace(cli.db), "viewer", PASSWORD, "viewer", None)
    application = create_app(open_workspace(cli.db))
    yield application
    application.state.workspace.close()


def test_the_place_page_shows_the_pass_through_and_counts_the_chain_once(app):
    viewer = sign_in(app, "viewer")
    page = viewer.get(f"/places/{SHORT}?year={YEAR}")
    assert page.status_code == 200
    table = re.search(r'<table id="pass-through">.*?</table>', page.text, re.S).group(0)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", table)
    assert cells == ["Regional Agency", "£500,000.00", "£420,000.00", "£80,000.00"]
    assert re.search(r'<span id="total-gbp">([^<]*)</span>', page.text).group(1) == "£420,000.00"


@pytest.mark.parametrize("place", [WHOLE, SHORT, CHAIN])
def test_the_api_serves_the_pass_through_beside_the_reconciliation(app, place):
    viewer = sign_in(app, "viewer")
    received, passed_on, difference = EXPECTED[place]["pass_through"]
    count = viewer.get(f"/api/places/{place}/count?year={YEAR}").json()
    assert Decimal(str(count["total"])) == EXPECTED[place]["total"]
    assert [(r["body"], Decimal(str(r["received"])), Decimal(str(r["passed_on"])), Decimal(str(r["difference"])))
            for r in count["pass_through"]] == [("agency", received, passed_on, difference)]
    assert any(r["recipient_id"] == "agency" for r in count["transfer_reconciliation"])
    rows = list(csv.DictReader(io.StringIO(
        viewer.get(f"/api/places/{place}/tables/pass-through?year={YEAR}&format=csv").text)))
    assert [(r["body"], Decimal(r["received"]), Decimal(r["passed_on"]), Decimal(r["difference"])) for r in rows] == \
        [("agency", received, passed_on, difference)]
