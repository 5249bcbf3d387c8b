"""Output areas, LSOAs, MSOAs and wards are areas of a place (seed 000 §5.3 "profiles of small areas"), from
the open files users have (../shared/data): Lewisham's 2011 output areas from their TopoJSON boundaries (each
carries its district, LAD11CD), its MSOAs from drkane's MSOA -> LAD lookup and the MSOA boundaries, LSOAs from
the ONS LSOA -> ward lookup. Counts are checked against the files themselves, people against ONS mid-2019."""

from __future__ import annotations

import csv
import gzip
import json

import pytest
from fastapi.testclient import TestClient

from placespend.app.workspace import open_workspace
from placespend.web.app import create_app

from conftest import SHARED, Cli, write_csv

LEWISHAM = "E09000023"
DATA = SHARED / "data"
OA_TOPOLOGY = DATA / "boundaries-martinjc/statistical_eng_oa_by_lad_topo_E09000023.json"
MSOA_BOUNDARIES = DATA / "lookups-drkane/boundaries_msoa11_E09000023.geojson"
FILES = [DATA / "population-demographr/population19_lsoa11.csv.gz",
         DATA / "lookups-ons-jtrim/135_lsoa11_to_ward2019_EW.csv.gz",
         DATA / "lookups-drkane/msoa_la.csv.gz", MSOA_BOUNDARIES, OA_TOPOLOGY]


def _gz_rows(path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _oa_codes() -> set[str]:
    topology = json.loads(OA_TOPOLOGY.read_text())
    return {g["properties"]["OA11CD"] for o in topology["objects"].values() for g in o["geometries"]}


def _msoas() -> dict[str, str]:
    """Lewisham's 2011 MSOAs, name -> code, from the boundary file."""
    features = json.loads(MSOA_BOUNDARIES.read_text())["features"]
    return {f["properties"]["MSOA11NM"]: f["properties"]["MSOA11CD"] for f in features}


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    if not DATA.is_dir():
        pytest.skip("../shared/data is absent")
    run = Cli(tmp_path_factory.mktemp("levels") / "levels.duckdb")
    run("import", *FILES)
    return run


def test_the_output_areas_of_a_place_come_from_its_boundary_file(cli):
    out = cli.json("insight", "profile", "--place", LEWISHAM, "--level", "oa")
    assert {r["area"] for r in out["rows"]} == _oa_codes() and len(out["rows"]) == 887  # PROVENANCE: 887 OAs
    assert {r["level"] for r in out["rows"]} == {"oa"}
    shown = cli.json("insight", "map", "--place", LEWISHAM, "--level", "oa", "--column", "population")
    assert shown["areas"] == shown["drawn"] == 887


def test_statistics_imported_for_output_areas_are_profiled_and_ranked(cli, tmp_path):
    codes = sorted(_oa_codes())[:3]
    cli("import", write_csv(tmp_path / "oa_people_2011.csv",
                            [{"area": code, "indicator": "population", "value": 300 + 10 * i}
                             for i, code in enumerate(codes)]))
    profile = cli.json("insight", "profile", "--place", LEWISHAM, "--area", codes[2])
    assert profile["profile"]["population"] == 320 and profile["level"] == "oa"
    assert profile["ranks"]["population"] == {"rank": 1, "of": 3}  # 1 = the most people of the three with a value
    assert profile["peers"] == 887


def test_the_msoas_of_a_place_come_from_the_lookups_it_has(cli):
    lookup = {r["MSOACD"] for r in _gz_rows(DATA / "lookups-drkane/msoa_la.csv.gz")
              if r["LADCD_ACTIVE"] == LEWISHAM}
    out = cli.json("insight", "profile", "--place", LEWISHAM, "--level", "msoa")
    assert {r["area"] for r in out["rows"]} == lookup | set(_msoas().values())
    assert set(_msoas().values()) <= {r["area"] for r in out["rows"]} and len(_msoas()) == 36


def test_msoas_are_built_from_their_lsoas_given_an_lsoa_to_msoa_lookup(cli, tmp_path):
    # ONS names every 2011 LSOA after its MSOA and a letter (Lewisham 001A is in Lewisham 001): the lookup
    # is made here from the published names, in the ONS layout `placespend import` reads.
    msoas = _msoas()
    people = {r["lsoa11_code"]: (r["lsoa11_name"], int(r["total_population"]))
              for r in _gz_rows(DATA / "population-demographr/population19_lsoa11.csv.gz")
              if r["lsoa11_name"][:-1] in msoas}
    cli("import", write_csv(tmp_path / "lsoa11_msoa11.csv", [
        {"LSOA11CD": code, "LSOA11NM": name, "MSOA11CD": msoas[name[:-1]], "MSOA11NM": name[:-1]}
        for code, (name, _) in people.items()]))
    out = cli.json("insight", "profile", "--place", LEWISHAM, "--level", "msoa")
    expected: dict[str, int] = {}
    for name, count in people.values():
        expected[msoas[name[:-1]]] = expected.get(msoas[name[:-1]], 0) + count
    assert {r["area"]: r["population"] for r in out["rows"]} == expected and len(expected) == 36
    assert sum(expected.values()) == 305842  # ONS mid-2019 estimate for Lewisham
    client = TestClient(create_app(open_workspace(cli.db), public=True))
    api = client.get(f"/api/insight/places/{LEWISHAM}/profiles?level=msoa").json()
    assert [(r["area"], r["population"]) for r in api["rows"]] == [(r["area"], r["population"]) for r in out["rows"]]


def test_an_unknown_level_is_refused(cli):
    result = cli("insight", "profile", "--place", LEWISHAM, "--level", "county", expect=2)
    assert "level must be one of oa, lsoa, msoa, ward" in result.output
