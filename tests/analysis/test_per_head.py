"""Per-head and need-adjusted spend: seed 000 footnote 14's Lewisham and Durham, and outlier flags.

Footnote 14: raw health spend per head of Lewisham and Durham "look almost identical but after
adjustments to reflect the differential in health-related deprivation ... the revised spend per capita in
Lewisham is actually about 60% of what is spent in Durham". The figures below are invented to show it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from analysis_support import AnalyseCli, read

from placespend.analysis.benchmark import benchmark
from placespend.analysis.per_head import per_head
from placespend.domain.problems import PlacespendError
from placespend.engine.ledger import ledger_of

from conftest import line

D = Decimal
LEWISHAM, DURHAM, HARTLEPOOL, YEAR = "E09000023", "E06000047", "E06000001", "2008-09"


def stats(area: str, population: int, imd: str) -> list[dict[str, object]]:
    # population at the 2008 and 2010 vintages, IMD at the 2010 edition: the nearest vintage to 2008-09 of
    # each (the need index sets 2010 need against 2010 heads; per head uses 2008 heads)
    return [{"area": area, "period": period, "indicator": "population", "value": population}
            for period in ("2008", "2010")] + [
        {"area": area, "period": "2010", "indicator": "imd_average_score", "value": imd}]


@pytest.fixture
def footnote14(cli, make_csv):
    """Equal raw health spend per head (GBP 1,000), Lewisham more deprived (IMD 30) than Durham (18)."""
    cli("ingest", make_csv("lewisham-pct.csv", [line(spender="lewisham-pct", spender_type="nhs", cofog="07",
                                                     amount="250000000.00")]),
        make_csv("lbl.csv", [line(spender="lbl", cofog="10", amount="100000000.00")]),
        make_csv("durham.csv", [line(place=DURHAM, spender="durham-pct", spender_type="nhs", cofog="07",
                                     amount="250000000.00")]))
    cli("import", make_csv("stats.csv", [*stats(LEWISHAM, 250_000, "30"), *stats(DURHAM, 250_000, "18"),
                                         *stats(HARTLEPOOL, 250_000, "36")]))
    return cli


def test_equal_raw_per_head_differs_after_need_adjustment(footnote14, engine):
    with read(footnote14.db, engine) as con:
        report = per_head(ledger_of(con), [LEWISHAM, DURHAM], YEAR, division="07")
    lewisham, durham = report.places
    # raw: 250,000,000 / 250,000 = 1,000 per head in both
    assert lewisham.per_head == durham.per_head == D(1000)
    # need = population x IMD: 7,500,000 and 4,500,000; the group's rate = 12,000,000 / 500,000 = 24 per head.
    # index: Lewisham 30 / 24 = 1.25, Durham 18 / 24 = 0.75
    assert (lewisham.need_index, durham.need_index) == (D("1.25"), D("0.75"))
    # adjusted: 1,000 / 1.25 = 800 and 1,000 / 0.75 = 1,333.33: Lewisham is 60% of Durham
    assert lewisham.need_adjusted == D(800)
    assert round(durham.need_adjusted, 2) == D("1333.33")
    assert round(lewisham.need_adjusted / durham.need_adjusted, 6) == D("0.6")
    # the index and vintages are named
    assert report.need_indicator == "population*imd_average_score" and report.need_vintage == "2010"
    assert report.need_nearest is True and report.population_vintage == "2008"


def test_all_spend_per_head_and_the_cli_json(footnote14):
    out = AnalyseCli(footnote14.db).json("per-head", "-p", LEWISHAM, "-p", DURHAM, "-y", YEAR)
    rows = {row["place"]: row for row in out["places"]}
    # Lewisham all spend: 250m + 100m = 350m / 250,000 = 1,400; adjusted 1,400 / 1.25 = 1,120
    assert (rows[LEWISHAM]["per_head"], rows[LEWISHAM]["need_adjusted_per_head"]) == (1400, 1120)
    assert rows[DURHAM]["per_head"] == 1000 and rows[DURHAM]["need_index"] == 0.75
    assert out["need_index"]["indicator"] == "population*imd_average_score"
    assert out["need_index"]["reference"] == "group" and out["population_vintage"] == "2008"
    assert "Tukey" in out["outlier_rule"]
    assert rows[LEWISHAM]["flags"] == {"per_head": None, "need_adjusted_per_head": None}  # 2 places: no flags
    table = AnalyseCli(footnote14.db)("per-head", "-p", LEWISHAM, "-p", DURHAM, "-y", YEAR, "--cofog", "7").stdout
    assert "£800.00" in table and "population*imd_average_score" in table


def test_need_relative_to_england(footnote14, make_csv, engine):
    footnote14("import", make_csv("lookup.csv", [
        {"relation": "lad_region", "child": LEWISHAM, "parent": "E12000007"},
        {"relation": "lad_region", "child": DURHAM, "parent": "E12000001"},
        {"relation": "lad_region", "child": HARTLEPOOL, "parent": "E12000001"}]))
    with read(footnote14.db, engine) as con:
        report = per_head(ledger_of(con), [LEWISHAM, DURHAM], YEAR, division="07", reference="england")
    lewisham, durham = report.places
    # England: 250,000 x (30 + 18 + 36) / 750,000 = 28 per head; index 30/28 and 18/28
    assert lewisham.need_index == D(30) / D(28) and durham.need_index == D(18) / D(28)
    # 1,000 x 28/30 = 933.33 and 1,000 x 28/18 = 1,555.56: still 60%
    assert round(lewisham.need_adjusted, 2) == D("933.33") and round(durham.need_adjusted, 2) == D("1555.56")


def test_missing_need_indicator_is_a_note_and_missing_population_an_error(footnote14, cli, engine):
    with read(footnote14.db, engine) as con:
        report = per_head(ledger_of(con), [LEWISHAM], YEAR, need_indicator="population_age_weighted_health")
        assert report.places[0].need_adjusted is None
        assert "No 'population_age_weighted_health' statistics" in report.notes[0]
        with pytest.raises(PlacespendError, match="No 'households' statistics"):
            per_head(ledger_of(con), [LEWISHAM], YEAR, population_indicator="households")


def test_outlier_flags_over_four_places(cli, make_csv, engine):
    areas = {"E06000001": "100000.00", "E06000002": "110000.00", "E06000003": "120000.00", "E06000004": "500000.00"}
    cli("ingest", *[make_csv(f"{a}.csv", [line(place=a, spender=f"c{a}", amount=amt)]) for a, amt in areas.items()])
    cli("import", make_csv("pop.csv", [{"area": a, "period": "2008", "indicator": "population", "value": 100}
                                       for a in areas]))
    with read(cli.db, engine) as con:
        report = per_head(ledger_of(con), list(areas), YEAR, need_indicator=None)
    # per head 1,000 / 1,100 / 1,200 / 5,000.  Q1 = 1,000 + 0.75 x 100 = 1,075; Q3 = 1,200 + 0.25 x 3,800
    # = 2,150; IQR 1,075; fences 1,075 - 1,612.5 = -537.5 and 2,150 + 1,612.5 = 3,762.5: 5,000 is high.
    summary = report.benchmarks["per_head"]
    assert (summary.q1, summary.q3, summary.high_fence) == (D(1075), D(2150), D("3762.5"))
    assert [row.flags["per_head"] for row in report.places] == [None, None, None, "high"]
    assert report.benchmarks["need_adjusted_per_head"] is None


def test_benchmark_quartiles_match_excel_quartile_inc():
    # QUARTILE.INC({10,11,12,13,40}): Q1 = 11, median 12, Q3 = 13; IQR 2, fences 8 and 16
    summary = benchmark([D(40), D(10), D(12), D(11), D(13)])
    assert (summary.q1, summary.median, summary.q3, summary.low_fence, summary.high_fence) == (
        11, 12, 13, 8, 16)
    assert summary.flag(D(40)) == "high" and summary.flag(D(7)) == "low" and summary.flag(D(12)) is None
    # mean 86 / 5 = 17.2; squared deviations 51.84 + 38.44 + 27.04 + 17.64 + 519.84 = 654.8; sample SD
    # sqrt(654.8 / 4) = sqrt(163.7);  z of 40 = 22.8 / sqrt(163.7)
    assert summary.mean == D("17.2") and summary.sd == D("163.7").sqrt()
    assert summary.z(D(40)) == D("22.8") / D("163.7").sqrt()
