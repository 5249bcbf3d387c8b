"""A small hand-worked partnership: chains, a pooled-budget cycle, an unreported charity, a composite place.

Every expected figure is worked out in the comments from the lines, not read from the code.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import line

D = Decimal


@pytest.fixture
def partnership(cli, make_csv):
    cli("import", make_csv("places.csv", [
        {"place": "tp-pilot", "name": "Pilot", "area": "E07000001", "region": "South East"},
        {"place": "tp-pilot", "name": "Pilot", "area": "E07000002", "region": "South East"},
    ]))
    a1, a2 = "E07000001", "E07000002"
    files = {
        # Department gives the council 1,000 (eliminated: council reports spend) and spends 300 itself.
        "dept.csv": [line(place=a1, spender="dept", spender_type="central_government", flow="transfer",
                          amount="1000.00", recipient="council", recipient_type="local_authority", cofog="09.1"),
                     line(place=a1, spender="dept", spender_type="central_government", amount="300.00",
                          cofog="10.9")],
        # Council spends 700 of the grant (funder dept), pools 200 with the PCT (eliminated) and grants 100 to
        # a charity that sends no return (unreported, counted under third_sector).
        "council.csv": [line(place=a2, spender="council", spender_type="local_authority", amount="700.00",
                             cofog="09.1", funder="dept", funder_type="central_government"),
                        line(place=a2, spender="council", spender_type="local_authority", flow="transfer",
                             amount="200.00", recipient="pct", recipient_type="nhs", cofog="10.1",
                             funder="dept", funder_type="central_government"),
                        line(place=a2, spender="council", spender_type="local_authority", flow="transfer",
                             amount="100.00", recipient="charity", recipient_type="third_sector", cofog="10.7",
                             funder="dept", funder_type="central_government")],
        # PCT spends 500 (half on a Lewisham-wide estimate) and pools 50 back to the council: a cycle.
        "pct.csv": [line(place=a1, spender="pct", spender_type="nhs", amount="1000.00", cofog="07.3",
                         place_share="0.5", apportionment="body_estimate"),
                    line(place=a1, spender="pct", spender_type="nhs", flow="transfer", amount="50.00",
                         recipient="council", recipient_type="local_authority", cofog="10.1")],
        # Outside the place and the period: never in scope.
        "other.csv": [line(place="E07000099", spender="other", amount="999.00")],
        "late.csv": [line(place=a1, period="2009-10", spender="late", amount="888.00")],
    }
    cli("ingest", *[make_csv(name, rows) for name, rows in files.items()])
    return cli


def test_count_totals(partnership, engine):
    out = partnership.json("count", "--place", "tp-pilot", "--year", "2008-09", "--engine", engine)
    # spend: 300 + 700 + 500 = 1,500; unreported: 100 -> 1,600. Eliminated: 1,000 + 200 + 50 = 1,250.
    assert out["total"] == 1600
    assert out["unreported_transfers"] == 100
    assert out["eliminated_transfers"] == 1250
    assert out["lines"] == 7
    assert out["by_spender_type"] == {"central_government": 300, "local_authority": 700, "nhs": 500,
                                      "third_sector": 100}
    assert out["by_cofog"] == {"07": 500, "09": 700, "10": 400}
    assert out["by_method"] == {"estimated": 500, "reported": 1100}
    assert out["by_funder_type"] == {"central_government": 800, "own_income": 800}


def test_transfer_reconciliation(partnership, engine):
    rec = {(r["funder_id"], r["recipient_id"]): r for r in
           partnership.json("count", "--place", "tp-pilot", "--year", "2008-09",
                            "--engine", engine)["transfer_reconciliation"]}
    # dept passed 1,000 to the council; the council reports 700 + 200 + 100 = 1,000 from dept: no gap.
    assert (rec[("dept", "council")]["passed_on"], rec[("dept", "council")]["gap"]) == (1000, 0)
    # the council passed 200 to the PCT, which reports nothing funded by the council: the gap is 200.
    assert (rec[("council", "pct")]["recipient_reports"], rec[("council", "pct")]["gap"]) == (0, 200)
    assert rec[("council", "charity")]["status"] == "unreported"


def test_explain_lists_source_rows(partnership, engine):
    explain = ("explain", "--place", "tp-pilot", "--year", "2008-09", "--engine", engine)
    rows = partnership.json(*explain, "--cofog", "10")
    assert sorted((r["file_name"], r["source_row"], r["counted_amount"]) for r in rows) == [
        ("council.csv", 4, 100), ("dept.csv", 3, 300)]
    unreported = partnership.json(*explain, "--status", "unreported")
    assert [r["recipient"] for r in unreported] == ["charity"]


def test_member_area_alone_is_a_place_too(partnership, engine):
    out = partnership.json("count", "--place", "E07000001", "--year", "2008-09", "--engine", engine)
    # In E07000001 only: dept spend 300, PCT 500; dept -> council transfer: council reports no spend in
    # E07000001, so the 1,000 is unreported here; PCT -> council 50 likewise.
    assert out["total"] == 1850 and out["unreported_transfers"] == 1050
