"""The real Trafford register's place in ../shared/data, and distance arithmetic independent of placespend's."""

from __future__ import annotations

import math

TRAFFORD = "trafford-360giving-and-spend/trafford_land_and_building_assets.csv"


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float, radius: float = 6_371_008.8) -> float:
    """Great-circle distance on a sphere of the mean Earth radius: within 0.6% of the WGS84 geodesic."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))
