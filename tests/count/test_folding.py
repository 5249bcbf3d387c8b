"""The count's folding in Decimal (count.result.fold_count, count.result.fold_overlap_warnings and
count.every_place_count.fold_cells) on rows written by hand, as the count's questions answer them.

Why apart from the ledgers of the other tests: the folding is plain Python over rows, so each rule of DESIGN.md §4
it applies (what a status adds to, how a breakdown is keyed and ordered, when the overlap questions are asked) is
checked here in milliseconds, with every expected figure summed by hand in the comments.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from placespend.count.every_place_count import PlaceCount, fold_cells
from placespend.count.result import CountResult, fold_count, fold_overlap_warnings

D = Decimal
KEYS = ("cofog_division", "counted_type", "funder_kind", "capital_revenue", "basis", "apportionment", "method")


def cell(status: str, amount: str, lines: int, *keys: str) -> dict[str, Any]:
    return {"status": status, "amount": D(amount), "lines": lines, **dict(zip(KEYS, keys, strict=True))}


# A place's cells, not in any order: two spend cells of the council in 09 (400.00 from the department's grant,
# 300.25 of its own, estimated), the PCT's capital spend of 500.00 in 07, 100.00 passed to an unreported charity
# (a budget figure), 1,250.00 of transfers between reporters and 59.05 of grants inside an outturn.
CELLS = [
    cell("unreported", "100.00", 1, "10", "third_sector", "central_government", "revenue", "budget", "actual",
         "reported"),
    cell("spend", "400.00", 2, "09", "local_authority", "central_government", "revenue", "outturn", "actual",
         "reported"),
    cell("eliminated", "1250.00", 3, "09", "local_authority", "central_government", "revenue", "outturn", "actual",
         "reported"),
    cell("spend", "500.00", 1, "07", "nhs", "own_income", "capital", "outturn", "body_estimate", "estimated"),
    cell("outturn_detail", "59.05", 4, "08", "third_sector", "own_income", "revenue", "outturn", "actual",
         "reported"),
    cell("spend", "300.25", 1, "09", "local_authority", "own_income", "revenue", "outturn", "central_figure",
         "estimated"),
]
RECIPIENTS = [{"recipient": "charity", "recipient_type": "third_sector", "amount": D("100.00"), "lines": 1,
               "name": None}]
PASS_THROUGH = [{"body": "agency", "name": "Regional Agency", "body_type": "ndpb", "received": D("500000.00"),
                 "passed_on": D("420000.00"), "lines": 1}]


class Answers:
    """The rows of each question by name, and the names asked, in order."""

    def __init__(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        self.rows, self.asked = rows, []

    def __call__(self, name: str) -> list[dict[str, Any]]:
        self.asked.append(name)
        return self.rows[name]


def test_fold_count_sums_each_status_and_breakdown_in_decimal():
    answers = Answers({"cells": CELLS, "unreported_recipients": RECIPIENTS, "pass_through": PASS_THROUGH,
                       "grants": [{"n": 0}]})
    got = fold_count("tp-pilot", "2008-09", answers)
    # counted: spend 400.00 + 500.00 + 300.25 = 1,200.25, and the unreported 100.00: 1,300.25
    assert got == CountResult(
        place="tp-pilot", period="2008-09", total=D("1300.25"), lines=1 + 2 + 3 + 1 + 4 + 1,
        by_cofog={"07": D("500.00"), "09": D("700.25"), "10": D("100.00")},
        by_spender_type={"local_authority": D("700.25"), "nhs": D("500.00"), "third_sector": D("100.00")},
        # the department's 400.00 and 100.00; the spenders' own 500.00 and 300.25
        by_funder_type={"central_government": D("500.00"), "own_income": D("800.25")},
        by_capital_revenue={"capital": D("500.00"), "revenue": D("800.25")},
        by_basis={"budget": D("100.00"), "outturn": D("1200.25")},
        by_apportionment={"actual": D("500.00"), "body_estimate": D("500.00"), "central_figure": D("300.25")},
        by_method={"estimated": D("800.25"), "reported": D("500.00")},
        unreported_transfers=D("100.00"), eliminated_transfers=D("1250.00"),
        unreported_recipients=RECIPIENTS,
        # received 500,000.00, passed on 420,000.00: 80,000.00 not passed on
        pass_through=[{**PASS_THROUGH[0], "difference": D("80000.00")}],
        outturn_detail=D("59.05"), overlap_warnings=[])
    # each breakdown in key order, as the tables and the CSV print them
    assert all(list(keys) == sorted(keys) for keys in (got.by_cofog, got.by_apportionment, got.by_method))
    # no grant in scope: the other overlap questions are not asked
    assert answers.asked == ["cells", "unreported_recipients", "pass_through", "grants"]


def test_an_empty_place_counts_zero():
    got = fold_count("tp-empty", "2009-10", Answers({"cells": [], "unreported_recipients": [], "pass_through": [],
                                                      "grants": [{"n": 0}]}))
    assert (got.total, got.lines, got.unreported_transfers, got.eliminated_transfers, got.outturn_detail) == \
        (D(0), 0, D(0), D(0), D(0))
    assert got.by_cofog == got.by_method == got.by_basis == {} and got.pass_through == []


GRANTS_BY_SPENDER = [
    # the council's grants, inside the outturn it reports: detail, not counted again
    {"spender": "e09000023", "spender_type": "local_authority", "status": "outturn_detail", "amount": D("1234.50"),
     "lines": 2},
    # a council named by its org-id, not its GSS code: maybe the council whose outturn counts
    {"spender": "gb-lae-trf", "spender_type": "local_authority", "status": "spend", "amount": D("59385.05"),
     "lines": 38},
    # a council named by its GSS code that reports no outturn here: known to be another body, nothing to warn
    {"spender": "e08000010", "spender_type": "local_authority", "status": "spend", "amount": D("10.00"), "lines": 1},
    # a charity's grants: not a council, nothing to warn
    {"spender": "360g-trust", "spender_type": "third_sector", "status": "spend", "amount": D("99.00"), "lines": 1},
]


def test_overlap_warnings_say_what_is_detail_and_what_may_count_twice():
    outturn = [{"spender": "e09000023"}, {"spender": "e08000009"}, {"spender": "e09000023"}]
    answers = Answers({"grants": [{"n": 42}], "outturn_councils": outturn, "grants_by_spender": GRANTS_BY_SPENDER})
    assert fold_overlap_warnings(answers) == [
        {"type": "grants-in-outturn", "body": "e09000023", "amount": D("1234.50"), "lines": 2,
         "message": "2 grants of e09000023 (GBP 1,234.50) are part of its service outturn (RS/RSX) and are shown as "
         "detail, not counted again. Their year is the award's; a multi-year grant is paid over later years."},
        {"type": "grants-outturn-unmatched", "body": "gb-lae-trf", "amount": D("59385.05"), "lines": 38,
         "outturn_bodies": ["e08000009", "e09000023"],   # each council once, in order
         "message": "Grants of gb-lae-trf (GBP 59,385.05) are counted, but gb-lae-trf may be the council whose "
         "outturn is counted too (e08000009, e09000023): if so these pounds count twice. Import the org-id lookup "
         "and merge the bodies (placespend bodies suggest --apply)."},
    ]


def test_no_outturn_in_scope_no_warning_for_a_council_s_grants():
    answers = Answers({"grants": [{"n": 38}], "outturn_councils": [], "grants_by_spender": GRANTS_BY_SPENDER[1:2]})
    assert fold_overlap_warnings(answers) == []


def test_no_grant_in_scope_asks_nothing_more():
    answers = Answers({"grants": [{"n": 0}]})
    assert fold_overlap_warnings(answers) == []
    assert answers.asked == ["grants"]


def row(place: str, status: str, amount: str, lines: int, division: str, kind: str, **bridge: str) -> dict:
    return {"scope_place": place, "status": status, "amount": D(amount), "lines": lines, "cofog_division": division,
            "counted_type": kind, **bridge}


def test_fold_cells_gives_each_place_its_count():
    rows = [row("tp-b", "spend", "10.00", 1, "09", "nhs"),
            row("tp-a", "eliminated", "1000.00", 2, "09", "local_authority"),
            row("tp-a", "spend", "700.00", 3, "09", "local_authority"),
            row("tp-a", "unreported", "100.00", 1, "10", "third_sector"),
            row("tp-a", "outturn_detail", "59.05", 4, "08", "third_sector"),
            row("tp-a", "spend", "0.50", 1, "07", "nhs"),
            row("tp-a", "unreported", "20.00", 1, "09", "private")]
    got = fold_cells(rows, "2008-09")
    assert list(got) == ["tp-a", "tp-b"]
    # tp-a counts 700.00 + 100.00 + 0.50 + 20.00 = 820.50 over 2 + 3 + 1 + 4 + 1 + 1 = 12 lines; unreported
    # 100.00 + 20.00
    assert got["tp-a"] == PlaceCount(
        "tp-a", "2008-09", total=D("820.50"), lines=12, unreported_transfers=D("120.00"),
        eliminated_transfers=D("1000.00"), by_cofog={"07": D("0.50"), "09": D("720.00"), "10": D("100.00")},
        by_spender_type={"local_authority": D("700.00"), "nhs": D("0.50"), "private": D("20.00"),
                         "third_sector": D("100.00")},
        by_basis={}, by_method={}, outturn_detail=D("59.05"))
    assert got["tp-b"] == PlaceCount("tp-b", "2008-09", total=D("10.00"), lines=1, by_cofog={"09": D("10.00")},
                                     by_spender_type={"nhs": D("10.00")})
    assert list(got["tp-a"].by_cofog) == ["07", "09", "10"]


def test_fold_cells_with_the_bridge_sums_basis_and_method():
    rows = [row("tp-a", "spend", "700.00", 1, "09", "local_authority", basis="outturn", method="reported"),
            row("tp-a", "spend", "200.00", 1, "09", "local_authority", basis="budget", method="estimated"),
            row("tp-a", "unreported", "100.00", 1, "10", "third_sector", basis="outturn", method="estimated"),
            row("tp-a", "eliminated", "5.00", 1, "09", "nhs", basis="outturn", method="reported")]
    got = fold_cells(rows, "2009-10")["tp-a"]
    # 700.00 + 100.00 outturn, 200.00 budget; 700.00 reported, 200.00 + 100.00 estimated; the 5.00 is eliminated
    assert (got.total, got.by_basis, got.by_method) == (
        D("1000.00"), {"budget": D("200.00"), "outturn": D("800.00")},
        {"estimated": D("300.00"), "reported": D("700.00")})
