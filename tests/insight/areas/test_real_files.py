"""The open files insight users have (../shared/data), imported and checked against counts made here from the
files themselves and against published figures: IoD 2019 Files 2 and 6, ONS mid-2019 LSOA population, the
LSOA -> ward 2019 lookup, Lewisham's LSOA boundaries and the CDRC 2011 OAC for Leeds."""

from __future__ import annotations

import csv
import gzip
from collections import Counter

import pytest

from placespend.app.workspace import open_workspace

from conftest import SHARED, Cli

LEWISHAM = "E09000023"
FILES = ["imd2019-lsoa/File_2_-_IoD2019_Domains_of_Deprivation.csv.gz",
         "imd2019-lsoa/File_6_-_IoD2019_Population_Denominators.csv.gz",
         "population-demographr/population19_lsoa11.csv.gz",
         "lookups-ons-jtrim/135_lsoa11_to_ward2019_EW.csv.gz",
         "lookups-drkane/boundaries_lsoa11_E09000023.geojson",
         "oac2011-leeds-cdrc/leeds_OAs_attributes.csv"]


def _rows(name: str) -> list[dict[str, str]]:
    path = SHARED / "data" / name
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    if not (SHARED / "data").is_dir():
        pytest.skip("../shared/data is absent")
    run = Cli(tmp_path_factory.mktemp("real") / "real.duckdb")
    run("import", *[SHARED / "data" / f for f in FILES])
    return run


def _count(cli: Cli, sql: str, *params: object) -> int:
    with open_workspace(cli.db).read() as con:
        return con.con.execute(sql, list(params)).fetchone()[0]


def test_iod_domains_and_denominators(cli):
    domains = _rows(FILES[0])
    assert len(domains) == 32844
    assert _count(cli, "SELECT count(DISTINCT area) FROM place_statistics WHERE indicator = 'imd_income_rank' "
                  "AND period = '2019'") == len(domains)
    # File 6's denominators describe mid-2015 and keep that vintage
    assert _count(cli, "SELECT count(*) FROM place_statistics WHERE indicator = 'population_imd2019' "
                  "AND period = '2015'") == len(_rows(FILES[1]))


def test_lewisham_lsoas_and_population(cli):
    lookup = [r for r in _rows(FILES[3]) if r["LAD19CD"] == LEWISHAM]
    out = cli.json("insight", "profile", "--place", LEWISHAM)
    assert len(out["rows"]) == len(lookup) == 169
    # ONS mid-2019 estimate for Lewisham (population19_ltla19.csv): 305,842 = the sum of its LSOAs
    published = next(r for r in _rows("population-demographr/population19_ltla19.csv") if r["ltla19_code"] == LEWISHAM)
    assert int(published["total_population"]) == 305842
    assert sum(r["population"] for r in out["rows"]) == 305842
    wards = cli.json("insight", "profile", "--place", LEWISHAM, "--level", "ward")
    assert len(wards["rows"]) == len({r["WD19CD"] for r in lookup}) == 18
    assert sum(r["population"] for r in wards["rows"]) == 305842


def test_oac_imported_as_three_classifications(cli):
    oac = _rows(FILES[5])
    found = {c["classification"]: c for c in cli.json("insight", "classifications")}
    assert found["oac2011_supergroup"]["areas"] == len(oac) == 2543
    assert found["oac2011_supergroup"]["segments"] == len({r["supgrpcode"] for r in oac}) == 8
    assert found["oac2011_subgroup"]["segments"] == 69
    suburbanites = Counter(r["supgrpname"] for r in oac)["Suburbanites"]
    assert suburbanites == 541  # PROVENANCE.txt's count
    assert _count(cli, "SELECT count(*) FROM area_classifications WHERE classification = 'oac2011_supergroup' "
                  "AND segment_name = 'Suburbanites'") == suburbanites


def test_lewisham_segments_reproducible_and_mapped(cli):
    first = cli.json("insight", "segments", "--place", LEWISHAM, "--k", "5", "--seed", "0", "--runs", "3")
    again = cli.json("insight", "segments", "--place", LEWISHAM, "--k", "5", "--seed", "0", "--runs", "3")
    assert first["assignments"] == again["assignments"] and first["areas"] == 169
    assert first["stability"]["seeds"] == [1, 2, 3]
    assert 0 < first["stability"]["min"] <= first["stability"]["mean"] <= 1
    assert sum(s["population"] for s in first["segments"]) == 305842
    shown = cli.json("insight", "map", "--place", LEWISHAM, "--column", "segment")
    assert shown["drawn"] == shown["areas"] == 169
    trace = shown["figure"]["data"][0]
    assert sum(len(t["locations"]) for t in shown["figure"]["data"]) == 169
    assert trace["type"] == "choroplethmap" and shown["figure"]["layout"]["map"]["style"] == "white-bg"
    assert sum(len(t["geojson"]["features"]) for t in shown["figure"]["data"]) == 169
