"""The count of every place at once (count.every_place_count) gives the hand-worked figures of chain_ledger.py by
each way an engine may take to them: from DuckDB's `place_lines` copy, or from the ledger itself paired with each
place's scope (Spark, or DuckDB while the copy is stale), with or without a temporary table for the one pass
that the analyses share.

The second way runs here on DuckDB through `Limited`, a real DuckDB ledger that declares fewer capabilities
than it has (DESIGN.md §2: what an engine can do is data the method layers read), so these figures are checked
by the mutation run, which runs DuckDB only (TESTING.md), and not only by the Spark half of the suite.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from chain_ledger import AREAS, CHAIN, EXPECTED, SHORT, SILENT, WHOLE, YEAR, build_chain_ledger

from placespend.app.workspace import open_workspace, read_on
from placespend.count.consolidate import count_place, counted_lines, scoped
from placespend.count.every_place_count import (
    all_places_lines,
    count_all_places,
    count_and_body_totals,
    place_scopes,
)
from placespend.count.reconcile import reconciliation
from placespend.domain.ledger import Capabilities, Ledger
from placespend.engine.ledger import ledger_of

from conftest import Cli, line, write_csv

D = Decimal
# A district that is a place of its own, defined with itself as its one area (as a single-area place often is):
# its scope holds the code once, however many ways it is named, so each of its lines counts once.
SELF = AREAS[WHOLE]


class Limited:
    """A DuckDB ledger that declares neither `place_lines` nor temporary tables, as Spark's does."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    @property
    def capabilities(self) -> Capabilities:
        return replace(self._ledger.capabilities, has_place_lines=False, temp_tables=False)

    def materialised(self, expr: Any) -> Any:
        raise AssertionError("a ledger that declares no temporary tables was asked for one (Spark has none)")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ledger, name)


@pytest.fixture
def chain(cli: Cli, tmp_path: Path) -> Cli:
    build_chain_ledger(cli, tmp_path)
    cli("import", write_csv(tmp_path / "self-place.csv", [{"place": SELF, "name": "Whole district", "area": SELF}]))
    return cli


@contextmanager
def both_ways(cli: Cli) -> Iterator[list[tuple[str, Any]]]:
    with read_on(open_workspace(cli.db), "duckdb") as con:
        ledger = ledger_of(con)
        assert ledger.capabilities.has_place_lines and ledger.capabilities.temp_tables  # the other way is real
        yield [("place_lines", ledger), ("from the ledger", Limited(ledger))]


def _headline(count: Any) -> tuple:
    return (count.total, count.unreported_transfers, count.eliminated_transfers, count.outturn_detail, count.lines,
            count.by_cofog, count.by_spender_type)


def _want(place: str) -> tuple:
    want = EXPECTED[place]
    return (want["total"], want["unreported"], want["eliminated"], D(0), want["lines"], want["by_cofog"],
            want["by_type"])


# Counted money per place and the body it counts under, by hand from chain_ledger.py: the council's spend where
# the chain ends in it, the silent trust's unreported transfer; the agency only passes money on.
BODIES = {(WHOLE, "council", "local_authority", D("1234567.89")), (SHORT, "council", "local_authority", D("420000.00")),
          (SILENT, "trust", "third_sector", D("300000.00")),
          (CHAIN, "council", "local_authority", D("1654567.89")), (CHAIN, "trust", "third_sector", D("300000.00")),
          (SELF, "council", "local_authority", D("1234567.89"))}


def test_every_place_counts_the_same_by_both_ways(chain):
    with both_ways(chain) as ways:
        for way, ledger in ways:
            counts = count_all_places(ledger, YEAR)
            assert list(counts) == sorted([*EXPECTED, SELF]), way
            # each line with its place and how it counts there; none of the columns joined on to decide it
            columns = set(all_places_lines(ledger, YEAR).columns)
            assert {"scope_place", "status", "counted_type", "counted_amount"} <= columns, way
            assert not columns & {"code", "reporter", "reporter_scope_place", "outturn_body", "outturn_scope_place"}, \
                way
            for place in EXPECTED:
                assert (counts[place].place, counts[place].period) == (place, YEAR), way
                assert _headline(counts[place]) == _want(place), (way, place)
            assert _headline(counts[SELF]) == _want(WHOLE), way   # the district is the whole chain's one area
            assert all(count.by_basis == {} and count.by_method == {} for count in counts.values()), way

            one_pass, bodies = count_and_body_totals(ledger, YEAR)
            assert {place: _headline(count) for place, count in one_pass.items()} == \
                {place: _headline(count) for place, count in counts.items()}, way
            assert {(count.place, count.period) for count in one_pass.values()} == {(p, YEAR) for p in counts}, way
            assert {(r["scope_place"], r["body"], r["body_type"], D(r["amount"])) for r in bodies} == BODIES, way
            assert len(bodies) == len(BODIES), way


def test_one_place_s_count_is_the_same_by_both_ways(chain):
    """`count_place` reads a place's lines from `place_lines`, or from the ledger's lines of the codes in its
    scope (Spark, or DuckDB while the copy is stale): the hand-worked figures either way."""
    with both_ways(chain) as ways:
        for way, ledger in ways:
            for place in EXPECTED:
                count = count_place(ledger, place, YEAR)
                assert (count.place, count.period) == (place, YEAR), (way, place)
                assert _headline(count) == _want(place), (way, place)
                assert [(r["body"], r["received"], r["passed_on"], r["difference"]) for r in count.pass_through] == \
                    [("agency", *EXPECTED[place]["pass_through"])], (way, place)
            # the district that is its own one area: the whole chain's lines, each once
            assert _headline(count_place(ledger, SELF, YEAR)) == _want(WHOLE), way


def test_one_place_s_lines_are_the_same_columns_by_both_ways(chain):
    """The analyses read a place's lines (`counted_lines`, `scoped`) whichever way they were read: the ledger's
    columns and how each line counts, not the copy's `scope_place` nor the columns joined on to classify them;
    and the scope hands on its ledger, for the reference tables an analysis reads beside the lines (bodies)."""
    with both_ways(chain) as ways:
        columns = {way: counted_lines(ledger, CHAIN, YEAR).columns for way, ledger in ways}
        assert columns["place_lines"] == columns["from the ledger"]
        assert {"status", "counted_type", "counted_amount", "spender"} <= set(columns["place_lines"])
        assert not {"scope_place", "reporter", "outturn_body"} & set(columns["place_lines"])
        for way, ledger in ways:
            scope = scoped(ledger, CHAIN, YEAR)
            assert scope.ledger is ledger and (scope.place, scope.period) == (CHAIN, YEAR), way


def test_the_bridge_splits_every_place_by_basis_and_method(chain):
    # No line gives a basis or an apportionment: each is outturn (DESIGN.md §3's default) and reported.
    with both_ways(chain) as ways:
        for way, ledger in ways:
            counts = count_all_places(ledger, YEAR, bridge=True)
            for place in EXPECTED:
                total = EXPECTED[place]["total"]
                assert (counts[place].by_basis, counts[place].by_method) == \
                    ({"outturn": total}, {"reported": total}), (way, place)


def test_places_asked_for_may_be_bare_area_codes(chain):
    # E07000102 is tp-short's one area, asked for by its code (twice): its count is tp-short's. E07000199 has
    # no line in scope, so it has no count.
    asked = [CHAIN, AREAS[SHORT], "E07000199", AREAS[SHORT]]
    with both_ways(chain) as ways:
        for way, ledger in ways:
            counts = count_all_places(ledger, YEAR, asked)
            assert list(counts) == sorted([CHAIN, AREAS[SHORT]]), way
            assert _headline(counts[CHAIN]) == _want(CHAIN), way
            assert _headline(counts[AREAS[SHORT]]) == _want(SHORT), way


def test_a_place_s_scope_is_itself_and_its_areas_once_each(chain):
    defined = {WHOLE: [AREAS[WHOLE]], SHORT: [AREAS[SHORT]], SILENT: [AREAS[SILENT]], CHAIN: list(AREAS.values()),
               SELF: [SELF]}
    with read_on(open_workspace(chain.db), "duckdb") as con:
        every = place_scopes(ledger_of(con)).to_pyarrow().to_pylist()
        asked = place_scopes(ledger_of(con), [CHAIN, AREAS[SILENT], CHAIN]).to_pyarrow().to_pylist()
    pairs = [(row["scope_place"], row["code"]) for row in every]
    assert sorted(pairs) == sorted({(place, code) for place, areas in defined.items() for code in [place, *areas]})
    assert len(pairs) == len(set(pairs))   # SELF is its own area: one pair, or its lines would count twice
    assert sorted((row["scope_place"], row["code"]) for row in asked) == [
        (AREAS[SILENT], AREAS[SILENT]), *sorted((CHAIN, code) for code in [CHAIN, *AREAS.values()])]


def test_transfer_reconciliation_of_a_place(chain):
    # tp-short: dept passed 500,000.00 to the agency, whose onward transfer (420,000.00) names dept as funder;
    # the agency passed 420,000.00 to the council, which spends 420,000.00 from it. Both transfers go to
    # reporters: eliminated. Rows in funder, recipient order.
    # tp-silent: dept passed 300,000.00 to the agency, which passed all of it on (funder dept); the agency passed
    # 300,000.00 to the trust, which reports nothing: unreported, the whole of it a gap.
    want = {
        SHORT: [("agency", "council", D("420000.00"), "eliminated", D("420000.00"), D("0.00")),
                ("dept", "agency", D("500000.00"), "eliminated", D("420000.00"), D("80000.00"))],
        SILENT: [("agency", "trust", D("300000.00"), "unreported", D("0.00"), D("300000.00")),
                 ("dept", "agency", D("300000.00"), "eliminated", D("300000.00"), D("0.00"))],
    }
    columns = ("funder_id", "recipient_id", "passed_on", "status", "recipient_reports", "gap")
    with read_on(open_workspace(chain.db), "duckdb") as con:
        for place, rows in want.items():
            got = reconciliation(ledger_of(con), place, YEAR).to_pyarrow().to_pylist()
            assert [tuple(row[c] for c in columns) for row in got] == rows, place
            assert [list(row) for row in got] == [list(columns)] * len(rows), place


def test_councils_reporting_their_outturn_count_each_line_once(cli: Cli, tmp_path: Path):
    """Two councils of one place report their service outturn (RS): the count joins each line to the outturn
    bodies of its own place, one row each, so every line counts once (by both ways)."""
    rows = [line(spender="lbl", service_scheme="RS", amount="1000.00", cofog="10.2"),
            line(spender="pct", spender_type="nhs", service_scheme="RS", amount="250.00", cofog="07.3"),
            line(spender="lbl", flow="transfer", recipient="silent", recipient_type="third_sector", amount="40.00")]
    cli("ingest", write_csv(tmp_path / "outturn.csv", rows))
    with both_ways(cli) as ways:
        for way, ledger in ways:
            # 1,000.00 + 250.00 spent and the 40.00 to a body that reports nothing, in Lewisham's one scope
            count = count_all_places(ledger, YEAR, ["E09000023"])["E09000023"]
            assert (count.total, count.lines, count.unreported_transfers) == (D("1290.00"), 3, D("40.00")), way


def test_a_place_s_count_reads_its_own_year_and_areas_by_both_ways(cli: Cli, tmp_path: Path):
    """The count of a place in a year reads only the lines of that year in its scope, whichever way it reads them:
    a return of the next year and one of another area in the same workspace add nothing."""
    cli("ingest", write_csv(tmp_path / "lewisham.csv", [line(amount="1000.00"), line(amount="234.56", cofog="09.1")]),
        write_csv(tmp_path / "next-year.csv", [line(period="2009-10", amount="20.00")]),
        write_csv(tmp_path / "greenwich.csv", [line(place="E09000011", spender="rbg", amount="300.00")]))
    with both_ways(cli) as ways:
        for way, ledger in ways:
            # Lewisham in 2008-09: 1,000.00 + 234.56 in two lines
            count = count_place(ledger, "E09000023", YEAR)
            assert (count.total, count.lines, count.by_cofog) == (
                D("1234.56"), 2, {"09": D("234.56"), "10": D("1000.00")}), way
