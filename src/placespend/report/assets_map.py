"""The asset map's frame: a Plotly `scattermap` on MapLibre's blank "white-bg" style with the place's boundaries
as layers, so the map draws from the app alone, offline (no tile, glyph or sprite server is ever asked).

Seed 004's learning history: the partners' joint asset map was "far more influential than a 15 page report on
assets ... it's so visual". The page draws the points itself from the asset rows (so filters and colouring
redraw without a round trip); this module fixes what does not change: the frame, the view and each owner's
colour. Markers are plain circles and carry no text labels, because anything else needs a sprite or glyph
server.
"""

from __future__ import annotations

import json
import math
from typing import Any

from placespend.report.charts import LAYOUT, PALETTE

MAP_STYLE = "white-bg"
WIDTH, HEIGHT = 900, 560  # the map's usual size in pixels, for fitting the view
TILE = 512                # MapLibre's tile size: at zoom z the world is TILE x 2^z pixels wide
UK_VIEW = {"lon": -2.5, "lat": 54.0, "zoom": 4.6}


def owner_colours(owners: list[str]) -> dict[str, str]:
    return {owner: PALETTE[index % len(PALETTE)] for index, owner in enumerate(sorted(set(owners)))}


def _mercator_y(lat: float) -> float:
    lat = max(min(lat, 85.0), -85.0)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fit(bounds: tuple[float, float, float, float] | None) -> dict[str, float]:
    """Centre and zoom that show (west, south, east, north) whole in a WIDTH x HEIGHT map."""
    if bounds is None:
        return dict(UK_VIEW)
    west, south, east, north = bounds
    lon_span = max(east - west, 1e-4)
    y_span = max(_mercator_y(north) - _mercator_y(south), 1e-6)
    zoom_x = math.log2(WIDTH * 360 / (TILE * lon_span))
    zoom_y = math.log2(HEIGHT * 2 * math.pi / (TILE * y_span))
    return {"lon": (west + east) / 2, "lat": math.degrees(2 * math.atan(math.exp(
        (_mercator_y(north) + _mercator_y(south)) / 2)) - math.pi / 2), "zoom": round(min(zoom_x, zoom_y) - 0.3, 2)}


def map_layout(boundaries: list[dict[str, Any]], points: list[tuple[float, float]]) -> dict[str, Any]:
    """The layout: blank style, boundary outlines and a light fill as GeoJSON layers, the view fitted to both."""
    features = [{"type": "Feature", "properties": {"code": b["code"], "name": b.get("name")},
                 "geometry": json.loads(str(b["geometry"]))} for b in boundaries]
    source = {"type": "FeatureCollection", "features": features}
    layers = [{"sourcetype": "geojson", "source": source, "type": "fill", "color": "rgba(31,78,121,0.05)",
               "below": "traces"},
              {"sourcetype": "geojson", "source": source, "type": "line", "color": "#1f4e79",
               "line": {"width": 1.2}, "below": "traces"}] if features else []
    view = fit(bounds(features, [] if features else points))  # the place, not a far-flung outlier, fills the map
    return {**LAYOUT, "height": HEIGHT, "dragmode": "pan", "showlegend": True,
            "legend": {"orientation": "h", "y": -0.02}, "margin": {"l": 0, "r": 0, "t": 10, "b": 0},
            "map": {"style": MAP_STYLE, "center": {"lon": view["lon"], "lat": view["lat"]}, "zoom": view["zoom"],
                    "layers": layers}}


def bounds(features: list[dict[str, Any]], points: list[tuple[float, float]]) -> tuple[float, ...] | None:
    lons = [lon for lon, _ in points]
    lats = [lat for _, lat in points]
    for feature in features:
        for lon, lat in _positions(feature["geometry"]["coordinates"]):
            lons.append(lon)
            lats.append(lat)
    if not lons:
        return None
    return min(lons), min(lats), max(lons), max(lats)


def _positions(coordinates: Any):
    if coordinates and isinstance(coordinates[0], int | float):
        yield coordinates[0], coordinates[1]
        return
    for part in coordinates:
        yield from _positions(part)
