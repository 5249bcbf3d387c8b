"""Co-location: assets of different partners within a walking distance of each other (DESIGN.md §7, Assets).

Distances are geodesics on the WGS84 ellipsoid (pyproj's Geod, Karney's algorithm), exact to well under a
millimetre. Measuring every pair of thousands of sites would be millions of geodesics, so a ball tree first
finds the candidates within a slightly larger great-circle radius (a sphere's distance differs from the
ellipsoid's by under 0.6%, so a 1% margin misses no pair), and only those are measured exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyproj import Geod
from sklearn.neighbors import BallTree

from placespend.domain.assets import Asset

GEOD = Geod(ellps="WGS84")
EARTH_MEAN_RADIUS_M = 6_371_008.8
PREFILTER_MARGIN = 1.01
METHOD = ("geodesic distance on the WGS84 ellipsoid (pyproj.Geod); candidates found first with a haversine "
          "ball tree at 1% more than the distance")


@dataclass(frozen=True)
class Pair:
    a: Asset
    b: Asset
    metres: float

    def to_dict(self) -> dict[str, object]:
        return {"a": self.a.asset_code, "a_owner": self.a.owner, "b": self.b.asset_code, "b_owner": self.b.owner,
                "metres": round(self.metres, 2), "a_name": self.a.name, "b_name": self.b.name}


def geodesic_metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    """WGS84 geodesic distances between arrays of points (degrees)."""
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2], dtype=float)


def pairs_within(assets: list[Asset], metres: float) -> list[Pair]:
    """Every pair of located assets of different owners at most `metres` apart, nearest first.

    In each pair `a` is the one whose (owner, code) sorts first, so a pair is listed once and always alike.
    """
    located = sorted((a for a in assets if a.has_point), key=lambda a: (a.owner, a.asset_code))
    if len(located) < 2 or metres < 0:
        return []
    lonlat = np.array([(a.lon, a.lat) for a in located], dtype=float)
    tree = BallTree(np.radians(lonlat[:, ::-1]), metric="haversine")
    radius = metres * PREFILTER_MARGIN / EARTH_MEAN_RADIUS_M
    firsts, seconds = [], []
    for i, neighbours in enumerate(tree.query_radius(np.radians(lonlat[:, ::-1]), r=radius)):
        for j in neighbours[neighbours > i]:
            if located[i].owner != located[j].owner:
                firsts.append(i)
                seconds.append(int(j))
    if not firsts:
        return []
    first, second = np.array(firsts), np.array(seconds)
    distance = geodesic_metres(lonlat[first, 0], lonlat[first, 1], lonlat[second, 0], lonlat[second, 1])
    found = [Pair(located[i], located[j], float(d)) for i, j, d in zip(first, second, distance, strict=True)
             if d <= metres]
    return sorted(found, key=lambda p: (p.metres, p.a.key, p.b.key))
