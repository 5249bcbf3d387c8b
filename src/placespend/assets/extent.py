"""Where a place is, for saying which assets lie outside it: its own boundary, else the box around its areas.

The best evidence is the place's own boundary (its districts' polygons, imported with `placespend import`).
Without it, the bounding box of the place's LSOA or ward polygons is the next best: every point outside the
box is surely outside the place, though a point inside the box may still be outside it. Each result says
which was used, so nobody reads "inside the box" as "inside the place".
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

BOUNDARY, BOUNDING_BOX, UNKNOWN = "boundary", "bounding box", "none"
GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class PlaceExtent:
    place: str | None
    method: str          # boundary, bounding box or none
    description: str     # what the extent was made from, for people
    shape: BaseGeometry | None = None

    def to_dict(self) -> dict[str, object]:
        return {"place": self.place, "method": self.method, "description": self.description,
                "bounds": list(self.shape.bounds) if self.shape is not None else None}

    def outside(self, lon: float, lat: float) -> float | None:
        """Metres from the point to the extent when it lies outside (geodesic, WGS84), else None."""
        if self.shape is None or shapely.intersects_xy(self.shape, lon, lat):
            return None
        point = shapely.Point(lon, lat)
        nearest = nearest_points(self.shape, point)[0]
        return float(GEOD.inv(lon, lat, nearest.x, nearest.y)[2])


def from_boundary(place: str, shapes: list[BaseGeometry], label: str) -> PlaceExtent:
    return PlaceExtent(place, BOUNDARY, label, _prepared(shapely.union_all(shapes)))


def from_areas(place: str, shapes: list[BaseGeometry], label: str) -> PlaceExtent:
    west, south, east, north = shapely.union_all(shapes).bounds
    return PlaceExtent(place, BOUNDING_BOX, label, _prepared(shapely.box(west, south, east, north)))


def _prepared(shape: BaseGeometry) -> BaseGeometry:
    """Indexed once, so testing thousands of points against a detailed boundary stays quick."""
    shapely.prepare(shape)
    return shape


def unknown(place: str | None, why: str) -> PlaceExtent:
    return PlaceExtent(place, UNKNOWN, why)
