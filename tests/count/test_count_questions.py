"""The count's questions (count.consolidate, count.overlaps, count.reconcile) asked of a few lines written and
classified by hand, through Ibis on an in-memory DuckDB: each rule of DESIGN.md §4 on the smallest lines that
show it, every expected figure summed by hand in the comments.

Why beside the ledgers of the other tests: these need no workspace, so they run in a fraction of a second, and
each question is checked on its own rows rather than only through a whole count.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import ibis
import pyarrow as pa

from placespend.count.consolidate import ScopedLines, count_of, reporters_of, with_status
from placespend.count.overlaps import outturn_bodies
from placespend.count.reconcile import reconciliation_of

D = Decimal
MONEY = pa.decimal128(18, 2)
COLUMNS = {"spender": pa.string(), "spender_name": pa.string(), "spender_type": pa.string(), "flow": pa.string(),
           "recipient": pa.string(), "recipient_type": pa.string(), "recipient_name": pa.string(),
           "funder": pa.string(), "funder_type": pa.string(), "amount": MONEY, "counted_amount": MONEY,
           "cofog_division": pa.string(), "cofog_source": pa.string(), "service_scheme": pa.string(),
           "capital_revenue": pa.string(), "basis": pa.string(), "apportionment": pa.string(),
           "method": pa.string(), "status": pa.string(), "counted_type": pa.string()}


def classified(*lines: dict[str, Any]) -> Any:
    """Lines as `consolidate.classified_lines` gives them, each column defaulted as a return's line is."""
    base = {"spender_name": None, "recipient": None, "recipient_type": None, "recipient_name": None, "funder": None,
            "funder_type": None, "cofog_source": "reported", "service_scheme": None, "capital_revenue": "revenue",
            "basis": "outturn", "apportionment": "actual", "method": "reported"}
    rows = [{**base, **line} for line in lines]
    for row in rows:
        row.setdefault("counted_amount", row["amount"])
        row["amount"], row["counted_amount"] = D(row["amount"]), D(row["counted_amount"])
    return ibis.memtable(pa.Table.from_pylist(rows, schema=pa.schema(COLUMNS)))


def spend(spender: str, kind: str, amount: str, division: str, **more: Any) -> dict[str, Any]:
    return {"spender": spender, "spender_type": kind, "flow": "spend", "amount": amount, "cofog_division": division,
            "status": "spend", "counted_type": kind, **more}


def transfer(spender: str, kind: str, amount: str, division: str, recipient: str, recipient_type: str, status: str,
             **more: Any) -> dict[str, Any]:
    return {"spender": spender, "spender_type": kind, "flow": "transfer", "amount": amount,
            "cofog_division": division, "recipient": recipient, "recipient_type": recipient_type, "status": status,
            "counted_type": recipient_type, **more}


FROM_DEPT = {"funder": "dept", "funder_type": "central_government"}
# The department funds the council (which spends, pools with the PCT and grants to a charity) and a regional
# agency that only passes money on, to the same charity; the PCT pools back to the council and counts half of
# a 1,000.00 line (its estimate of the place's share).
PARTNERSHIP = classified(
    spend("dept", "central_government", "300.00", "10"),
    transfer("dept", "central_government", "1000.00", "09", "council", "local_authority", "eliminated"),
    transfer("dept", "central_government", "90.00", "09", "agency", "ndpb", "eliminated"),
    spend("council", "local_authority", "700.00", "09", **FROM_DEPT),
    transfer("council", "local_authority", "200.00", "10", "pct", "nhs", "eliminated", **FROM_DEPT),
    transfer("council", "local_authority", "100.00", "10", "charity", "third_sector", "unreported",
             recipient_name="Charity", **FROM_DEPT),
    spend("pct", "nhs", "1000.00", "07", counted_amount="500.00", method="estimated", apportionment="body_estimate"),
    transfer("pct", "nhs", "50.00", "10", "council", "local_authority", "eliminated"),
    transfer("agency", "ndpb", "60.00", "10", "charity", "third_sector", "unreported", spender_name="Agency",
             recipient_name="Charity", **FROM_DEPT),
)


def _scope(lines: Any) -> ScopedLines:
    return ScopedLines(None, "tp-pilot", "2008-09", lines)  # type: ignore[arg-type]  # the questions read lines only


def test_the_count_of_hand_classified_lines():
    got = count_of(_scope(PARTNERSHIP))
    # spend 300.00 + 700.00 + 500.00 = 1,500.00; unreported 100.00 + 60.00 = 160.00
    assert (got.place, got.period, got.total, got.lines) == ("tp-pilot", "2008-09", D("1660.00"), 9)
    assert (got.unreported_transfers, got.eliminated_transfers, got.outturn_detail) == (
        D("160.00"), D("1340.00"), D(0))   # eliminated: 1,000.00 + 90.00 + 200.00 + 50.00
    assert got.by_cofog == {"07": D("500.00"), "09": D("700.00"), "10": D("460.00")}   # 10: 300 + 100 + 60
    assert got.by_spender_type == {"central_government": D("300.00"), "local_authority": D("700.00"),
                                   "nhs": D("500.00"), "third_sector": D("160.00")}
    # the department's money: the council's 700.00 and 100.00, the agency's 60.00; the rest is own income
    assert got.by_funder_type == {"central_government": D("860.00"), "own_income": D("800.00")}
    assert got.by_method == {"estimated": D("500.00"), "reported": D("1160.00")}
    assert got.by_apportionment == {"actual": D("1160.00"), "body_estimate": D("500.00")}
    assert (got.by_basis, got.by_capital_revenue) == ({"outturn": D("1660.00")}, {"revenue": D("1660.00")})
    # the charity receives from the council and the agency and reports nothing
    assert got.unreported_recipients == [{"recipient": "charity", "recipient_type": "third_sector",
                                          "amount": D("160.00"), "lines": 2, "name": "Charity"}]
    # the agency receives 90.00 and passes on 60.00 and spends nothing; dept, the council and the PCT spend
    assert got.pass_through == [{"body": "agency", "name": "Agency", "body_type": "ndpb", "received": D("90.00"),
                                 "passed_on": D("60.00"), "lines": 1, "difference": D("30.00")}]
    assert got.overlap_warnings == []


def test_unreported_recipients_largest_first_then_by_id():
    lines = classified(
        transfer("council", "local_authority", "160.00", "10", "beta", "private", "unreported"),
        transfer("council", "local_authority", "100.00", "10", "alpha", "third_sector", "unreported"),
        transfer("council", "local_authority", "60.00", "10", "alpha", "third_sector", "unreported"),
        transfer("council", "local_authority", "500.00", "10", "zeta", "private", "unreported"),
        transfer("council", "local_authority", "999.00", "10", "pct", "nhs", "eliminated"))
    got = count_of(_scope(lines)).unreported_recipients
    # zeta 500.00; alpha 100.00 + 60.00 = 160.00 and beta 160.00, alpha first by id; the PCT reports
    assert [(r["recipient"], r["recipient_type"], r["amount"], r["lines"]) for r in got] == [
        ("zeta", "private", D("500.00"), 1), ("alpha", "third_sector", D("160.00"), 2),
        ("beta", "private", D("160.00"), 1)]


def test_pass_through_bodies_in_id_order():
    lines = classified(
        transfer("dept", "central_government", "90.00", "09", "zagency", "ndpb", "eliminated"),
        transfer("dept", "central_government", "70.00", "09", "agency", "ndpb", "eliminated"),
        transfer("zagency", "ndpb", "90.00", "09", "council", "local_authority", "eliminated"),
        transfer("agency", "ndpb", "75.00", "09", "council", "local_authority", "eliminated"),
        spend("council", "local_authority", "165.00", "09"))
    got = count_of(_scope(lines))
    # agency passes on 5.00 more than it received here (from elsewhere): a negative difference
    assert [(r["body"], r["received"], r["passed_on"], r["difference"]) for r in got.pass_through] == [
        ("agency", D("70.00"), D("75.00"), D("-5.00")), ("zagency", D("90.00"), D("90.00"), D("0.00"))]
    assert got.total == D("165.00")


GRANT = {"cofog_source": "keyword_rule"}
OUTTURN = {"service_scheme": "RS"}


def test_grants_beside_an_outturn_are_detail_or_warned():
    lines = classified(
        spend("e09000023", "local_authority", "5000.00", "09", **OUTTURN),
        transfer("e09000023", "local_authority", "40.00", "10", "charity", "third_sector", "outturn_detail", **GRANT),
        transfer("e09000023", "local_authority", "35.00", "10", "charity", "third_sector", "outturn_detail",
                 cofog_source="fallback_rule"),
        transfer("gb-lae-xyz", "local_authority", "25.00", "10", "club", "third_sector", "unreported", **GRANT),
        transfer("pct", "nhs", "7.00", "10", "club", "third_sector", "unreported"))
    got = count_of(_scope(lines))
    # counted: the outturn 5,000.00 and the two unreported transfers 25.00 + 7.00; the council's grants
    # 40.00 + 35.00 are detail of its outturn
    assert (got.total, got.outturn_detail, got.unreported_transfers) == (D("5032.00"), D("75.00"), D("32.00"))
    assert [(w["type"], w["body"], w["amount"], w["lines"]) for w in got.overlap_warnings] == [
        ("grants-in-outturn", "e09000023", D("75.00"), 2), ("grants-outturn-unmatched", "gb-lae-xyz", D("25.00"), 1)]
    assert got.overlap_warnings[1]["outturn_bodies"] == ["e09000023"]


def test_an_outturn_is_a_council_s_service_spend_of_its_outturn_basis():
    lines = classified(
        spend("e09000023", "local_authority", "1.00", "09", **OUTTURN),
        spend("e09000001", "local_authority", "1.00", "09", service_scheme="RSX"),
        spend("e09000002", "local_authority", "1.00", "09", service_scheme="RA"),       # a budget scheme
        spend("e09000003", "local_authority", "1.00", "09", basis="budget", **OUTTURN),
        transfer("e09000004", "local_authority", "1.00", "09", "x", "private", "unreported", **OUTTURN),
        spend("e09000005", "local_authority", "1.00", "09"))
    got = outturn_bodies(lines).to_pyarrow().to_pylist()
    assert sorted(row["outturn_body"] for row in got) == ["e09000001", "e09000023"]
    assert list(got[0]) == ["outturn_body"]


def test_status_and_counted_type_of_each_line():
    """DESIGN.md §4 on lines joined to the reporters and the outturn bodies in scope (null where none)."""
    rows = [  # (flow, recipient's reporter, spender's outturn, cofog_source) -> status
        ("spend", None, None, "reported"), ("transfer", "pct", None, "reported"), ("transfer", None, None, "reported"),
        ("transfer", "pct", "council", "keyword_rule"), ("spend", None, "council", "fallback_rule"),
        ("transfer", None, "council", "reported"), ("transfer", None, None, "keyword_rule")]
    table = pa.Table.from_pylist(
        [{"n": n, "flow": flow, "reporter": reporter, "outturn_body": outturn, "cofog_source": source,
          "spender_type": "local_authority", "recipient_type": "nhs" if flow == "transfer" else None}
         for n, (flow, reporter, outturn, source) in enumerate(rows)])
    got = with_status(ibis.memtable(table)).order_by("n").to_pyarrow().to_pylist()
    assert [(row["status"], row["counted_type"]) for row in got] == [
        ("spend", "local_authority"), ("eliminated", "nhs"), ("unreported", "nhs"),
        ("outturn_detail", "nhs"), ("outturn_detail", "local_authority"),   # grants of a council with an outturn
        ("unreported", "nhs"),          # not a grant: the council's outturn does not hold it
        ("unreported", "nhs")]          # a grant of a council with no outturn in scope counts


def test_reporters_are_the_spenders_of_either_flow_once_each_by_key():
    lines = classified(spend("council", "local_authority", "1.00", "09"),
                       spend("council", "local_authority", "2.00", "09"),
                       transfer("agency", "ndpb", "1.00", "09", "council", "local_authority", "eliminated"))
    got = reporters_of(lines.mutate(place=ibis.literal("tp")), "place").to_pyarrow().to_pylist()
    assert sorted((row["reporter_place"], row["reporter"]) for row in got) == [("tp", "agency"), ("tp", "council")]


def test_transfer_reconciliation_of_hand_classified_lines():
    got = reconciliation_of(_scope(PARTNERSHIP)).to_pyarrow().to_pylist()
    # passed on per funder-recipient pair; what the recipient reports as funded by the funder (dept: the
    # council's 700.00 + 200.00 + 100.00, the agency's 60.00); the gap between them
    assert [(r["funder_id"], r["recipient_id"], r["passed_on"], r["status"], r["recipient_reports"], r["gap"])
            for r in got] == [
        ("agency", "charity", D("60.00"), "unreported", D("0.00"), D("60.00")),
        ("council", "charity", D("100.00"), "unreported", D("0.00"), D("100.00")),
        ("council", "pct", D("200.00"), "eliminated", D("0.00"), D("200.00")),
        ("dept", "agency", D("90.00"), "eliminated", D("60.00"), D("30.00")),
        ("dept", "council", D("1000.00"), "eliminated", D("1000.00"), D("0.00")),
        ("pct", "council", D("50.00"), "eliminated", D("0.00"), D("50.00"))]
    assert list(got[0]) == ["funder_id", "recipient_id", "passed_on", "status", "recipient_reports", "gap"]


def test_a_bodys_grant_warnings_come_in_the_order_of_their_status():
    """A council's grants may stand in two statuses (one recipient reports them, another does not): each status
    is a warning of its own, and the count's output is the same in every run and on every engine, so they are
    ordered by body and then by status, not left in the order the engine happened to group them."""
    lines = classified(
        spend("e09000023", "local_authority", "5000.00", "09", **OUTTURN),
        transfer("gb-lae-xyz", "local_authority", "25.00", "10", "club", "third_sector", "unreported", **GRANT),
        transfer("gb-lae-xyz", "local_authority", "13.00", "10", "trust", "third_sector", "eliminated", **GRANT),
        transfer("gb-lae-abc", "local_authority", "4.00", "10", "club", "third_sector", "unreported", **GRANT))
    got = count_of(_scope(lines))
    assert [(w["body"], w["amount"]) for w in got.overlap_warnings] == [
        ("gb-lae-abc", D("4.00")), ("gb-lae-xyz", D("13.00")), ("gb-lae-xyz", D("25.00"))]
