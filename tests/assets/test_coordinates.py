"""Coordinates in other reference systems, converted to WGS84, against the Ordnance Survey's own worked example.

The OS's "A guide to coordinate systems in Great Britain" (Annex C) projects the OSGB36 point
52°39'27.2531"N 1°43'4.5177"E to easting 651409.903, northing 313177.270. Taking that grid point back to
WGS84 must give the same OSGB36 position moved by the OS's published OSGB36 -> WGS84 Helmert transformation
(tx 446.448 m, ty -125.157 m, tz 542.060 m, scale -20.4894 ppm, rotations 0.1502", 0.2470", 0.8421"), which
this test computes itself on the two ellipsoids (Airy 1830, WGS84).
"""

from __future__ import annotations

import math

import pytest

from placespend.domain.cells import CellError
from placespend.ingest.assets import coordinates

from conftest import register_row, write_csv

OS_EASTING, OS_NORTHING = 651409.903, 313177.270
OS_LAT = 52 + 39 / 60 + 27.2531 / 3600
OS_LON = 1 + 43 / 60 + 4.5177 / 3600


def _osgb36_to_wgs84(lat_deg: float, lon_deg: float) -> tuple[float, float]:
    """Helmert transformation by hand: geodetic -> cartesian (Airy) -> 7 parameters -> geodetic (WGS84)."""
    a, b = 6377563.396, 6356256.909
    e2 = 1 - b * b / (a * a)
    lat, lon = math.radians(lat_deg), math.radians(lon_deg)
    nu = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    x, y, z = nu * math.cos(lat) * math.cos(lon), nu * math.cos(lat) * math.sin(lon), (1 - e2) * nu * math.sin(lat)
    second = math.pi / 180 / 3600
    tx, ty, tz, s = 446.448, -125.157, 542.060, -20.4894e-6
    rx, ry, rz = 0.1502 * second, 0.2470 * second, 0.8421 * second
    x2 = tx + (1 + s) * x - rz * y + ry * z
    y2 = ty + rz * x + (1 + s) * y - rx * z
    z2 = tz - ry * x + rx * y + (1 + s) * z
    a2, b2 = 6378137.0, 6356752.314245
    e22 = 1 - b2 * b2 / (a2 * a2)
    p = math.hypot(x2, y2)
    phi = math.atan2(z2, p * (1 - e22))
    for _ in range(10):
        n2 = a2 / math.sqrt(1 - e22 * math.sin(phi) ** 2)
        phi = math.atan2(z2 + e22 * n2 * math.sin(phi), p)
    return math.degrees(phi), math.degrees(math.atan2(y2, x2))


@pytest.mark.parametrize("name", ["EPSG:27700", "British National Grid", "OSGB36", "bng"])
def test_british_national_grid_against_the_os_worked_example(name):
    lat, lon = _osgb36_to_wgs84(OS_LAT, OS_LON)
    point = coordinates.locate(name, OS_EASTING, OS_NORTHING)
    metres_per_degree = 111_320
    assert abs(point.lat - lat) * metres_per_degree < 0.01
    assert abs(point.lon - lon) * metres_per_degree * math.cos(math.radians(lat)) < 0.01
    assert point.located == "converted from EPSG:27700"
    # OSGB36 and WGS84 differ here by about 100 m, so the datum shift was really applied:
    assert abs(point.lon - OS_LON) * metres_per_degree * math.cos(math.radians(lat)) > 50


def test_blank_system_is_inferred_from_the_numbers_and_said():
    grid = coordinates.locate("", OS_EASTING, OS_NORTHING)
    assert grid.located == "converted from EPSG:27700" and "British National Grid" in grid.note
    degrees = coordinates.locate("", -2.35, 53.39)
    assert (degrees.lon, degrees.lat, degrees.located) == (-2.35, 53.39, "as given") and "WGS84" in degrees.note


def test_unknown_system_and_impossible_degrees_are_errors():
    with pytest.raises(CellError) as unknown:
        coordinates.locate("Mars grid 1", 1, 2)
    assert unknown.value.slug == "crs-unknown"
    with pytest.raises(CellError) as impossible:
        coordinates.locate("WGS84", 200, 95)
    assert impossible.value.slug == "coordinate-out-of-range"


def test_a_grid_register_is_imported_in_wgs84(cli, tmp_path):
    rows = [register_row("G1", OS_EASTING, OS_NORTHING, crs="EPSG:27700"),
            register_row("G2", "651,409.903", "313,177.27", crs="BNG")]
    result = cli.json("assets", "import", write_csv(tmp_path / "grid.csv", rows), "--owner", "norfolk")
    assert result["outcome"] == "loaded" and result["located"] == 2
    lat, lon = _osgb36_to_wgs84(OS_LAT, OS_LON)
    for asset in cli.json("assets", "list")["assets"]:
        assert asset["lat"] == pytest.approx(lat, abs=1e-7) and asset["lon"] == pytest.approx(lon, abs=1e-7)
    pairs = cli.json("assets", "nearby", "--within", "0")["pairs"]
    assert pairs == []  # one owner: never paired with itself
