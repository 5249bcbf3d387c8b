"""Mapping the Money on real Hackney geography: ward figures sum back to the council's total exactly, for the
19 wards of 2013 (through the 2001 LSOAs) and the 21 of today; each ward says which drivers made it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import SHARED, Cli, line, write_csv

HACKNEY = "E09000012"
FILES = ["population-demographr/population19_lsoa11.csv.gz", "lookups-ons-jtrim/135_lsoa11_to_ward2019_EW.csv.gz",
         "lookups-ons-jtrim/083_lsoa01_to_ward2010_EW.csv.gz",
         "lookups-ons-jtrim/220_lsoa01_to_lsoa11_to_lad11_EW.csv.gz",
         "boundaries-martinjc/electoral_eng_wards_by_lad_E09000012.json",
         "lookups-drkane/boundaries_ward_E09000012.geojson"]


@pytest.fixture(scope="module")
def hackney(tmp_path_factory):
    data = SHARED / "data"
    if not data.is_dir():
        pytest.skip("../shared/data is absent")
    folder = tmp_path_factory.mktemp("hackney")
    cli = Cli(folder / "h.duckdb")
    cli("import", *[data / f for f in FILES])
    rows = [line(place=HACKNEY, spender="lbh", amount="123456789.01", cofog="10.2"),
            line(place=HACKNEY, spender="lbh", amount="9876543.21", cofog="09.1", capital_revenue="capital"),
            line(place=HACKNEY, spender="lbh", amount="0.05", cofog="04.5")]
    cli("ingest", write_csv(folder / "lbh.csv", rows))
    return cli


@pytest.mark.parametrize(("vintage", "wards"), [("2010", 19), ("2019", 21)])
def test_wards_sum_back_exactly(hackney, vintage, wards):
    out = hackney.json("wards", "--place", HACKNEY, "--year", "2008-09", "--vintage", vintage)
    total = Decimal("123456789.01") + Decimal("9876543.21") + Decimal("0.05")
    assert len(out["wards"]) == wards
    assert sum(Decimal(str(w["amount"])) for w in out["wards"]) == total
    by_cofog: dict[str, Decimal] = {}
    for figure in out["by_ward_and_cofog"]:
        by_cofog[figure["cofog"]] = by_cofog.get(figure["cofog"], Decimal(0)) + Decimal(str(figure["amount"]))
        assert figure["drivers"] == "1 x population"
    assert by_cofog == {"10": Decimal("123456789.01"), "09": Decimal("9876543.21"), "04": Decimal("0.05")}
    assert out["lsoas"] == 144


def test_ward_shares_follow_population(hackney):
    """With population as the driver, a ward's share of the money is its share of the LSOA population."""
    out = hackney.json("wards", "--place", HACKNEY, "--year", "2008-09", "--vintage", "2019")
    people = {w["ward"]: Decimal(str(w["population"])) for w in out["wards"]}
    assert sum(people.values()) == Decimal(281120)  # ONS mid-2019 Hackney, the sum of its LSOAs
    total = sum(Decimal(str(w["amount"])) for w in out["wards"])
    for ward in out["wards"]:
        expected = total * people[ward["ward"]] / Decimal(281120)
        # each LSOA's share is rounded to the penny per division: a ward of ~8 LSOAs may be a few pence off
        assert abs(Decimal(str(ward["amount"])) - expected) <= Decimal("0.25")


def test_boundaries_import_both_vintages(hackney):
    from placespend.app.workspace import open_workspace

    with open_workspace(hackney.db).read() as con:
        counts = dict(con.con.execute("SELECT vintage, count(*) FROM boundaries WHERE level = 'ward' "
                                      "GROUP BY vintage").fetchall())
    assert counts == {"2013": 19, "2025": 21}


def test_place_page_draws_the_ward_map(hackney):
    """After `placespend wards`, the place page carries a choropleth of the ward totals (boundaries imported)."""
    import json
    import re

    from fastapi.testclient import TestClient

    from placespend.app import accounts
    from placespend.app.workspace import open_workspace
    from placespend.web.app import create_app

    hackney("wards", "--place", HACKNEY, "--year", "2008-09", "--vintage", "2019")
    ws = open_workspace(hackney.db)
    accounts.add_user(ws, "cllr", "a long enough password", "viewer")
    app = create_app(open_workspace(hackney.db))
    try:
        client = TestClient(app)
        client.post("/login", data={"username": "cllr", "password": "a long enough password"})
        page = client.get(f"/places/{HACKNEY}?year=2008-09").text
        figures = json.loads(re.search(r'<script type="application/json" id="figures">(.*?)</script>', page,
                                       re.S).group(1).replace("<\\/", "</"))
        choropleth = figures["wards"]["data"][0]
        assert choropleth["type"] == "choropleth" and len(choropleth["locations"]) == 21
        assert len(choropleth["geojson"]["features"]) == 21
        assert sum(Decimal(str(z)) for z in choropleth["z"]) == Decimal("133333332.27")
    finally:
        app.state.workspace.close()
