"""An asset's coordinates as the file gives them, turned into the WGS84 longitude and latitude maps use.

The Transparency Code lets each body say which reference system its GeoX/GeoY are in. WGS84 degrees are taken
as they are; anything else PROJ knows (British National Grid EPSG:27700 eastings and northings, Irish Grid,
ETRS89 ...) is converted with pyproj. Without the OSTN15 grid file, PROJ converts British National Grid with
the Ordnance Survey's published 7-parameter Helmert transformation (EPSG:1314), good to a few metres: ample for
a map and for walking distances between sites.

Two real faults are repaired, with a warning, because a person can see what was meant: a blank reference
system with numbers that can only be degrees (or only grid metres), and WGS84 latitude and longitude typed in
each other's columns (Trafford's Davyhulme Youth Centre: GeoX 53.457484, GeoY -2.365856).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from placespend.domain.assets import LOCATED_AS_GIVEN, LOCATED_CONVERTED, LOCATED_SWAPPED
from placespend.domain.cells import CellError

WGS84 = "EPSG:4326"
# Names people write for a system, lower case with single spaces, and the EPSG code meant. "OSGB36" alone is a
# geographic datum to PROJ, but beside eastings and northings it always means its grid.
NAMES = {"wgs84": WGS84, "wgs 84": WGS84, "wgs-84": WGS84, "epsg:4326": WGS84, "4326": WGS84, "lat/long": WGS84,
         "latlong": WGS84, "osgb36": "EPSG:27700", "osgb 36": "EPSG:27700", "osgb": "EPSG:27700",
         "bng": "EPSG:27700", "british national grid": "EPSG:27700", "national grid": "EPSG:27700",
         "27700": "EPSG:27700", "os grid": "EPSG:27700", "etrs89": "EPSG:4258", "irish grid": "EPSG:29903",
         "itm": "EPSG:2157", "irish transverse mercator": "EPSG:2157"}
# Great Britain and Northern Ireland with the sea around them: a point outside is kept but warned about.
UK_LON, UK_LAT = (-8.7, 2.1), (49.8, 60.95)
GRID_EASTING, GRID_NORTHING = (0.0, 700_000.0), (0.0, 1_300_000.0)


@dataclass(frozen=True)
class Point:
    lon: float
    lat: float
    located: str
    note: str = ""  # a repair the reader should warn about


def number(text: str, column: str) -> float:
    try:
        value = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        raise CellError("coordinate-not-number", f"'{text}' is not a number ({column}).") from None
    if not value.is_finite():
        raise CellError("coordinate-not-number", f"'{text}' is not a number ({column}).")
    return float(value)


def in_uk(lon: float, lat: float) -> bool:
    return UK_LON[0] <= lon <= UK_LON[1] and UK_LAT[0] <= lat <= UK_LAT[1]


def _looks_like_degrees(x: float, y: float) -> bool:
    return abs(x) <= 180 and abs(y) <= 90


def _looks_like_grid(x: float, y: float) -> bool:
    return GRID_EASTING[0] <= x <= GRID_EASTING[1] and GRID_NORTHING[0] <= y <= GRID_NORTHING[1] and (x > 180 or y > 90)


@cache
def system(text: str) -> CRS:
    """The reference system a cell names; CellError when PROJ does not know it."""
    spaced = " ".join(text.lower().split())
    try:
        return CRS.from_user_input(NAMES.get(spaced, text.strip()))
    except CRSError:
        raise CellError("crs-unknown", f"'{text}' is not a coordinate reference system this reader knows: give "
                        "WGS84 (longitude, latitude) or British National Grid / EPSG:27700 (easting, "
                        "northing).") from None


@cache
def _to_wgs84(crs: CRS) -> Transformer:
    return Transformer.from_crs(crs, WGS84, always_xy=True)


def locate(crs_text: str, x: float, y: float) -> Point:
    """The WGS84 point of (x, y) in the named system (blank: inferred from the numbers, with a note)."""
    note = ""
    if not crs_text.strip():
        if _looks_like_degrees(x, y):
            crs_text, note = "WGS84", "No reference system is given; the numbers are degrees, read as WGS84."
        elif _looks_like_grid(x, y):
            crs_text, note = "EPSG:27700", ("No reference system is given; the numbers are metres, read as "
                                            "British National Grid eastings and northings (EPSG:27700).")
        else:
            raise CellError("crs-missing", "No reference system is given and the numbers are neither degrees nor "
                            "British National Grid metres; fill CoordinateReferenceSystem.")
    crs = system(crs_text)
    if crs.is_geographic and crs.to_epsg() in (4326, 4258):
        return _degrees(x, y, note)
    lon, lat = _to_wgs84(crs).transform(x, y)
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise CellError("coordinate-out-of-range", f"({x:g}, {y:g}) is outside the area {crs.name} covers.")
    epsg = crs.to_epsg()
    return Point(lon, lat, LOCATED_CONVERTED.format(crs=f"EPSG:{epsg}" if epsg else crs.name), note)


def _degrees(lon: float, lat: float, note: str) -> Point:
    if not in_uk(lon, lat) and in_uk(lat, lon):
        return Point(lat, lon, LOCATED_SWAPPED, (note + " " if note else "") + (
            f"GeoX {lon:g} is a latitude and GeoY {lat:g} a longitude: read the other way round, the point is in "
            "the UK. Correct the file so GeoX holds the longitude."))
    if abs(lon) > 180 or abs(lat) > 90:
        raise CellError("coordinate-out-of-range", f"({lon:g}, {lat:g}) are not WGS84 degrees: GeoX is a longitude "
                        "(-180 to 180) and GeoY a latitude (-90 to 90).")
    return Point(lon, lat, LOCATED_AS_GIVEN, note)
