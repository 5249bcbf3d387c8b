"""Area boundaries for insight maps and statistics, from GeoJSON or TopoJSON (the ONS-derived files users have).

The area code is a feature property: the one the user names, or by default the first property whose name
ends in `CD` (DESIGN.md §7: `LSOA11CD`, `WD13CD` ...). TopoJSON is decoded here (arcs stitched, quantised
positions undone, per the TopoJSON 1.0 specification) so both formats give the same shapely polygons and the
same problems, positioned by feature number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from placespend.domain.problems import Report

POLYGONAL = {"Polygon", "MultiPolygon"}


@dataclass
class Boundaries:
    """Polygons by area code, in file order; `id_property` is the property the codes came from."""

    id_property: str
    codes: list[str] = field(default_factory=list)
    geometries: list[BaseGeometry] = field(default_factory=list)


def read_boundaries(path: Path, report: Report, id_property: str | None = None) -> Boundaries | None:
    """The file's polygons keyed by area code, or None with the reasons in `report`."""
    document = _load_json(path, report)
    if document is None:
        return None
    kind = document.get("type") if isinstance(document, dict) else None
    if kind == "FeatureCollection":
        features = [(f.get("properties") or {}, f.get("geometry")) for f in document.get("features") or []
                    if isinstance(f, dict)]
    elif kind == "Topology":
        features = topology_features(document, report)
    else:
        report.error("boundaries-not-geojson", "The file is neither a GeoJSON FeatureCollection nor a TopoJSON "
                     "Topology; export the boundaries as GeoJSON.")
        return None
    if not features:
        report.error("features-missing", "The boundary file has no features.")
        return None
    key = id_property or _default_key(features[0][0])
    if key is None:
        names = ", ".join(features[0][0]) or "none"
        report.error("id-property-missing", f"No feature property ends in CD (the area code, e.g. LSOA11CD); the "
                     f"properties are: {names}. Name the code property with --id-property.", row=1)
        return None
    return _collect(features, key, report)


def _load_json(path: Path, report: Report) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        report.error("encoding-invalid", "The boundary file is not UTF-8 text.")
    except json.JSONDecodeError as exc:
        report.error("json-invalid", f"The file is not valid JSON: {exc.msg}.", row=exc.lineno, column=str(exc.colno))
    return None


def _default_key(properties: dict[str, Any]) -> str | None:
    return next((key for key in properties if key.upper().endswith("CD")), None)


def _collect(features: list[tuple[dict[str, Any], Any]], key: str, report: Report) -> Boundaries | None:
    found = Boundaries(key)
    first_seen: dict[str, int] = {}
    for number, (properties, geometry) in enumerate(features, start=1):
        code = str(properties.get(key) or "").strip()
        if not code:
            report.error("id-property-missing", f"Feature {number} has no '{key}' property (the area code).",
                         row=number, column=key)
            continue
        if code in first_seen:
            report.error("area-duplicated", f"Area {code} appears twice (features {first_seen[code]} and {number}).",
                         row=number, column=key, value=code)
            continue
        first_seen[code] = number
        polygon = _polygon(geometry)
        if polygon is None:
            report.error("geometry-not-polygon", f"Feature {number} ({code}) has no polygon geometry.",
                         row=number, column="geometry", value=code)
            continue
        found.codes.append(code)
        found.geometries.append(polygon)
    return found if report.ok else None


def _polygon(geometry: Any) -> BaseGeometry | None:
    if not isinstance(geometry, dict) or geometry.get("type") not in POLYGONAL:
        return None
    try:
        polygon = shape(geometry)
    except (ValueError, TypeError, IndexError, AttributeError):
        return None
    return None if polygon.is_empty else polygon


def topology_features(topology: dict[str, Any], report: Report) -> list[tuple[dict[str, Any], Any]]:
    """Every geometry of every object as (properties, GeoJSON geometry); objects are read in file order."""
    try:
        arcs = _decoded_arcs(topology)
        features = []
        for collection in (topology.get("objects") or {}).values():
            members = collection.get("geometries", [collection]) if collection.get("type") == "GeometryCollection" \
                else [collection]
            for member in members:
                features.append((member.get("properties") or {}, _topology_geometry(member, arcs)))
        return features
    except (KeyError, IndexError, TypeError, AttributeError, ValueError):
        report.error("topojson-invalid", "The TopoJSON topology cannot be decoded (its arcs or objects are "
                     "malformed); export the boundaries again.")
        return []


def _decoded_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Absolute positions of every arc: quantised arcs are delta-encoded and scaled (TopoJSON §2.1.2)."""
    transform = topology.get("transform")
    decoded = []
    for arc in topology["arcs"]:
        if transform is None:
            decoded.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Stitch a ring from arc indexes; a negative index ~i is arc i reversed; shared end points are dropped."""
    ring: list[tuple[float, float]] = []
    for index in indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


def _topology_geometry(member: dict[str, Any], arcs: list[list[tuple[float, float]]]) -> dict[str, Any] | None:
    kind = member.get("type")
    if kind == "Polygon":
        return {"type": kind, "coordinates": [_ring(r, arcs) for r in member["arcs"]]}
    if kind == "MultiPolygon":
        return {"type": kind, "coordinates": [[_ring(r, arcs) for r in p] for p in member["arcs"]]}
    return None
