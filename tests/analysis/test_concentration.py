"""Concentration of spending bodies, checked against the hand-worked ledger (analysis_support)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from analysis_support import PLACE, YEAR, AnalyseCli, build_ledger, read

from placespend.analysis.concentration import concentration
from placespend.engine.ledger import ledger_of

D = Decimal


@pytest.fixture
def ledger(cli, make_csv):
    return build_ledger(cli, make_csv)


def test_ranking_pareto_and_top_shares(ledger, engine):
    with read(ledger.db, engine) as con:
        place = concentration(ledger_of(con), [PLACE], YEAR).places[0]
    # Each body's counted spend (the charity's is the council's unreported transfer to it), of 10,000,000:
    # dept 4,000,000 (40%), college 2,370,000 (23.7%), pct 2,000,000 (20%), council 1,200,000 (12%),
    # charity 300,000 (3%), club 90,000 (0.9%), parish 40,000 (0.4%).
    assert [(b.body, b.amount) for b in place.ranking] == [
        ("dept", D(4_000_000)), ("college", D(2_370_000)), ("pct", D(2_000_000)), ("council", D(1_200_000)),
        ("charity", D(300_000)), ("club", D(90_000)), ("parish", D(40_000))]
    # Pareto curve: 40, 63.7, 83.7, 95.7, 98.7, 99.6, 100 percent.
    assert [b.cumulative_share * 100 for b in place.ranking] == [
        D(40), D("63.7"), D("83.7"), D("95.7"), D("98.7"), D("99.6"), D(100)]
    assert place.top_share(3) == D("0.837") and place.top_share(10) == 1   # only 7 bodies: top 10 is all


def test_herfindahl_hirschman_index(ledger, engine):
    with read(ledger.db, engine) as con:
        place = concentration(ledger_of(con), [PLACE], YEAR).places[0]
    # 0.4^2 + 0.237^2 + 0.2^2 + 0.12^2 + 0.03^2 + 0.009^2 + 0.004^2
    # = 0.16 + 0.056169 + 0.04 + 0.0144 + 0.0009 + 0.000081 + 0.000016 = 0.271566 -> 2,715.66 points (> 2,500)
    assert place.hhi == D("0.271566") and place.hhi_points == D("2715.66")
    assert place.hhi_band == "highly concentrated"


def test_bodies_per_division_and_divisions_per_body(ledger, engine):
    with read(ledger.db, engine) as con:
        place = concentration(ledger_of(con), [PLACE], YEAR).places[0]
    # 10: dept, council, charity; 09: council, college; 08: club, parish; 07: pct; 06: council.
    assert {code: row["bodies"] for code, row in place.bodies_per_division.items()} == {
        "06": 1, "07": 1, "08": 2, "09": 2, "10": 3}
    # Only the council spends in more than one division (06, 09, 10).
    assert {b.body: b.divisions for b in place.ranking if b.divisions > 1} == {"council": 3}
    assert place.multi_division_bodies == 1


def test_small_bodies_default_thresholds(ledger, engine):
    with read(ledger.db, engine) as con:
        place = concentration(ledger_of(con), [PLACE], YEAR).places[0]
    below_50k, below_100k = place.small_bodies
    # < 50,000: parish 40,000.  < 100,000: club 90,000 + parish 40,000 = 130,000 (1.3% of the total).
    assert (below_50k.bodies, below_50k.total, below_50k.names) == (1, D(40_000), ["parish"])
    assert (below_100k.bodies, below_100k.total, below_100k.share) == (2, D(130_000), D("0.013"))


def test_cli_thresholds_are_configurable(ledger):
    out = AnalyseCli(ledger.db).json("concentration", "-p", PLACE, "-y", YEAR, "-t", "2,000,001", "-t", "500000")
    place = out["places"][0]
    # sorted: < 500,000: charity, club, parish = 430,000; < 2,000,001: + pct 2,000,000 + council 1,200,000
    assert [(s["threshold"], s["bodies"], s["total"]) for s in place["small_bodies"]] == [
        (500_000, 3, 430_000), (2_000_001, 5, 3_630_000)]
    assert place["hhi"] == 2715.66 and place["top3_share"] == 0.837
    assert place["ranking"][0] == {"rank": 1, "body": "dept", "name": None, "body_type": "central_government",
                                   "amount": 4_000_000, "share": 0.4, "cumulative_share": 0.4, "divisions": 1}


def test_cli_rejects_a_bad_threshold(ledger):
    result = AnalyseCli(ledger.db)("concentration", "-p", PLACE, "-y", YEAR, "-t", "lots", expect=2)
    assert "--threshold must be a number" in result.output
