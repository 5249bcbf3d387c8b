"""Per head in the figure's own year: the vintage shown beside the figure when only another exists, and a
back-cast by the region's own change (Eurostat NUTS 1), on the real ONS and Eurostat files, through the CLI and
the place page. Hackney 2008-09 from ONS mid-2019 (281,120) and London's change from 1 Jan 2009 is worked by hand."""

from __future__ import annotations

import csv
from decimal import Decimal

from fastapi.testclient import TestClient

from placespend.app import accounts
from placespend.app.workspace import open_workspace
from placespend.web.app import create_app

from conftest import line, write_csv

POPULATION = "population-demographr/population19_ltla19.csv"
EUROSTAT = "population-demographr/eurostat_demo_r_d2jan_uk_nuts1_population_1990_2018.csv"
REGIONS = "lookups-ons-jtrim/016_lad18_to_region_England.csv.gz"
HACKNEY = "E09000012"
SPEND = Decimal("10000000.00")


def _by_hand(data) -> tuple[Decimal, Decimal]:
    """Hackney's 2019 population and its back-cast to mid-2008 by London's change (1 Jan 2009 / mid-2019)."""
    hackney, london_2019, london_2009 = _read_by_hand(data)
    return hackney, (hackney * london_2009 / london_2019).quantize(Decimal(1))


def _read_by_hand(data) -> tuple[Decimal, Decimal, Decimal]:
    """Hackney's and London's ONS mid-2019 populations, and London's Eurostat population on 1 January 2009."""
    with (data / POPULATION).open(encoding="utf-8") as handle:
        people = {row["ltla19_code"]: Decimal(row["total_population"]) for row in csv.DictReader(handle)}
    london_2019 = sum(value for code, value in people.items() if code.startswith("E09"))  # the 33 boroughs
    with (data / EUROSTAT).open(encoding="utf-8") as handle:
        london_2009 = next(Decimal(row["Value"]) for row in csv.DictReader(handle)
                           if row["GEO"] == "UKI" and row["TIME"] == "2009")
    assert people[HACKNEY] == 281120 and london_2009 == 7877924
    return people[HACKNEY], london_2019, london_2009


def _workspace(cli, tmp_path, data, *, eurostat: bool = True) -> None:
    cli("ingest", write_csv(tmp_path / "hackney.csv", [line(place=HACKNEY, spender="lbh", amount=str(SPEND))]))
    for name in (POPULATION, REGIONS, *([EUROSTAT] if eurostat else [])):
        cli("import", data / name)


def test_per_head_shows_the_vintage_and_offers_a_backcast(cli, tmp_path, shared_data):
    hackney_2019, backcast = _by_hand(shared_data)
    _workspace(cli, tmp_path, shared_data)
    report = cli.json("analyse", "per-head", "--place", HACKNEY, "--year", "2008-09", "--need", "none")
    [row] = report["places"]
    assert row["population"] == hackney_2019 and row["population_vintage"] == "2019"
    assert row["population_nearest_vintage"] is True
    assert row["per_head"] == float((SPEND / hackney_2019).quantize(Decimal("0.01")))  # 35.57
    assert row["backcast"]["population"] == backcast
    assert row["backcast"]["per_head"] == float((SPEND / backcast).quantize(Decimal("0.01")))
    assert row["backcast"]["region"] == "E12000007" and row["backcast"]["region_date"] == "2009-01-01"
    assert row["backcast"]["label"] == "back-cast to 2008-09 from ONS 2019"
    # Each term of the back-cast as printed: place at the vintage x region in the year / region at the vintage.
    _, london_2019, london_2009 = _read_by_hand(shared_data)
    assert (row["backcast"]["period"], row["backcast"]["vintage"], row["backcast"]["vintage_population"]) == \
        ("2008-09", "2019", hackney_2019)
    assert (row["backcast"]["region_population_in_year"], row["backcast"]["region_population_at_vintage"]) == \
        (london_2009, london_2019)
    assert row["backcast"]["method"].startswith("back-cast by the region's own change")
    assert any("back-cast" in note for note in report["notes"])

    table = cli("analyse", "per-head", "--place", HACKNEY, "--year", "2008-09", "--need", "none").stdout
    text = " ".join(table.split())  # the terminal wraps the lines below the table
    assert "Population: 'population' 2019 (nearest vintage)." in text
    assert f"Back-cast, {HACKNEY}: £{(SPEND / backcast).quantize(Decimal('0.01')):,.2f} per head" in text
    assert (f"population {backcast:,.0f} in 2008-09 = ONS 2019 281,120 x region E12000007 on 2009-01-01 "
            "7,877,924") in text


def test_the_figures_own_year_is_used_when_imported_and_nothing_is_backcast(cli, tmp_path, shared_data):
    _workspace(cli, tmp_path, shared_data)
    own = write_csv(tmp_path / "stats.csv", [{"area": HACKNEY, "period": "2008", "indicator": "population",
                                               "value": "212200"}])
    cli("import", own)
    [row] = cli.json("analyse", "per-head", "--place", HACKNEY, "--year", "2008-09", "--need", "none")["places"]
    assert row["population_vintage"] == "2008" and row["population_nearest_vintage"] is False
    assert row["per_head"] == float((SPEND / 212200).quantize(Decimal("0.01"))) and row["backcast"] is None


def test_without_the_region_series_the_vintage_is_still_shown_and_no_backcast_is_made(cli, tmp_path, shared_data):
    _workspace(cli, tmp_path, shared_data, eurostat=False)
    report = cli.json("analyse", "per-head", "--place", HACKNEY, "--year", "2008-09", "--need", "none")
    assert report["places"][0]["backcast"] is None and report["places"][0]["population_vintage"] == "2019"
    assert any("Eurostat" in note for note in report["notes"])


def test_place_page_shows_the_vintage_beside_the_figure_and_the_backcast(cli, tmp_path, shared_data):
    hackney_2019, backcast = _by_hand(shared_data)
    _workspace(cli, tmp_path, shared_data)
    ws = open_workspace(cli.db)
    accounts.add_user(ws, "analyst", "correct horse battery", "analyst", None)
    app = create_app(ws)
    try:
        client = TestClient(app)
        assert client.post("/login", data={"username": "analyst", "password": "correct horse battery"},
                           follow_redirects=False).status_code == 303
        page = client.get(f"/places/{HACKNEY}?year=2008-09").text
    finally:
        app.state.workspace.close()
    per_head = (SPEND / hackney_2019).quantize(Decimal("0.01"))
    assert f"£{per_head:,.2f} <span class=\"vintage\">(2019 population)</span>" in page
    assert f"£{(SPEND / backcast).quantize(Decimal('0.01')):,.2f} per head (population {backcast:,.0f}" in page


def test_the_back_cast_reads_the_regions_population_not_another_of_its_figures(cli, tmp_path, shared_data):
    """A region may hold other figures for the same date (households, say, imported earlier): the back-cast takes
    only the Eurostat population on 1 January, so Hackney's figure is London's change as worked by hand."""
    _, backcast = _by_hand(shared_data)
    cli("ingest", write_csv(tmp_path / "hackney.csv", [line(place=HACKNEY, spender="lbh", amount=str(SPEND))]))
    cli("import", write_csv(tmp_path / "households.csv", [
        {"area": "E12000007", "period": "2009", "indicator": "households", "value": "3200000"}]))
    for name in (POPULATION, REGIONS, EUROSTAT):
        cli("import", shared_data / name)
    [row] = cli.json("analyse", "per-head", "--place", HACKNEY, "--year", "2008-09", "--need", "none")["places"]
    assert row["backcast"]["population"] == backcast
    assert row["backcast"]["region_population_in_year"] == 7877924
