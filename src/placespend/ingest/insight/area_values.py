"""A value per area (`area`, `value`): what a hotspot map shows, or the demand an access-point plan serves.

Values are exact decimals as typed (a rank, a count, a rate); each area appears once and every value is a
number, or the file is refused with the row and column to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from placespend.domain.problems import Report
from placespend.ingest.insight.csv_table import read_csv_table


@dataclass
class AreaValues:
    """Values in file order, with the row each came from (so a later check can point at it)."""

    values: dict[str, Decimal] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


def parse_number(text: str) -> Decimal | None:
    """A number as people type it ('1,234', '12.5'); None when it is not one."""
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def read_area_values(path: Path, report: Report, column: str = "value") -> AreaValues | None:
    table = read_csv_table(path, report, ("area", column), "values")
    if table is None:
        return None
    found = AreaValues()
    for number, cells in table.rows:
        area, text = cells["area"], cells[column]
        if not area:
            report.error("area-missing", "The area code is blank.", row=number, column="area")
            continue
        if area in found.rows:
            report.error("area-duplicated", f"Area {area} already has a value in row {found.rows[area]}.",
                         row=number, column="area", value=area)
            continue
        value = parse_number(text)
        if value is None:
            slug, message = (("value-missing", f"Area {area} has no {column}.") if not text else
                             ("value-not-number", f"'{text}' is not a number."))
            report.error(slug, message, row=number, column=column, value=text)
            continue
        found.values[area], found.rows[area] = value, number
    if report.ok and not found.values:
        report.error("file-empty", "The values file has no areas.")
    return found if report.ok else None
