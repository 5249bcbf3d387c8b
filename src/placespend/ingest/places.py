"""The canonical places CSV (DESIGN.md §6): a place is a named composite of ONS areas."""

from __future__ import annotations

from pathlib import Path

from placespend.domain import vocabulary as v
from placespend.domain.cells import as_text
from placespend.domain.places import Place
from placespend.domain.problems import Report
from placespend.ingest import tabular

PLACE_COLUMNS = {"place", "name", "area", "region"}


def read_places(path: Path, display_name: str | None = None) -> tuple[Report, list[Place]]:
    """Places with their member areas, or a report of every bad row and no places."""
    report = Report(display_name or path.name)
    sheet, rows = tabular.read_rows(path, report, sheet="Places")
    table = tabular.locate_header(rows, PLACE_COLUMNS, report, sheet) if report.ok else None
    if table is None:
        return report, []
    at = {name: i for i, name in enumerate(table.header) if name}
    for needed in ("place", "name", "area"):
        if needed not in at:
            report.error("column-missing", f"The required column '{needed}' is missing.", row=table.header_row,
                         column=needed)
    if not report.ok:
        return report, []
    places: dict[str, Place] = {}
    for number, cells in table.rows:
        def cell(name: str, cells: list[object] = cells) -> str:
            i = at.get(name)
            return as_text(cells[i]) if i is not None and i < len(cells) else ""
        place, name, area = v.normalise_place(cell("place")), cell("name"), cell("area").upper()
        if not place or not area:
            report.error("required-missing", "Each row needs a place and an area.", row=number,
                         column="place" if not place else "area")
            continue
        if not v.GSS_PATTERN.match(area):
            report.error("area-invalid", f"'{area}' is not an ONS GSS code such as E07000110.", row=number,
                         column="area", value=area)
            continue
        entry = places.setdefault(place, Place(place, name or place, cell("region") or None))
        if area in entry.areas:
            report.warn("area-duplicated", f"Area {area} is listed twice for place {place}.", row=number,
                        column="area")
        else:
            entry.areas.append(area)
    report.rows_read = len(table.rows)
    return report, list(places.values()) if report.ok else []
