"""Fire and transport authorities spanning several districts, placed by population share (seed 004, the
Local Spend Mapping Template: "as a last resort a population based proxy"), on the real RS 2010-11 table, the
ONS LAD19 -> fire authority lookup and the ONS mid-2019 populations."""

from __future__ import annotations

import csv
import gzip
from decimal import Decimal
from pathlib import Path

from placespend.domain.ledger_lines import FlowLine
from placespend.domain.problems import Report
from placespend.ingest.multi_area import Members, place_by_population, population_parts

from conftest import write_csv

LOOKUP = "lookups-ons-jtrim/133_lad19_to_fire_rescue_authority_EW.csv.gz"
POPULATION = "population-demographr/population19_ltla19.csv"
RS_2010 = "revenue-outturn-RS-bbc/rs_2010-11_net_current_expenditure_by_LA_gbp_thousands.csv"


def _districts(data: Path, fra: str) -> list[str]:
    with gzip.open(data / LOOKUP, "rt", encoding="utf-8-sig") as handle:
        return sorted(row["LAD19CD"] for row in csv.DictReader(handle) if row["FRA19CD"] == fra)


def _populations(data: Path) -> dict[str, Decimal]:
    with (data / POPULATION).open(encoding="utf-8") as handle:
        return {row["ltla19_code"]: Decimal(row["total_population"]) for row in csv.DictReader(handle)}


def _published_total_service_expenditure(data: Path, ecode: str) -> Decimal:
    """The RS table's own 'TOTAL SERVICE EXPENDITURE' cell of one authority, GBP thousand -> pounds."""
    with (data / RS_2010).open(encoding="utf-8-sig", errors="replace") as handle:
        rows = csv.reader(handle)
        header = next(rows)
        at = next(i for i, name in enumerate(header) if name.startswith("TOTAL SERVICE EXPENDITURE"))
        return next(Decimal(row[at]) * 1000 for row in rows if row and row[0] == ecode)


def _proxied(cli, place: str) -> Decimal:
    count = cli.json("count", "--place", place, "--year", "2010-11")
    return Decimal(str(count["by_apportionment"].get("population_proxy", 0)))


def test_fire_and_transport_authorities_are_placed_in_their_districts_by_population(cli, shared_data):
    for name in (LOOKUP, POPULATION):
        cli("import", shared_data / name)
    result = cli("import", shared_data / RS_2010)
    assert "placed-by-population" in result.output
    people = _populations(shared_data)

    # Avon fire (E6101 -> E31000001): Bath and NE Somerset, Bristol, North Somerset, South Gloucestershire.
    avon = _districts(shared_data, "E31000001")
    assert len(avon) == 4
    avon_total = _published_total_service_expenditure(shared_data, "E6101")
    assert avon_total == Decimal("45498000")
    parts = {lad: _proxied(cli, lad) for lad in avon}
    assert sum(parts.values()) == avon_total  # to the penny
    whole = sum(people[lad] for lad in avon)
    for lad, part in parts.items():
        assert abs(part - avon_total * people[lad] / whole) <= Decimal("0.02")  # two lines, each within a penny

    # Greater Manchester: its fire authority (E6142) and passenger transport authority (E6342) had no ONS code;
    # both served the ten districts of E31000040, and Trafford's proxied money is its population share of both.
    manchester = _districts(shared_data, "E31000040")
    assert len(manchester) == 10 and "E08000009" in manchester
    gm_total = sum(_published_total_service_expenditure(shared_data, e) for e in ("E6142", "E6342"))
    gm_whole = sum(people[lad] for lad in manchester)
    trafford = _proxied(cli, "E08000009")
    assert abs(trafford - gm_total * people["E08000009"] / gm_whole) <= Decimal("0.05")
    places = write_csv(cli.db.parent / "gm.csv", [{"place": "gm", "name": "Greater Manchester", "area": lad}
                                                   for lad in manchester])
    cli("import", places, "--kind", "places")
    assert _proxied(cli, "gm") == gm_total


def _line(place: str, amount: str, period: str = "2010-11") -> FlowLine:
    return FlowLine(sheet=None, row=7, period=period, place=place, spender="e6101", spender_type="fire",
                    flow="spend", amount=Decimal(amount), cofog="03.2", cofog_source="crosswalk", line_id="RS-1")


def test_parts_add_up_to_the_penny_with_the_odd_pennies_to_the_largest_remainders():
    assert population_parts(Decimal("100.00"), {"a": Decimal(1), "b": Decimal(1), "c": Decimal(1)}) == {
        "a": Decimal("33.34"), "b": Decimal("33.33"), "c": Decimal("33.33")}
    # 10.00 by 2:1 -> 6.666.. and 3.333..: 6.67 takes the odd penny (remainder 0.6 against 0.3)
    assert population_parts(Decimal("10.00"), {"x": Decimal(2), "y": Decimal(1)}) == {
        "x": Decimal("6.67"), "y": Decimal("3.33")}
    negative = population_parts(Decimal("-10.00"), {"x": Decimal(2), "y": Decimal(1)})
    assert negative == {"x": Decimal("-6.67"), "y": Decimal("-3.33")}


def test_an_authority_without_populations_for_every_district_stays_put_and_is_reported():
    members = {"E31000001": Members("E31000001", "lad_fire_authority", ("E06000022", "E06000023"),
                                    {"2019": {"E06000022": Decimal(100)}})}
    report = Report("rs.csv")
    out = place_by_population([_line("E31000001", "50.00")], members, set(), report)
    assert [(line.place, line.amount) for line in out] == [("E31000001", Decimal("50.00"))]
    assert [w.slug for w in report.warnings] == ["multi-area-unplaced"]


def test_the_nearest_vintage_is_used_and_a_place_the_user_defined_is_left_alone():
    members = {"E31000001": Members("E31000001", "lad_fire_authority", ("A", "B"),
                                    {"2009": {"A": Decimal(1), "B": Decimal(3)},
                                     "2019": {"A": Decimal(1), "B": Decimal(1)}})}
    out = place_by_population([_line("E31000001", "40.00", "2008-09")], members, set(), Report("rs.csv"))
    assert [(line.place, line.amount, line.apportionment) for line in out] == [
        ("A", Decimal("10.00"), "population_proxy"), ("B", Decimal("30.00"), "population_proxy")]
    assert out[0].extra["x_population_vintage"] == "2009"
    kept = place_by_population([_line("E31000001", "40.00")], members, {"E31000001"}, Report("rs.csv"))
    assert [line.place for line in kept] == ["E31000001"]
