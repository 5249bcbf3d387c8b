"""A small hand-worked partnership: chains, a pooled-budget cycle, an unreported charity, a composite place.

Every expected figure is worked out in the comments from the lines, not read from the code.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from count_ways import count_ways
from placespend.app.workspace import open_workspace, read_on
from placespend.count.consolidate import counted_lines
from placespend.engine.ledger import ledger_of

from conftest import line, write_csv

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
    for way, out in count_ways(partnership, "tp-pilot", "2008-09", engine):
        # spend: 300 + 700 + 500 = 1,500; unreported: 100 -> 1,600. Eliminated: 1,000 + 200 + 50 = 1,250.
        assert (out["place"], out["period"]) == ("tp-pilot", "2008-09"), way
        assert out["total"] == 1600, way
        assert out["unreported_transfers"] == 100, way
        assert out["eliminated_transfers"] == 1250, way
        assert out["lines"] == 7, way
        assert out["by_spender_type"] == {"central_government": 300, "local_authority": 700, "nhs": 500,
                                          "third_sector": 100}, way
        assert out["by_cofog"] == {"07": 500, "09": 700, "10": 400}, way
        assert out["by_method"] == {"estimated": 500, "reported": 1100}, way
        # the council's 700 and 100 name dept as funder; the rest is the spenders' own income
        assert out["by_funder_type"] == {"central_government": 800, "own_income": 800}, way
        # No line says capital or basis (DESIGN.md §3: revenue and outturn by default); the PCT's 500 is its
        # estimate.
        assert out["by_capital_revenue"] == {"revenue": 1600}, way
        assert out["by_basis"] == {"outturn": 1600}, way
        assert out["by_apportionment"] == {"actual": 1100, "body_estimate": 500}, way
        assert out["outturn_detail"] == 0 and out["overlap_warnings"] == [], way
        # the charity, the one body that receives money in scope and reports nothing: 100 in one line
        assert [(r["recipient"], r["recipient_type"], r["amount"], r["lines"])
                for r in out["unreported_recipients"]] == [("charity", "third_sector", 100, 1)], way
        # no pass-through: every body that passes money on here also spends some (dept 300, council 700, PCT 500)
        assert out["pass_through"] == [], way


def test_counted_lines_are_the_lines_behind_the_total(partnership, engine):
    # The analyses read these: spend 300 + 700 + 500 and the 100 to the charity; no eliminated transfer.
    with read_on(open_workspace(partnership.db), engine) as con:
        counted = counted_lines(ledger_of(con), "tp-pilot", "2008-09")
        rows = counted.to_pyarrow().to_pylist()
    # the ledger's columns with how each line counts, and none of the columns the count joins on to decide it
    assert {"status", "counted_type", "spender", "counted_amount"} <= set(counted.columns)
    assert not {"reporter", "outturn_body"} & set(counted.columns)
    assert sorted((r["spender"], r["status"], r["counted_amount"]) for r in rows) == [
        ("council", "spend", 700), ("council", "unreported", 100), ("dept", "spend", 300), ("pct", "spend", 500)]


def test_transfer_reconciliation(partnership, engine):
    for way, out in count_ways(partnership, "tp-pilot", "2008-09", engine):
        rec = {(r["funder_id"], r["recipient_id"]): r for r in out["transfer_reconciliation"]}
        # dept passed 1,000 to the council; the council reports 700 + 200 + 100 = 1,000 from dept: no gap.
        assert (rec[("dept", "council")]["passed_on"], rec[("dept", "council")]["gap"]) == (1000, 0), way
        # the council passed 200 to the PCT, which reports nothing funded by the council: the gap is 200.
        assert (rec[("council", "pct")]["recipient_reports"], rec[("council", "pct")]["gap"]) == (0, 200), way
        assert rec[("council", "charity")]["status"] == "unreported", way


def test_explain_lists_source_rows(partnership, engine):
    explain = ("explain", "--place", "tp-pilot", "--year", "2008-09", "--engine", engine)
    rows = partnership.json(*explain, "--cofog", "10")
    assert sorted((r["file_name"], r["source_row"], r["counted_amount"]) for r in rows) == [
        ("council.csv", 4, 100), ("dept.csv", 3, 300)]
    unreported = partnership.json(*explain, "--status", "unreported")
    assert [r["recipient"] for r in unreported] == ["charity"]


def test_member_area_alone_is_a_place_too(partnership, engine):
    for way, out in count_ways(partnership, "E07000001", "2008-09", engine):
        # In E07000001 only: dept spend 300, PCT 500; dept -> council transfer: council reports no spend in
        # E07000001, so the 1,000 is unreported here; PCT -> council 50 likewise.
        assert out["total"] == 1850 and out["unreported_transfers"] == 1050, way


def _rows(explained: list[dict]) -> list[tuple[str, int, Decimal]]:
    return [(r["file_name"], r["source_row"], D(str(r["counted_amount"]))) for r in explained]


def test_explain_filters_mirror_the_breakdowns_and_list_in_file_and_row_order(partnership, engine):
    explain = ("explain", "--place", "tp-pilot", "--year", "2008-09", "--engine", engine)
    # The counted lines (row 1 of each file is its header): council.csv rows 2 (spend 700) and 4 (100 to the
    # charity), dept.csv row 3 (spend 300), pct.csv row 2 (half of 1,000): 1,600, the count's total.
    assert _rows(partnership.json(*explain)) == [
        ("council.csv", 2, D(700)), ("council.csv", 4, D(100)), ("dept.csv", 3, D(300)), ("pct.csv", 2, D(500))]
    # The transfers to reporters, asked for by their status: dept -> council, council -> PCT, PCT -> council.
    assert _rows(partnership.json(*explain, "--status", "eliminated")) == [
        ("council.csv", 3, D(200)), ("dept.csv", 2, D(1000)), ("pct.csv", 3, D(50))]
    # A COFOG group is that group only (10.7, the charity; not the department's 10.9).
    assert _rows(partnership.json(*explain, "--cofog", "10.7")) == [("council.csv", 4, D(100))]
    # A body type is the type a line counts under: the PCT's own spend, not the council's eliminated pool to it.
    assert _rows(partnership.json(*explain, "--body-type", "nhs")) == [("pct.csv", 2, D(500))]


def test_explain_orders_lines_of_the_same_file_sheet_and_row(cli, tmp_path, engine):
    """Two returns that share a file name (sent from two folders) both have a row 2: the order goes on to the
    other columns, status first, so that it is total and a page of the list never repeats or skips a line."""
    write_csv(tmp_path / "a" / "returns.csv", [line(spender="lbl", flow="transfer", amount="100.00",
                                                     recipient="silent", recipient_type="third_sector")])
    write_csv(tmp_path / "b" / "returns.csv", [line(spender="pct", spender_type="nhs", amount="40.00")])
    cli("ingest", tmp_path / "a" / "returns.csv")
    cli("ingest", tmp_path / "b" / "returns.csv")
    rows = cli.json("explain", "--place", "E09000023", "--year", "2008-09", "--engine", engine)
    # the PCT's spend (status "spend") sorts before the unreported transfer to the silent body, though sent later
    assert [(r["file_name"], r["source_row"], r["status"], r["spender"]) for r in rows] == [
        ("returns.csv", 2, "spend", "pct"), ("returns.csv", 2, "unreported", "lbl")]


def test_unreported_recipients_are_listed_largest_first(cli, make_csv, engine):
    """Each body that receives money in scope and reports nothing, with what it received: largest first, and
    by id where two received the same."""
    to = {"spender": "lbl", "flow": "transfer"}
    cli("ingest", make_csv("lbl.csv", [
        line(**to, amount="500.00", recipient="zeta", recipient_type="private", recipient_name="Zeta Ltd"),
        line(**to, amount="300.00", recipient="beta", recipient_type="third_sector", recipient_name="Beta Trust"),
        line(**to, amount="200.00", recipient="alpha", recipient_type="third_sector", recipient_name="Alpha Care"),
        line(**to, amount="100.00", recipient="alpha", recipient_type="third_sector", recipient_name="Alpha Care"),
        line(spender="lbl", amount="50.00")]))
    for way, out in count_ways(cli, "E09000023", "2008-09", engine):
        # 500 + 300 + (200 + 100) unreported; with the council's own 50 spent, 1,150 in all.
        assert (out["total"], out["unreported_transfers"]) == (1150, 1100), way
        assert [(r["recipient"], r["recipient_type"], r["name"], r["amount"], r["lines"])
                for r in out["unreported_recipients"]] == [
            ("zeta", "private", "Zeta Ltd", 500, 1), ("alpha", "third_sector", "Alpha Care", 300, 2),
            ("beta", "third_sector", "Beta Trust", 300, 1)], way
