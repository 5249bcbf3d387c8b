"""Plausibility: amounts beyond any public body's budget, and lines larger than the body's whole previous return.

Both validation paths must say the same (the columnar path is compared with the row path, the reference).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from openpyxl import Workbook
from test_columnar_ingest import assert_same, problems, validate_both

from placespend.app import ingest_files
from placespend.app.supersession import Replacement, SliceTotals
from placespend.app.workspace import open_workspace
from placespend.engine.workspace import Workspace
from placespend.ingest.plausibility import AMOUNT_CEILING

from conftest import line, write_csv


def workspace_with_lbl(tmp_path) -> Workspace:
    """lbl's accepted return: three lines, GBP 600.00 in Lewisham 2008-09."""
    ws = open_workspace(tmp_path / "ws" / "ws.duckdb")
    earlier = write_csv(tmp_path / "earlier.csv", [line(amount="100.00", capital_revenue="capital"),
                                                   line(amount="200.00"), line(amount="300.00", line_id="x")])
    [result] = ingest_files.ingest_returns(ws, [earlier])
    assert result.outcome == "loaded"
    return ws


def test_a_line_larger_than_the_whole_previous_return_is_an_error_on_both_paths(tmp_path):
    ws = workspace_with_lbl(tmp_path)
    path = write_csv(tmp_path / "new.csv", [
        line(amount="100.00", capital_revenue="capital"),
        line(amount="750.01"),                                      # 600 x 1.25 = 750 exceeded: row 3
        line(amount="1000.00", place_share="0.5", apportionment="body_estimate"),   # counts 500: fine
        line(amount="1600.00", place_share="0.5", apportionment="body_estimate"),   # counts 800: row 5
        line(amount="750.00", line_id="at the margin"),                             # not more than 25% larger
        line(spender="pct", spender_type="nhs", cofog="07", amount="5000.00"),       # pct has no previous return
    ], columns=["period", "place", "spender", "spender_type", "flow", "cofog", "amount", "place_share",
                "apportionment", "capital_revenue", "line_id"])
    row, col = validate_both(path, ws)
    assert_same(row, col)
    large = [p for p in problems(col) if p["slug"] == "amount-exceeds-previous-return"]
    assert [(p["severity"], p["row"], p["column"], p["value"]) for p in large] == \
        [("error", 3, "amount (G)", "750.01"), ("error", 5, "amount (G)", "800.00")]
    assert "more than lbl's whole previous return there (GBP 600.00 in 3 lines, submission 1) by more than 25%" \
        in large[0]["message"]
    assert col.outcome == "rejected"

    row, col = validate_both(path, ws, confirm_large=True)
    assert_same(row, col)
    assert col.outcome == "loaded"
    assert [p["severity"] for p in problems(col) if p["slug"] == "amount-exceeds-previous-return"] == ["warning"] * 2
    col.discard()


def test_the_previous_return_is_the_named_submitters(tmp_path):
    """With --submitter the comparison is with that submitter's previous return, not the spender's."""
    ws = workspace_with_lbl(tmp_path)
    path = write_csv(tmp_path / "ledger.csv", [line(amount="7000.00")])
    row, col = validate_both(path, ws, submitter="partnership")
    assert_same(row, col)
    assert col.outcome == "loaded" and not [p for p in problems(col) if p["severity"] == "error"]
    col.discard()


def test_a_workbook_reports_the_large_line_at_its_cell(tmp_path):
    ws = workspace_with_lbl(tmp_path)
    book = Workbook()
    sheet = book.active
    sheet.title = "Spend"
    sheet.append(["notes", "period", "place", "spender", "spender_type", "flow", "amount", "cofog"])
    sheet.append(["typo?", "2008-09", "E09000023", "lbl", "local_authority", "spend", 6000, "10.2"])
    book.save(tmp_path / "r.xlsx")
    result = ingest_files.validate_return(ws, tmp_path / "r.xlsx")
    [error] = result.report.errors
    assert (error.slug, error.sheet, error.row, error.column) == ("amount-exceeds-previous-return", "Spend", 2,
                                                                  "amount (G)")


def test_the_ceiling_itself_loads_and_a_penny_more_does_not(tmp_path):
    ceiling = write_csv(tmp_path / "a.csv", [line(amount="500000000000.00")])
    row, col = validate_both(ceiling)
    assert_same(row, col)
    assert col.outcome == "loaded" and col.total == AMOUNT_CEILING
    col.discard()
    over = write_csv(tmp_path / "b.csv", [line(amount="500000000000.01"), line(amount="123456789012.5")])
    row, col = validate_both(over)
    assert_same(row, col)
    assert [(p["slug"], p["row"], p["column"]) for p in problems(col) if p["severity"] == "error"] == \
        [("amount-implausible", 2, "amount (F)")]


def _replacement(previous_lines: int, new_lines: int, previous: str, new: str, place: str) -> Replacement:
    return Replacement("lbl", "E09000023", "2008-09", SliceTotals(previous_lines, Decimal(previous), 3, 1),
                       SliceTotals(new_lines, Decimal(new), 3), Decimal(place))


def test_the_thresholds_are_exclusive():
    half = _replacement(10, 5, "100.00", "100.00", "1000.00")
    assert (half.dropped_lines, half.drops_most, half.guarded) == (5, False, False)
    assert _replacement(10, 4, "100.00", "100.00", "1000.00").drops_most
    quarter = _replacement(10, 10, "100.00", "350.00", "1000.00")      # 1000 -> 1250: exactly +25%
    assert (quarter.place_after, quarter.moved_share, quarter.guarded) == (Decimal("1250.00"), Decimal("0.25"), False)
    over = _replacement(10, 10, "100.00", "350.01", "1000.00")
    assert over.moves_total and over.guarded
    down = _replacement(10, 10, "300.00", "49.99", "1000.00")          # 1000 -> 749.99: -25.001%
    assert down.moves_total and down.moved_share < 0
    assert "moves the place's total by more than 25%" in down.describe()


def test_a_return_from_nothing_is_guarded_only_if_it_moves_the_total():
    empty = _replacement(2, 2, "0.00", "0.00", "0.00")
    assert (empty.moved_share, empty.guarded) == (None, False)
    assert dataclasses.replace(empty, new=SliceTotals(2, Decimal("5.00"), 3)).moves_total
