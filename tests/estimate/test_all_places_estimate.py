"""The all-places estimate and compare give, place for place, exactly what the place-by-place path gives.

Every field is compared, as data (Decimal values) and as the JSON the CLI prints (so even a Decimal's exponent
must match), on the demo workspace, on the Table-1 pilots workspace of test_pilots_compare.py, and on a small
hand-made workspace where places fail in each way `estimate_place` can refuse.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from decimal import Decimal
from typing import Any

import ibis
import pytest
from ibis.backends.duckdb import Backend
from pilots_support import build_pilots

from placespend.analysis.compare import Comparison, compare_place, compare_places, difference
from placespend.count.consolidate import count_place
from placespend.count.every_place_count import count_all_places
from placespend.domain.criteria import CriteriaSet
from placespend.domain.problems import PlacespendError
from placespend.engine.ledger import ledger_of
from placespend.engine.tables import place_ids
from placespend.estimate.centre_out import Estimate, estimate_place, regional_vintages
from placespend.estimate.criteria import shipped_criteria
from placespend.estimate.every_place_estimate import estimate_all_places
from placespend.estimate.indicators import indicator_all_places, indicator_for_areas, place_areas
from placespend.report.estimate_output import comparison_dict, estimate_dict
from placespend.report.money import to_json

from conftest import Cli, demo_copy, line, write_csv

YEAR = "2008-09"
LONDON = ("E09000001", "E09000002", "E09000003")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    return demo_copy(tmp_path_factory.mktemp("demo") / "demo.duckdb")


@pytest.fixture(scope="module")
def pilots(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """The workspace of test_pilots_compare.py: the demo plus PESA 2009, ONS population and the lookup."""
    return build_pilots(tmp_path_factory)[0]


@pytest.fixture(scope="module")
def awkward(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """London of three districts and places that can, and cannot, be estimated:

    duo: two London districts (fine); partial: a London district and one the lookup does not know (a note);
    split: districts in London and the North East (several regions); nowhere: an unknown district (no region);
    north: a North East district, which has spend but no population figures (zero for the region);
    welsh: declared in Wales, which has no spend; scots: declared in Scotland, which has spend but no districts;
    bare: a London district with no figures of its own (refused, naming its areas).
    Two spend files make two vintages (a note); 'needs' lacks one of its indicators (refused for every place).
    """
    folder = tmp_path_factory.mktemp("awkward")
    cli = Cli(folder / "awkward.duckdb")
    members = {"duo": LONDON[:2], "partial": (LONDON[0], "E09000099"), "split": (LONDON[2], "E06000001"),
               "nowhere": ("E09000098",), "north": ("E06000001",), "welsh": ("W06000001",),
               "scots": ("S12000033",), "bare": ("E09000033",)}
    declared = {"welsh": "Wales", "scots": "Scotland"}
    cli("import", write_csv(folder / "places.csv", [
        {"place": p, "name": p.title(), "area": a, "region": declared.get(p, "")} for p, areas in members.items()
        for a in areas]))
    cli("import", write_csv(folder / "lookup.csv", [
        *({"relation": "lad_region", "child": a, "parent": "E12000007"} for a in (*LONDON, "E09000033")),
        {"relation": "lad_region", "child": "E06000001", "parent": "E12000001"}]))
    stats = [{"area": a, "period": "2019", "indicator": i, "value": v}
             for a, pop in zip(LONDON, (100, 300, 600), strict=True)
             for i, v in (("population", pop), ("population_0_18", pop // 4), ("population_65_plus", pop // 6),
                          ("imd_average_score", "20.5"), ("population_age_weighted_health", pop * 2))]
    cli("import", write_csv(folder / "stats.csv", stats))
    spend = [{"period": YEAR, "region": r, "cofog": c, "amount": a}
             for r in ("London", "North East", "Scotland") for c, a in (("10", "1000000.00"), ("07", "333333.33"))]
    cli("import", write_csv(folder / "older.csv", spend[:2]))  # an earlier vintage, London only
    cli("import", write_csv(folder / "spend.csv", spend))
    cli("ingest", *(write_csv(folder / f"{row['spender']}.csv", [row]) for row in (
        line(place=LONDON[0], amount="300000.00", cofog="10", spender="lbx", basis="budget"),
        line(place=LONDON[1], amount="5000.00", cofog="08", spender="lot", spender_type="lottery",
             apportionment="population_proxy", place_share="0.5"),
        line(place="E06000001", amount="7000.00", cofog="07", spender="nhs1", spender_type="nhs"))))
    return cli


@pytest.fixture(params=["demo", "pilots", "awkward"])
def workspace(request: pytest.FixtureRequest) -> Iterator[tuple[Backend, list[str]]]:
    """A read-only connection and the places to compare: every place, plus bare area codes (known or not)."""
    cli: Cli = request.getfixturevalue(request.param)
    con = ibis.duckdb.connect(str(cli.db), read_only=True)
    yield con, [*place_ids(con), "E09000023", "E09000001", "E99999999"]
    con.disconnect()


def as_data(result: Estimate | PlacespendError) -> Any:
    """Every field, as values and as printed JSON; an error as its type and message."""
    if isinstance(result, PlacespendError):
        return type(result).__name__, str(result)
    return asdict(result), to_json(estimate_dict(result))


def one_by_one(con: Backend, places: list[str], criteria: CriteriaSet, vintage: str | None = None) -> dict[str, Any]:
    results = {}
    for place in places:
        try:
            results[place] = as_data(estimate_place(ledger_of(con), place, YEAR, criteria, vintage))
        except PlacespendError as exc:
            results[place] = as_data(exc)
    return results


@pytest.mark.parametrize("criteria", ["population", "needs"])
def test_all_places_estimate_is_estimate_place_for_each_place(workspace, criteria):
    con, places = workspace
    chosen = shipped_criteria(criteria)
    everywhere = estimate_all_places(ledger_of(con), YEAR, chosen, places=places)
    assert set(everywhere) == set(places)
    assert {p: as_data(e) for p, e in everywhere.items()} == one_by_one(con, places, chosen)
    by_default = estimate_all_places(ledger_of(con), YEAR, chosen)
    assert list(by_default) == place_ids(con)
    assert {p: as_data(e) for p, e in by_default.items()} == one_by_one(con, place_ids(con), chosen)


def test_every_refusal_and_note_is_the_same(awkward):
    con = ibis.duckdb.connect(str(awkward.db), read_only=True)
    places = place_ids(con)
    got = {p: as_data(e) for p, e in estimate_all_places(ledger_of(con), YEAR, shipped_criteria("population")).items()}
    assert got == one_by_one(con, places, shipped_criteria("population"))
    messages = {p: v[1] for p, v in got.items() if isinstance(v[1], str) and v[0] == "PlacespendError"}
    assert set(messages) == {"split", "nowhere", "north", "welsh", "scots", "bare"}, messages
    assert "spans several regions" in messages["split"] and "unknown" in messages["nowhere"]
    assert "zero or missing for North East" in messages["north"]
    assert "no identifiable spending for Wales" in messages["welsh"]
    assert "No 'population' row for region Scotland (S92000003) and no districts" in messages["scots"]
    assert messages["bare"] == ("No 'population' figures for bare (areas E09000033); import them "
                                "(placespend import FILE).")
    notes = got["partial"][0]["notes"]
    assert any("E09000099" in n for n in notes) and any("also available" in n for n in notes)
    # Two spend files, two vintages: the estimate is of the one imported last, named on it and in its note; a
    # vintage that does not exist is refused with those that do.
    latest, earlier = "canonical:spend.csv", "canonical:older.csv"  # a canonical file's vintage is its name
    assert regional_vintages(ledger_of(con), YEAR) == [latest, earlier]
    assert got["partial"][0]["vintage"] == latest
    assert f"regional spend from {latest}; also available: {earlier}" in notes
    with pytest.raises(PlacespendError) as refused:
        estimate_place(ledger_of(con), "duo", YEAR, shipped_criteria("population"), "no-such-vintage")
    assert str(refused.value) == f"Vintage no-such-vintage has no figures for {YEAR}; available: {latest}, {earlier}."
    needs = estimate_all_places(ledger_of(con), YEAR, shipped_criteria("needs"))
    assert {p: as_data(e) for p, e in needs.items()} == one_by_one(con, places, shipped_criteria("needs"))
    for vintage, period in (("canonical:nope.csv", YEAR), (None, "2010-11")):  # refused for every place
        everywhere = estimate_all_places(ledger_of(con), period, shipped_criteria("population"), vintage)
        alone = {}
        for place in places:
            with pytest.raises(PlacespendError) as raised:
                estimate_place(ledger_of(con), place, period, shipped_criteria("population"), vintage)
            alone[place] = as_data(raised.value)
        assert {p: as_data(e) for p, e in everywhere.items()} == alone
    con.disconnect()


def compare_one_by_one(con: Backend, places: list[str], criteria: list[CriteriaSet],
                       vintage: str | None = None) -> tuple[list[Comparison], Decimal | None]:
    """The old `compare_places`: `compare_place` in a loop."""
    rows = [compare_place(ledger_of(con), place, YEAR, criteria, vintage) for place in places]
    both = [r for r in rows if r.centre_out and r.locally_led is not None]
    total_a = sum((r.centre_out for r in both), Decimal(0))  # type: ignore[misc]
    total_b = sum((r.locally_led for r in both), Decimal(0))  # type: ignore[misc]
    return rows, (difference(total_a, total_b) if total_a else None)


@pytest.mark.parametrize("sets", [["population", "needs"], ["needs", "population"], ["population"]])
def test_compare_places_is_compare_place_for_each_place(workspace, sets):
    con, places = workspace
    criteria = [shipped_criteria(name) for name in sets]
    old_rows, old_aggregate = compare_one_by_one(con, places, criteria)
    rows, aggregate = compare_places(ledger_of(con), places, YEAR, criteria)
    assert [asdict(r) for r in rows] == [asdict(r) for r in old_rows]
    assert to_json(comparison_dict(rows, aggregate)) == to_json(comparison_dict(old_rows, old_aggregate))
    assert aggregate == old_aggregate
    # not vacuous: the demo has no regional spend (every A refused, B counted), the others have bridges
    assert any(r.bridge for r in rows) or (all(r.problem for r in rows) and any(r.locally_led for r in rows))


def test_compare_on_the_pilots_has_bridges_and_by_cofog(pilots):
    con = ibis.duckdb.connect(str(pilots.db), read_only=True)
    rows, aggregate = compare_places(ledger_of(con), place_ids(con), YEAR, [shipped_criteria("population")])
    pilot_rows = [r for r in rows if r.place.startswith("tp-")]
    assert aggregate is not None and len(pilot_rows) == 13
    assert all(r.bridge and len(r.by_cofog) == 10 for r in pilot_rows if r.locally_led is not None)
    con.disconnect()


def test_all_places_count_has_the_bridge_breakdowns(workspace):
    con, places = workspace
    everywhere = count_all_places(ledger_of(con), YEAR, places, bridge=True)
    for place in places:
        one = count_place(ledger_of(con), place, YEAR)
        if not one.lines:
            assert place not in everywhere
            continue
        got = everywhere[place]
        assert (got.total, got.lines, got.unreported_transfers, got.eliminated_transfers, got.by_cofog,
                got.by_spender_type, got.by_basis, got.by_method) == \
            (one.total, one.lines, one.unreported_transfers, one.eliminated_transfers, one.by_cofog,
             one.by_spender_type, one.by_basis, one.by_method), place
    plain = count_all_places(ledger_of(con), YEAR)
    assert {p: (c.total, c.by_cofog) for p, c in plain.items() if p in everywhere} == \
        {p: (c.total, c.by_cofog) for p, c in everywhere.items() if p in plain}


@pytest.mark.parametrize(("indicator", "duo"), [("population", 400), ("population*imd_average_score", 400 * 20.5)])
def test_indicator_all_places_is_indicator_for_areas_of_each_place(awkward, indicator, duo):
    con = ibis.duckdb.connect(str(awkward.db), read_only=True)
    ledger = ledger_of(con)
    everywhere = indicator_all_places(ledger, indicator, YEAR)
    assert everywhere == {p: indicator_for_areas(ledger, place_areas(ledger, p), indicator, YEAR)
                          for p in place_ids(con)}
    assert everywhere["duo"].value == Decimal(duo) and everywhere["duo"].areas == 2 and everywhere["north"].areas == 0
    with pytest.raises(PlacespendError, match="No 'households' statistics"):
        indicator_all_places(ledger_of(con), "households", YEAR)
    con.disconnect()


def test_indicator_all_places_on_the_pilots(pilots):
    con = ibis.duckdb.connect(str(pilots.db), read_only=True)
    ledger = ledger_of(con)
    everywhere = indicator_all_places(ledger, "population", YEAR)
    assert everywhere == {p: indicator_for_areas(ledger, place_areas(ledger, p), "population", YEAR)
                          for p in place_ids(con)}
    con.disconnect()


def test_cli_compare_prints_what_it_printed_place_by_place(awkward):
    out = awkward.json("compare", "--year", YEAR, "--place", "duo", "--place", "north", "--place", "E09000003")
    con = ibis.duckdb.connect(str(awkward.db), read_only=True)
    rows, aggregate = compare_one_by_one(con, ["duo", "north", "E09000003"],
                                         [shipped_criteria("population"), shipped_criteria("needs")])
    con.disconnect()
    assert out == json.loads(to_json(comparison_dict(rows, aggregate)))
    assert out["places"][1]["problem"] and out["places"][0]["bridge"]
