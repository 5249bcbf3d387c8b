"""Boundaries from GeoJSON or TopoJSON (ONS ward, LSOA, MSOA, output area and district layers): one row per
feature, geometry kept as GeoJSON text.

The code and name come from the ONS-style properties (WD13CD / WD13NM, LSOA11CD, LAD25CD ...); the level and
the vintage are read from the property name, so 2013 and 2025 ward boundaries can sit side by side.

Output-area and MSOA layers usually say which district each area lies in (OA11CD with LAD11CD, MSOA11CD with
LADCD_ACTIVE): that is also kept, as an `oa_lad` / `msoa_lad` lookup, so the areas of a place at those levels
are known from the boundary file itself (seed 000 §5.3: profiles of small areas). LSOA and ward layers are
left to the ONS lookups, which say it with names and vintages.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from placespend.domain.problems import Report
from placespend.ingest.decoding import open_text
from placespend.ingest.insight.boundaries import topology_features
from placespend.ingest.reference.batch import Probe, Reader, ReferenceBatch, conform

LEVELS = {"WD": "ward", "LSOA": "lsoa", "MSOA": "msoa", "LAD": "lad", "OA": "oa"}
CODE_KEY = re.compile(r"^(WD|LSOA|MSOA|LAD|OA)(\d{2})CD$", re.IGNORECASE)
DISTRICT_KEY = re.compile(r"^LAD(\d{2})?CD(_ACTIVE)?$", re.IGNORECASE)
LOOKUP_LEVELS = ("oa", "msoa")  # levels whose boundary files also give the area -> district lookup


def _is_geojson(probe: Probe) -> bool:
    head = "".join(probe.head)[:2000].replace(" ", "").lower()
    return not probe.sheets and ('"type":"featurecollection"' in head or '"type":"topology"' in head)


def _district(properties: dict) -> str | None:
    """The district an area lies in, when the feature says (LAD11CD, LADCD_ACTIVE ...)."""
    return next((str(v).strip().upper() for k, v in properties.items() if DISTRICT_KEY.match(k) and v), None)


def _code_key(properties: dict) -> tuple[str, str, str] | None:
    """The first area-code property, preferring the finest level (a ward layer also carries LAD25CD)."""
    found = [(key, CODE_KEY.match(key)) for key in properties]
    matches = [(key, m) for key, m in found if m]
    if not matches:
        return None
    order = ["OA", "LSOA", "MSOA", "WD", "LAD"]
    key, match = min(matches, key=lambda km: order.index(km[1].group(1).upper()))
    return key, LEVELS[match.group(1).upper()], "20" + match.group(2)


def read_geojson(path: Path, report: Report) -> list[ReferenceBatch]:
    try:
        data = json.loads(open_text(path).read())
    except json.JSONDecodeError as exc:
        report.error("json-invalid", f"The file is not valid JSON: {exc.msg}.", row=exc.lineno, column=str(exc.colno))
        return []
    if isinstance(data, dict) and data.get("type") == "Topology":
        data = {"features": [{"properties": p, "geometry": g} for p, g in topology_features(data, report)]}
    features = data.get("features") if isinstance(data, dict) else None
    if features is not None and not isinstance(features, list):
        features = None
    if features is None and report.ok:
        report.error("geojson-invalid", "The file is JSON but not a GeoJSON FeatureCollection (an object whose "
                     "'features' is a list of features); export the boundaries again as GeoJSON.")
        return []
    features = features or []
    columns: dict[str, list[object]] = {k: [] for k in ("code", "name", "level", "vintage", "geometry")}
    lookup: dict[str, list[object]] = {k: [] for k in ("relation", "child", "child_name", "parent", "parent_name",
                                                       "vintage")}
    for index, feature in enumerate(features, start=1):
        properties = (feature.get("properties") if isinstance(feature, dict) else None) or {}
        found = _code_key(properties) if isinstance(properties, dict) else None
        if found is None or not feature.get("geometry"):
            report.error("feature-unidentified", "This feature has no ONS area code property (e.g. WD13CD) or no "
                         "geometry.", row=index)
            continue
        key, level, vintage = found
        name_key = key[:-2] + "NM"
        name = next((v for k, v in properties.items() if k.upper() == name_key.upper()), None)
        code = str(properties[key]).strip()
        for column, value in (("code", code), ("name", name), ("level", level),
                              ("vintage", vintage), ("geometry", json.dumps(feature["geometry"]))):
            columns[column].append(value)
        district = _district(properties) if level in LOOKUP_LEVELS else None
        if district and district != code:
            for column, value in (("relation", f"{level}_lad"), ("child", code), ("child_name", name),
                                  ("parent", district), ("parent_name", None), ("vintage", vintage)):
                lookup[column].append(value)
    if not features:
        report.error("features-missing", "The file has no features.")
    if not report.ok:
        return []
    batches = [ReferenceBatch("boundaries", conform("boundaries", columns))]
    if lookup["child"]:
        batches.append(ReferenceBatch("area_lookup", conform("area_lookup", lookup),
                                      f"{lookup['relation'][0]} from the boundaries' district codes"))
    return batches


# This module's readers, in the order they are tried (ingest.registry lists every module's).
READERS = (
    Reader("geojson-boundaries", "boundaries", _is_geojson, read_geojson,
           "Boundaries (GeoJSON FeatureCollection or TopoJSON topology with ONS code properties)"),
)
