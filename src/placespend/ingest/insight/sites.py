"""Candidate sites for access points (`site`, `lon`, `lat`, optional `name`): WGS84 degrees, one row a site."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from placespend.domain.problems import Report
from placespend.ingest.insight.area_values import parse_number
from placespend.ingest.insight.csv_table import read_csv_table

LIMITS = {"lon": 180, "lat": 90}


@dataclass
class Sites:
    codes: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    points: list[tuple[float, float]] = field(default_factory=list)  # (lon, lat)


def read_sites(path: Path, report: Report) -> Sites | None:
    table = read_csv_table(path, report, ("site", "lon", "lat"), "sites")
    if table is None:
        return None
    found, rows = Sites(), {}
    for number, cells in table.rows:
        code = cells["site"]
        if not code:
            report.error("site-missing", "The site id is blank.", row=number, column="site")
            continue
        if code in rows:
            report.error("site-duplicated", f"Site {code} is already in row {rows[code]}.", row=number,
                         column="site", value=code)
            continue
        point = []
        for column, limit in LIMITS.items():
            value = parse_number(cells[column])
            if value is None or abs(value) > limit:
                report.error("coordinate-invalid", f"'{cells[column]}' is not a {column} in degrees (-{limit} to "
                             f"{limit}).", row=number, column=column, value=cells[column])
            else:
                point.append(float(value))
        if len(point) == 2:
            rows[code] = number
            found.codes.append(code)
            found.names.append(cells.get("name", "") or code)
            found.points.append((point[0], point[1]))
    if report.ok and not found.codes:
        report.error("file-empty", "The sites file has no sites.")
    return found if report.ok else None
