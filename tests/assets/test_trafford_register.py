"""Trafford Council's real land and buildings register (../shared/data, the Transparency Code file as published),
checked against counts and sums made here from the CSV itself, and against where its points really are."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from assets_support import TRAFFORD, haversine_m
from pyproj import Geod
from shapely.geometry import mapping

from placespend.domain.problems import Report
from placespend.ingest.insight.boundaries import read_boundaries

from conftest import SHARED, Cli, register_row, write_csv

TRAFFORD_LAD = "E08000009"
# Post towns of the located assets that are not in Trafford: Wythenshawe is Manchester's, Warrington and Wigan
# their own boroughs'. Every other post town of the file (Sale, Altrincham, Stretford, Urmston ...) is Trafford's.
ELSEWHERE = {"Wythenshawe", "Warrington", "Wigan"}


def _rows() -> list[dict[str, str]]:
    with (SHARED / "data" / TRAFFORD).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _trafford_boundary(folder: Path) -> Path:
    """Trafford's district boundary (ONS, generalised, via martinjc/UK-GeoJSON) as GeoJSON for `import`."""
    report = Report("lad")
    lads = read_boundaries(SHARED / "data" / "boundaries-martinjc" / "administrative_eng_topo_lad.json", report,
                           "LAD13CD")
    shape = lads.geometries[lads.codes.index(TRAFFORD_LAD)]
    path = folder / "trafford_lad.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": mapping(
        shape), "properties": {"LAD13CD": TRAFFORD_LAD, "LAD13NM": "Trafford"}}]}))
    return path


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    if not (SHARED / "data" / TRAFFORD).exists():
        pytest.skip("../shared/data is absent")
    folder = tmp_path_factory.mktemp("trafford")
    cli = Cli(folder / "ws.duckdb")
    cli("import", _trafford_boundary(folder))
    result = cli.json("assets", "import", SHARED / "data" / TRAFFORD, "--owner", "Trafford MBC", "--place",
                      TRAFFORD_LAD)
    return cli, result, folder


def test_counts_floor_area_and_assets_without_coordinates(imported):
    cli, result, _ = imported
    rows = _rows()
    located = [r for r in rows if r["GeoX"].strip()]
    assert result["outcome"] == "loaded" and result["ok"]
    assert result["assets"] == len(rows) == 608
    assert result["located"] == len(located) == 373
    assert result["without_coordinates"] == [r["AssetCode"] for r in rows if not r["GeoX"].strip()]
    assert len(result["without_coordinates"]) == 235  # kept and reported, not refused
    floor = sum((Decimal(r["BuildingSize"]) for r in rows if r["BuildingSize"].strip()), Decimal(0))
    assert Decimal(str(result["building_size"])) == floor == Decimal("137070.37")
    listed = cli.json("assets", "list", "--owner", "trafford mbc")
    assert listed["owners"] == [{"owner": "trafford mbc", "assets": 608, "located": 373, "building_size": 137070.37,
                                 "land_area": None, "running_cost": None, "with_running_cost": 0}]


def test_swapped_coordinates_and_mis_cased_tenure_are_repaired_and_said(imported):
    cli, result, _ = imported
    rows = _rows()
    swapped_row = next(n for n, r in enumerate(rows, start=2) if r["PropertyName"] == "Davyhulme Youth Centre")
    original = rows[swapped_row - 2]
    assert float(original["GeoX"]) > 50  # the file has the latitude in GeoX
    repaired = [w for w in result["warnings"] if w["slug"] == "coordinates-repaired"]
    assert [(w["row"], w["column"]) for w in repaired] == [(swapped_row, "GeoX")]
    asset = next(a for a in cli.json("assets", "list")["assets"] if a["asset"] == original["AssetCode"])
    assert (asset["lon"], asset["lat"]) == (float(original["GeoY"]), float(original["GeoX"]))
    assert asset["located"] == "GeoX and GeoY swapped"
    recased = [w for w in result["warnings"] if w["slug"] == "value-recased"]
    mis_cased = [n for n, r in enumerate(rows, start=2) if r["TenureDetail"] == "Leasehold out"]
    assert [w["row"] for w in recased] == mis_cased and len(mis_cased) == 1


def test_points_outside_trafford_are_exactly_those_in_other_boroughs(imported):
    cli, result, _ = imported
    rows = _rows()
    elsewhere = {r["AssetCode"] for r in rows if r["GeoX"].strip() and r["PostTown"] in ELSEWHERE}
    assert len(elsewhere) == 3
    assert {o["asset"] for o in result["outside_place"]} == elsewhere
    assert result["extent"]["method"] == "boundary"
    flagged = {a["asset"]: a["outside_place_m"] for a in cli.json("assets", "list", "--place", TRAFFORD_LAD)["assets"]
               if a["outside_place_m"] is not None}
    assert set(flagged) == elsewhere
    # The Fort (Wigan, WN5) is far outside; Tatton House (Wythenshawe, M23) just over the border.
    codes = {r["PropertyName"]: r["AssetCode"] for r in rows}
    assert flagged[codes["The Fort"]] > 10_000 > flagged[codes["Tatton House"]]


def test_geodesic_distances_to_another_partners_sites(shared_data, tmp_path):
    """A second partner's two sites; every pair within 800 m of a Trafford asset, as brute force finds them."""
    work = Cli(tmp_path / "ws.duckdb")
    work("assets", "import", SHARED / "data" / TRAFFORD, "--owner", "trafford")
    other = [("H1", -2.3520, 53.3885), ("H2", -2.3190, 53.4260)]  # near Altrincham Town Hall, the Claremont Centre
    work("assets", "import", write_csv(tmp_path / "nhs.csv", [register_row(c, x, y) for c, x, y in other]),
         "--owner", "nhs")
    pairs = work.json("assets", "nearby", "--within", "800")["pairs"]
    geod = Geod(ellps="WGS84")
    expected = {}
    for r in _rows():
        if not r["GeoX"].strip():
            continue
        lon, lat = float(r["GeoX"]), float(r["GeoY"])
        if lon > 50:  # the one row with latitude and longitude swapped
            lon, lat = lat, lon
        for code, x, y in other:
            metres = geod.inv(x, y, lon, lat)[2]
            if metres <= 800:
                expected[(code, r["AssetCode"])] = metres
    found = {(p["a"], p["b"]): p["metres"] for p in pairs}
    assert {(p["a_owner"], p["b_owner"]) for p in pairs} == {("nhs", "trafford")}
    assert set(found) == set(expected) and len(found) > 5
    for key, metres in found.items():
        assert metres == pytest.approx(expected[key], abs=0.01)
        a = next(o for o in other if o[0] == key[0])
        b = next(r for r in _rows() if r["AssetCode"] == key[1])
        assert metres == pytest.approx(haversine_m(a[1], a[2], float(b["GeoX"]), float(b["GeoY"])), rel=0.006)
