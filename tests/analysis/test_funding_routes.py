"""Funding routes, hand-overs and their cost, checked by hand; pooled-budget cycles and the hop cap."""

from __future__ import annotations

from decimal import Decimal

import pytest
from analysis_support import PLACE, YEAR, AnalyseCli, build_ledger, read

from placespend.analysis.funding_routes import administrative_cost, funding_routes
from placespend.analysis.tracing import Route, find_cycles, trace
from placespend.engine.ledger import ledger_of

from conftest import line

D = Decimal


@pytest.fixture
def ledger(cli, make_csv):
    return build_ledger(cli, make_csv)


def test_administrative_cost_compounds_the_loss_per_hand_over():
    # 20% lost per hand-over: the source puts in amount / 0.8^h.  h=1: 100 / 0.8 - 100 = 25.
    # h=2: 100 / 0.64 - 100 = 56.25;  h=3: 100 / 0.512 - 100 = 95.3125;  h=0: nothing handed over.
    assert [administrative_cost(D(100), h) for h in range(4)] == [0, D(25), D("56.25"), D("95.3125")]
    assert administrative_cost(D(90), 1, D("0.10")) == D(10)   # 90 / 0.9 - 90


def test_routes_of_the_hand_worked_ledger(ledger, engine):
    with read(ledger.db, engine) as con:
        place = funding_routes(ledger_of(con), [PLACE], YEAR).places[0]
    paths = {(p.bodies, p.division): (p.amount, p.hand_overs, p.admin_cost) for p in place.paths}
    assert paths == {
        (("dept",), "10"): (D(4_000_000), 0, 0),
        (("dept", "council"), "09"): (D(600_000), 1, D(150_000)),                  # 600,000 x 0.25
        (("council",), "10"): (D(400_000), 0, 0),
        (("council",), "06"): (D(200_000), 0, 0),
        (("dept", "council", "charity"), "10"): (D(300_000), 2, D(168_750)),       # 300,000 x 0.5625
        (("dept", "council", "college"), "09"): (D(2_370_000), 2, D(1_333_125)),   # 2,370,000 x 0.5625
        (("pct",), "07"): (D(2_000_000), 0, 0),
        (("club",), "08"): (D(90_000), 0, 0),
        (("parish",), "08"): (D(40_000), 0, 0),
    }
    assert place.total == D(10_000_000)
    assert place.admin_cost == D(1_651_875)                     # 150,000 + 168,750 + 1,333,125
    # 0: 4,000,000 + 400,000 + 200,000 + 2,000,000 + 90,000 + 40,000;  2: 300,000 + 2,370,000
    assert place.by_hand_overs() == {0: D(6_730_000), 1: D(600_000), 2: D(2_670_000)}
    assert place.by_source()["dept"] == D(7_270_000)            # 4,000,000 + 600,000 + 300,000 + 2,370,000
    assert place.cycles == []


def test_route_map_edges_and_method_in_json(ledger):
    out = AnalyseCli(ledger.db).json("routes", "-p", PLACE, "-y", YEAR)["places"][0]
    edges = {(e["from"], e["to"]): e["amount"] for e in out["edges"]}
    assert edges[("dept", "council")] == 3_270_000             # 600,000 + 300,000 + 2,370,000
    assert edges[("council", "college")] == 2_370_000 and edges[("college", "COFOG 09")] == 2_370_000
    assert edges[("council", "COFOG 10")] == 400_000
    assert "((1 - r)^-h - 1)" in out["method"] and "r = 20%" in out["method"]
    assert out["admin_cost"] == 1_651_875 and out["by_hand_overs"] == {"0": 6_730_000, "1": 600_000,
                                                                        "2": 2_670_000}
    college = next(p for p in out["paths"] if p["final_spender"] == "college")
    assert college["source"] == "dept" and college["source_type"] == "central_government"


def test_loss_rate_and_max_hops_options(ledger):
    cli = AnalyseCli(ledger.db)
    out = cli.json("routes", "-p", PLACE, "-y", YEAR, "--loss-rate", "0.1", "--max-hops", "1")["places"][0]
    # One hop at most: the college's and the charity's routes stop at the council (truncated), so every
    # traced route has at most one hand-over: 600,000 + 300,000 + 2,370,000 = 3,270,000 at r = 10%.
    assert out["by_hand_overs"] == {"0": 6_730_000, "1": 3_270_000}
    assert out["truncated_amount"] == 2_670_000
    assert out["admin_cost"] == pytest.approx(3_270_000 / 9)   # amount x (1/0.9 - 1)
    assert "below 1" in cli("routes", "-p", PLACE, "-y", YEAR, "--loss-rate", "1", expect=2).output


@pytest.fixture
def pooled(cli, make_csv):
    """A pooled budget: the council and the PCT fund each other's spend (A -> B -> A)."""
    cli("ingest", make_csv("council.csv", [
        line(spender="council", amount="500.00", cofog="10", funder="pct", funder_type="nhs"),
        line(spender="council", flow="transfer", amount="300.00", cofog="07", recipient="pct",
             recipient_type="nhs", funder="pct", funder_type="nhs")]),
        make_csv("pct.csv", [
            line(spender="pct", spender_type="nhs", amount="800.00", cofog="07", funder="council",
                 funder_type="local_authority"),
            line(spender="pct", spender_type="nhs", flow="transfer", amount="200.00", cofog="10",
                 recipient="council", recipient_type="local_authority", funder="council",
                 funder_type="local_authority")]))
    return cli


def test_a_pooled_budget_cycle_is_reported_not_followed_forever(pooled, engine):
    with read(pooled.db, engine) as con:
        place = funding_routes(ledger_of(con), [PLACE], YEAR).places[0]
    # council's 500 came from the PCT, whose transfer to the council was funded by the council: stop there.
    # pct's 800 came from the council, whose transfer to the PCT was funded by the PCT: stop there.
    assert {(p.bodies, p.amount, p.cyclic) for p in place.paths} == {
        (("pct", "council"), D(500), True), (("council", "pct"), D(800), True)}
    assert place.cycles == [("council", "pct")]
    assert place.admin_cost == D(325)                         # (500 + 800) x 0.25
    out = AnalyseCli(pooled.db).json("routes", "-p", PLACE, "-y", YEAR)["places"][0]
    assert out["cycles"] == [["council", "pct"]] and out["cyclic_amount"] == 1300
    assert "council -> pct -> council" in AnalyseCli(pooled.db)("routes", "-p", PLACE, "-y", YEAR).stdout


def test_tracing_a_three_body_cycle_and_the_hop_cap():
    funding = {("a", "b"): {None: D(100)}, ("b", "c"): {"a": D(100)}, ("c", "d"): {"b": D(100)},
               ("c", "a"): {"b": D(100)}}
    # d spends money from c; c had it from b, b from a, a from its own income: 3 hand-overs.
    assert trace("d", "c", funding, max_hops=8) == [Route(("a", "b", "c", "d"), D(1))]
    # with at most 2 hand-overs the route is cut at b
    assert trace("d", "c", funding, max_hops=2) == [Route(("b", "c", "d"), D(1), truncated=True)]
    # a spends money from c, which had it from b, which had it from a: a cycle, cut before a repeats
    assert trace("a", "c", funding, max_hops=8) == [Route(("b", "c", "a"), D(1), cyclic=True)]
    assert find_cycles({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == [("a", "b", "c")]


def test_a_stream_from_several_sources_is_split_pro_rata():
    # the council's transfer to the charity was 3 parts dept money and 1 part own income
    funding = {("council", "charity"): {"dept": D(300), None: D(100)}}
    routes = trace("charity", "council", funding, max_hops=8)
    assert routes == [Route(("council", "charity"), D("0.25")), Route(("dept", "council", "charity"), D("0.75"))]
