"""`placespend demo` builds a workspace whose count reproduces Lewisham's published figures."""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources

import pytest

from conftest import snapshot


def published(table: str, pilot: str) -> dict[str, Decimal]:
    path = resources.files("placespend.app.demo.data").joinpath("pilots_published.csv")
    with path.open(encoding="utf-8") as handle:
        return {r["measure"]: Decimal(r["value"]) for r in csv.DictReader(handle)
                if r["table"] == table and r["pilot"] == pilot and r["value"]}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from conftest import Cli

    cli = Cli(tmp_path_factory.mktemp("demo") / "demo.duckdb")
    out = cli("demo").stdout
    return cli, out


def test_demo_count_is_lewishams_published_count(demo):
    cli, _ = demo
    count = cli.json("count", "--place", "E09000023", "--year", "2008-09")
    billions = published("table1", "tp-lewisham")["locally_led"]
    assert Decimal(str(count["total"])) == billions * 10**9
    total = Decimal(str(count["total"]))
    shares = published("table2", "tp-lewisham")
    for division in ("10", "07", "09"):
        got = Decimal(str(count["by_cofog"][division])) / total * 100
        assert abs(got - shares[f"cofog_{division}"]) < Decimal("0.5"), division
    bodies = published("table3", "tp-lewisham")
    local = Decimal(str(count["by_spender_type"]["local_authority"])) / total * 100
    assert abs(local - bodies["local_authority"]) < Decimal("0.5")
    assert count["unreported_transfers"] > 0 and count["eliminated_transfers"] > 0


def test_demo_reports_printed_table1_disagreements(demo):
    _, out = demo
    flat = " ".join(out.split())
    assert "tp-kent difference_printed: printed 5.5% but 1 - 8.94/9.45 = 5.40%" in flat
    assert "tp-lewisham difference_printed: printed 6% but 1 - 2.29/2.45 = 6.53%" in flat
    assert "tp-birmingham difference_printed" not in flat


def test_demo_is_idempotent(demo):
    cli, _ = demo
    before = snapshot(cli.db.parent)
    cli("demo")
    history = cli.json("submissions")
    assert all(row["live_slices"] for row in history)
    assert len(history) == len({row["content_hash"] for row in history})
    assert {k: v for k, v in snapshot(cli.db.parent).items() if not k.endswith(".duckdb")} == {
        k: v for k, v in before.items() if not k.endswith(".duckdb")}


def test_demo_lines_are_labelled_synthetic(demo):
    cli, _ = demo
    rows = cli.json("explain", "--place", "E09000023", "--year", "2008-09", "--cofog", "03")
    assert rows
    from placespend.app.workspace import open_workspace

    with open_workspace(cli.db).read() as con:
        unlabelled = con.con.execute("SELECT count(*) FROM flows WHERE extra IS NULL OR extra NOT LIKE "
                                     "'%x_synthetic%'").fetchone()[0]
    assert unlabelled == 0


def _shipped(name: str) -> list[dict[str, str]]:
    with resources.files("placespend.app.demo.data").joinpath(name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_pilot_has_a_centre_out_estimate_from_the_shipped_data(demo):
    """A = R[region, f] x population share, by hand from the shipped CSVs (the region's own row as denominator)."""
    cli, _ = demo
    from placespend.domain.regions import region_code

    population = {r["area"]: Decimal(r["value"]) for r in _shipped("place_statistics.csv")
                  if r["indicator"] == "population"}
    spend: dict[str, dict[str, Decimal]] = {}
    for row in _shipped("regional_spend_pesa2009.csv"):
        spend.setdefault(row["region"], {})[row["cofog"]] = Decimal(row["amount"])
    pilots: dict[str, tuple[str, set[str]]] = {}
    for row in _shipped("pilot_places.csv"):
        pilots.setdefault(row["place"], (row["region"], set()))[1].add(row["area"])
    assert len(pilots) == 13
    for place, (region, areas) in pilots.items():
        region = "East" if region == "East of England" else region
        share = sum(population[a] for a in areas) / population[region_code(region)]
        want = {c: (r * share).quantize(Decimal("0.01"), ROUND_HALF_UP) for c, r in spend[region].items()}
        out = cli.json("estimate", "--place", place, "--year", "2008-09")
        assert {c: Decimal(str(v)) for c, v in out["by_cofog"].items() if v} == {c: v for c, v in want.items() if v}
        assert Decimal(str(out["total"])) == sum(want.values()), place
        assert out["indicators"]["population"]["region_source"] == "region_row", place


def test_places_list_agrees_with_the_place_pages(demo):
    """Each pilot is listed once, with its name, region and the years its page counts (Lewisham's area code
    is inside tp-lewisham, so it is not listed again)."""
    from fastapi.testclient import TestClient

    from placespend.app.demo.build import DEMO_PASSWORD
    from placespend.app.workspace import open_workspace
    from placespend.web.app import create_app

    cli, _ = demo
    count = cli.json("count", "--place", "tp-lewisham", "--year", "2008-09")
    app = create_app(open_workspace(cli.db))
    try:
        client = TestClient(app)
        signed = client.post("/login", data={"username": "analyst", "password": DEMO_PASSWORD},
                             follow_redirects=False)
        assert signed.status_code == 303
        page = client.get("/places").text
        assert page.count('href="/places/E09000023"') == 0
        rows = {row["place"]: row for row in _shipped("pilot_places.csv")}
        for row in rows.values():
            assert row["name"] in page.replace("&#39;", "'") and row["region"] in page
        assert 'href="/places/tp-lewisham?year=2008-09"' in page
        assert "<title>Kent (tp-kent) · placespend</title>" in client.get("/places/tp-kent").text
        api = client.get("/api/places/tp-lewisham?year=2008-09").json()
        assert Decimal(str(api["count"]["total"])) == Decimal(str(count["total"])) == Decimal("2290000000")
    finally:
        app.state.workspace.close()


# ONS, mid-2019 population estimates for the English regions (MYE2, released 24 June 2020).
ONS_MID_2019_REGIONS = {"E12000001": 2_669_941, "E12000002": 7_341_196, "E12000003": 5_502_967,
                        "E12000004": 4_835_928, "E12000005": 5_934_037, "E12000006": 6_236_072,
                        "E12000007": 8_961_989, "E12000008": 9_180_135, "E12000009": 5_624_696}


def test_shipped_region_populations_are_the_published_ones():
    """The estimate divides by the region's own row, so a region short of districts inflates every pilot's A
    (Yorkshire and the Humber was once 1.45m people short: Bradford's A came out 38% above Table 1's)."""
    shipped = {row["area"]: int(row["value"]) for row in _shipped("place_statistics.csv")
               if row["area"].startswith("E12") and row["indicator"] == "population"}
    assert shipped == ONS_MID_2019_REGIONS


def test_shipped_region_rows_are_the_sum_of_their_districts(shared_data):
    """Recomputed from the raw ONS file with the ONS LAD -> region lookup, plus the districts created in 2019
    that the 2018 lookup cannot know (their regions from the same file's successor areas)."""
    import gzip

    with gzip.open(shared_data / "lookups-ons-jtrim/016_lad18_to_region_England.csv.gz", "rt",
                   encoding="utf-8-sig") as handle:
        region_of = {row["LAD18CD"]: row["RGN18CD"] for row in csv.DictReader(handle)}
    region_of |= {"E06000058": "E12000009", "E06000059": "E12000009", "E07000246": "E12000009",
                  "E07000244": "E12000006", "E07000245": "E12000006"}
    sums: dict[str, dict[str, int]] = {}
    with (shared_data / "population-demographr/population19_ltla19.csv").open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            region = region_of.get(row["ltla19_code"])
            if region:
                ages = [int(row[str(age)]) for age in range(90)] + [int(row["90+"])]
                cells = sums.setdefault(region, {"population": 0, "population_0_18": 0, "population_65_plus": 0})
                cells["population"] += int(row["total_population"])
                cells["population_0_18"] += sum(ages[:19])
                cells["population_65_plus"] += sum(ages[65:])
    shipped: dict[str, dict[str, int]] = {}
    for row in _shipped("place_statistics.csv"):
        if row["area"].startswith("E12"):
            shipped.setdefault(row["area"], {})[row["indicator"]] = int(row["value"])
    assert shipped == sums
def test_lewishams_area_code_is_estimated_from_the_shipped_lookup(demo):
    """E09000023 has no place definition: its region comes from the shipped LAD -> region lookup, and its estimate
    is R[London, f] x Lewisham's share of London's population, by hand from the shipped CSVs (= tp-lewisham's)."""
    cli, _ = demo
    lookup = {row["LADCD"]: row["RGNNM"] for row in _shipped("lad_region_lookup.csv")}
    assert lookup["E09000023"] == "London"
    population = {r["area"]: Decimal(r["value"]) for r in _shipped("place_statistics.csv")
                  if r["indicator"] == "population"}
    share = population["E09000023"] / population["E12000007"]
    want = {r["cofog"]: (Decimal(r["amount"]) * share).quantize(Decimal("0.01"), ROUND_HALF_UP)
            for r in _shipped("regional_spend_pesa2009.csv") if r["region"] == "London"}
    out = cli.json("estimate", "--place", "E09000023", "--year", "2008-09")
    assert out["region"] == "London" and Decimal(str(out["total"])) == sum(want.values())
    assert out == {**cli.json("estimate", "--place", "tp-lewisham", "--year", "2008-09"), "place": "E09000023"}


def test_every_listed_place_has_a_name_and_a_region(demo):
    """The pilots by their definitions; Greenwich (the out-of-scope L&Q line) by the shipped lookup."""
    cli, _ = demo
    rows = cli.json("places")
    assert all(row["name"] != row["place"] and row["region"] for row in rows), rows
    lookup = {row["LADCD"]: (row["LADNM"], row["RGNNM"]) for row in _shipped("lad_region_lookup.csv")}
    assert [(r["name"], r["region"]) for r in rows if r["place"] == "E09000011"] == [lookup["E09000011"]]
