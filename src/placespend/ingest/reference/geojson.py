"""Boundaries from GeoJSON (ONS ward, LSOA and district layers): one row per feature, geometry kept as text.

The code and name come from the ONS-style properties (WD13CD / WD13NM, LSOA11CD, LAD25CD ...); the level and
the vintage are read from the property name, so 2013 and 2025 ward boundaries can sit side by side.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from placespend.domain.problems import Report
from placespend.ingest.reference.batch import Probe, Reader, ReferenceBatch, conform
from placespend.ingest.reference.registry import open_text, register

LEVELS = {"WD": "ward", "LSOA": "lsoa", "MSOA": "msoa", "LAD": "lad", "OA": "oa"}
CODE_KEY = re.compile(r"^(WD|LSOA|MSOA|LAD|OA)(\d{2})CD$", re.IGNORECASE)


def _is_geojson(probe: Probe) -> bool:
    head = "".join(probe.head)[:2000].replace(" ", "")
    return not probe.sheets and '"type":"featurecollection"' in head


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
    features = data.get("features") or []
    columns: dict[str, list[object]] = {k: [] for k in ("code", "name", "level", "vintage", "geometry")}
    for index, feature in enumerate(features, start=1):
        properties = feature.get("properties") or {}
        found = _code_key(properties)
        if found is None or not feature.get("geometry"):
            report.error("feature-unidentified", "This feature has no ONS area code property (e.g. WD13CD) or no "
                         "geometry.", row=index)
            continue
        key, level, vintage = found
        name_key = key[:-2] + "NM"
        name = next((v for k, v in properties.items() if k.upper() == name_key.upper()), None)
        for column, value in (("code", str(properties[key]).strip()), ("name", name), ("level", level),
                              ("vintage", vintage), ("geometry", json.dumps(feature["geometry"]))):
            columns[column].append(value)
    if not features:
        report.error("features-missing", "The GeoJSON has no features.")
    return [ReferenceBatch("boundaries", conform("boundaries", columns))] if report.ok else []


register(Reader("geojson-boundaries", "boundaries", _is_geojson, read_geojson,
                "Boundaries (GeoJSON FeatureCollection with ONS code properties)"))
