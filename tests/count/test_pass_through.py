"""A body that only passes money on is a reporter (DESIGN.md §4): a chain counts once, where it ends.

The chains and every expected figure are worked by hand in chain_ledger.py.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from chain_ledger import AREAS, CHAIN, EXPECTED, SHORT, SILENT, WHOLE, YEAR, build_chain_ledger, chain_files

from count_ways import count_ways
from placespend.app.workspace import open_workspace, read_on
from placespend.count.consolidate import count_place
from placespend.count.every_place_count import body_totals, count_all_places, count_and_body_totals
from placespend.engine.ledger import ledger_of

PLACES = [*AREAS, CHAIN]


@pytest.fixture
def chain(cli, tmp_path):
    build_chain_ledger(cli, tmp_path)
    return cli


def _money(value: Any) -> Decimal:
    return Decimal(str(value))


def _pass_through(count: dict[str, Any]) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    return [(r["body"], _money(r["received"]), _money(r["passed_on"]), _money(r["difference"]))
            for r in count["pass_through"]]


@pytest.mark.parametrize("place", PLACES)
def test_a_chain_counts_once_where_it_ends(chain, place, engine):
    want = EXPECTED[place]
    for way, got in count_ways(chain, place, YEAR, engine):
        assert _money(got["total"]) == want["total"], way
        assert _money(got["unreported_transfers"]) == want["unreported"], way
        assert _money(got["eliminated_transfers"]) == want["eliminated"], way
        assert got["lines"] == want["lines"], way
        assert {k: _money(v) for k, v in got["by_cofog"].items()} == want["by_cofog"], way
        assert {k: _money(v) for k, v in got["by_spender_type"].items()} == want["by_type"], way
    # every pound in scope is counted or eliminated, never both
    scope = set(AREAS.values()) if place == CHAIN else {AREAS[place]}
    assert want["total"] + want["eliminated"] == sum(
        Decimal(r["amount"]) for rows in chain_files().values() for r in rows if r["place"] in scope)


def test_a_pass_through_that_passes_on_less_shows_the_difference_not_counted(chain, engine):
    for way, got in count_ways(chain, SHORT, YEAR, engine):
        assert _pass_through(got) == [("agency", Decimal("500000.00"), Decimal("420000.00"),
                                       Decimal("80000.00"))], way
        assert got["pass_through"][0]["name"] == "Regional Agency", way
        assert _money(got["total"]) == Decimal("420000.00"), way  # the 80,000.00 is nobody's spend
        rec = {(r["funder_id"], r["recipient_id"]): r for r in got["transfer_reconciliation"]}
        # the agency's onward transfer names dept as its funder: what dept passed on vs what the agency passed on
        assert (_money(rec[("dept", "agency")]["passed_on"]), _money(rec[("dept", "agency")]["recipient_reports"]),
                _money(rec[("dept", "agency")]["gap"]), rec[("dept", "agency")]["status"]) == \
            (Decimal("500000.00"), Decimal("420000.00"), Decimal("80000.00"), "eliminated"), way
    table = chain("count", "--place", SHORT, "--year", YEAR).stdout
    assert "Pass-through bodies" in table and "£80,000.00" in table


def test_a_pass_through_to_a_silent_body_is_that_body_s_spend_once(chain, engine):
    for way, got in count_ways(chain, SILENT, YEAR, engine):
        assert _money(got["total"]) == _money(got["unreported_transfers"]) == Decimal("300000.00"), way
        # the trust received 300,000.00 in one line (the agency's), under its own type, with no name given
        assert [(r["recipient"], r["recipient_type"], r["name"], _money(r["amount"]), r["lines"])
                for r in got["unreported_recipients"]] == [("trust", "third_sector", None, Decimal("300000.00"), 1)], \
            way
    unreported = chain.json("explain", "--place", SILENT, "--year", YEAR, "--status", "unreported",
                            "--engine", engine)
    assert [(r["spender"], r["recipient"]) for r in unreported] == [("agency", "trust")]


@pytest.mark.parametrize("place", PLACES)
def test_pass_through_section_for_every_chain(chain, place):
    for way, got in count_ways(chain, place, YEAR):
        assert _pass_through(got) == [("agency", *EXPECTED[place]["pass_through"])], way
        # the agency is an NDPB, and it passes money on by one transfer line in each area (three in the chain)
        assert [(r["body_type"], r["lines"]) for r in got["pass_through"]] == \
            [("ndpb", 3 if place == CHAIN else 1)], way


def test_all_places_count_equals_each_place_s_count(chain, engine):
    with read_on(open_workspace(chain.db), engine) as con:
        together = count_all_places(ledger_of(con), YEAR)
        one_pass, bodies = count_and_body_totals(ledger_of(con), YEAR)
        apart = {place: count_place(ledger_of(con), place, YEAR) for place in PLACES}
        totals = body_totals(ledger_of(con), YEAR).to_pyarrow().to_pylist()
    for place in PLACES:
        want = EXPECTED[place]
        for counts in (together, one_pass):
            got = counts[place]
            assert (got.total, got.unreported_transfers, got.eliminated_transfers, got.lines, got.by_cofog,
                    got.by_spender_type) == (want["total"], want["unreported"], want["eliminated"], want["lines"],
                                             want["by_cofog"], want["by_type"]), place
        one = apart[place]
        assert (one.total, one.unreported_transfers, one.eliminated_transfers, one.lines, one.by_cofog,
                one.by_spender_type) == (want["total"], want["unreported"], want["eliminated"], want["lines"],
                                         want["by_cofog"], want["by_type"]), place
    # the agency spends nothing of its own: no place counts money under it
    for rows in (bodies, totals):
        assert {(r["scope_place"], r["body"]) for r in rows} == {
            (WHOLE, "council"), (SHORT, "council"), (SILENT, "trust"), (CHAIN, "council"), (CHAIN, "trust")}
