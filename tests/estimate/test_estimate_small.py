"""The centre-out estimate and the comparison on a small, hand-worked region (DESIGN.md §5)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from conftest import line

D = Decimal


@pytest.fixture
def region(cli, make_csv):
    """Region London with three districts; place 'duo' is two of them."""
    cli("import", make_csv("places.csv", [
        {"place": "duo", "name": "Duo", "area": "E09000001"}, {"place": "duo", "name": "Duo", "area": "E09000002"},
    ]))
    cli("import", make_csv("lookup.csv", [{"relation": "lad_region", "child": f"E0900000{i}", "parent": "E12000007"}
                                          for i in (1, 2, 3)]))
    stats = []
    for area, pop, young, old, households, imd in (("E09000001", 100, 30, 10, 40, "20.5"),
                                                   ("E09000002", 300, 60, 50, 120, "30"),
                                                   ("E09000003", 600, 90, 60, 250, "10")):
        for indicator, value in (("population", pop), ("population_0_18", young), ("population_65_plus", old),
                                 ("households", households), ("imd_average_score", imd),
                                 ("population_age_weighted_health", pop * 2)):
            stats.append({"area": area, "period": "2019", "indicator": indicator, "value": value})
    cli("import", make_csv("stats.csv", stats))
    cli("import", make_csv("spend.csv", [
        {"period": "2008-09", "region": "London", "cofog": c, "amount": a}
        for c, a in (("10", "1000000.00"), ("07", "500000.00"), ("09", "333333.33"), ("03", "10.01"))
    ] + [{"period": "2008-09", "region": "North East", "cofog": "10", "amount": "999"}]))
    return cli


def test_population_estimate_by_hand(region, engine):
    out = region.json("estimate", "--place", "duo", "--year", "2008-09", "--engine", engine)
    share = D(400) / D(1000)  # population of the two districts over the region's
    want = {c: (D(a) * share).quantize(D("0.01"), ROUND_HALF_UP) for c, a in
            (("10", "1000000.00"), ("07", "500000.00"), ("09", "333333.33"), ("03", "10.01"))}
    assert {k: D(str(v)) for k, v in out["by_cofog"].items() if v} == want
    assert D(str(out["total"])) == sum(want.values())
    assert out["region"] == "London" and out["indicators"]["population"]["vintage"] == "2019"
    # The ratio's two sides as summed by hand: the place's two districts, the region's three.
    population = out["indicators"]["population"]
    assert (D(str(population["place"])), D(str(population["region"])), population["place_areas"],
            population["region_areas"]) == (D(400), D(1000), 2, 3)
    assert any("nearest vintage 2019" in note for note in out["notes"])
    # One vintage of regional spend, and both districts in the region by the lookup: neither note applies.
    assert not [note for note in out["notes"] if "also available" in note or "not found" in note], out["notes"]


def test_needs_estimate_by_hand(region, engine):
    out = region.json("estimate", "--place", "duo", "--year", "2008-09", "--criteria", "needs", "--engine", engine)
    # education: 0-18 share = 90/180; social protection: 0.5 x 65+ share (60/120) + 0.5 x deprivation-weighted
    # population share ((100*20.5 + 300*30) / (100*20.5 + 300*30 + 600*10)).
    deprived = (D(100) * D("20.5") + D(300) * 30) / (D(100) * D("20.5") + D(300) * 30 + D(600) * 10)
    social = D("0.5") * D(60) / D(120) + D("0.5") * deprived
    assert D(str(out["by_cofog"]["09"])) == (D("333333.33") * D(90) / D(180)).quantize(D("0.01"), ROUND_HALF_UP)
    assert D(str(out["by_cofog"]["10"])) == (D("1000000.00") * social).quantize(D("0.01"), ROUND_HALF_UP)


def test_user_criteria_file_is_checked(region, tmp_path):
    bad = tmp_path / "mine.csv"
    bad.write_text("cofog,indicator,weight,explanation\n*,population,0.6,x\n*,households,0.3,y\n")
    result = region("estimate", "--place", "duo", "--year", "2008-09", "--criteria", str(bad), expect=2)
    assert "sum to 0.9" in result.output


def test_compare_difference_and_bridge(region, make_csv, engine):
    region("ingest", make_csv("lbl.csv", [line(place="E09000001", amount="300000.00", cofog="10")]),
           make_csv("lot.csv", [line(place="E09000002", amount="5000.00", cofog="08", spender="lot",
                                     spender_type="lottery", capital_revenue="capital")]))
    out = region.json("compare", "--year", "2008-09", "--place", "duo", "--engine", engine)
    row = out["places"][0]
    a, b = D(str(row["centre_out"])), D(str(row["locally_led"]))
    assert b == D("305000.00")
    assert abs(D(str(row["difference"])) - (1 - b / a)) < D("1e-12")
    reasons = {item["reason"]: item["amount"] for item in row["bridge"]}
    assert D(str(reasons["bodies out of PESA scope"])) == D("5000.00")
    assert set(row["a_range"]) == {"population", "needs"}
    assert D(str(out["aggregate_difference"])) == D(str(row["difference"]))
