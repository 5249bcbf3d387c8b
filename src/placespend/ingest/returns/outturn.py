"""Revenue outturn by service heading: RS (2010-11 .. 2017-18) and RSX (2021-22 on), basis ``outturn``.

What is counted: each authority's **net current expenditure** on the service headings (education ... other
services), mapped to COFOG by the shipped RSX crosswalk. Their sum is the published *total service
expenditure*, which is used as a check, not counted. Everything after it (housing benefit, levies, precepts,
trading accounts, financing) is reported and not counted; RSX's C1-C6 columns (employees, running costs,
income) are the parts of C7 net current expenditure and are not counted separately.

Recognition, from the file's opening lines:
- RSX: a title naming the Service Expenditure Summary (RSX), or cell ids like ``C7R190`` above the header.
- RS: a header starting ``E-code`` that names *total service expenditure*, in a workbook titled Revenue
  Outturn Summary (RS) / RS LA Data, or a CSV export of its net current expenditure sheet.
The year comes from the title, the sheet name or the file name (``rs_2010-11_...``).
"""

from __future__ import annotations

import re
from pathlib import Path

from placespend.domain import classifications as cls
from placespend.domain import service_headings as headings
from placespend.domain.problems import Report
from placespend.ingest.reference.batch import Probe, Reader, ReferenceBatch
from placespend.ingest.returns import councils
from placespend.ingest.returns.grid import Grid, probe_row, read_grid

CELL_ID = re.compile(r"^c(\d+)r(\d+)$", re.IGNORECASE)
NET_COLUMN = "7"  # RSX column C7: net current expenditure
OTHER_MEASURES = ("capital charges", "capital items", "net total cost", "capital_charges", "net_total_cost")


def _text(probe: Probe) -> str:
    return "\n".join(probe.head)


def is_rsx(probe: Probe) -> bool:
    text = _text(probe)
    return "service expenditure summary (rsx)" in text or ",c7r190," in text.replace(": ", ",")


def is_rs(probe: Probe) -> bool:
    text = _text(probe)
    if is_rsx(probe) or "revenue account budget" in text:
        return False
    if any(name.lower().startswith("rs la data") for name in probe.sheets):
        return True
    has_table = any(probe_row(line, probe).startswith("e-code,") for line in probe.head)
    return has_table and "total service expenditure" in text


def _net_current_sheet(name: str, rows: list[list[str]]) -> bool:
    text = " ".join(" ".join(row) for row in rows).lower()
    return councils.header_index(Grid(rows)) is not None and "net current expenditure" in text


def _above_header(grid: Grid, at: int) -> str:
    return " ".join(" ".join(row) for row in grid.rows[:at])


def read_rs(path: Path, report: Report) -> list[ReferenceBatch]:
    grid = read_grid(path, report, _net_current_sheet)
    if grid is None:
        return []
    table = councils.locate(grid, report)
    if table is None:
        return []
    titles = _above_header(grid, table.header_row)
    measure_text = f"{titles} {grid.sheet or ''} {path.name}".lower()
    if "net current expenditure" not in measure_text.replace("_", " "):
        other = next((m for m in OTHER_MEASURES if m in measure_text), None)
        report.error("measure-not-net-current", f"This table holds {other.replace('_', ' ')}, not net current "
                     "expenditure; import the net current expenditure table (sheet 1) instead." if other else
                     "Neither the title nor the file name says this is net current expenditure; import the "
                     "net current expenditure table of the RS workbook.", sheet=grid.sheet)
        return []
    period = councils.period_of(titles, grid.sheet or "", path.name)
    if period is None:
        report.error("period-unknown", "No financial year (e.g. 2010-11) in the title, sheet or file name.")
        return []
    columns = _rs_columns(table)
    counted = [c for c in columns if c.status == "counted"]
    if not counted:
        report.error("no-service-columns", "No service heading (Education services ... Other services) was found "
                     "in the header row.", sheet=grid.sheet, row=table.header_row + 1)
        return []
    total = next((c for c in columns if c.status == "total"), None)
    councils.check_totals(table, counted, total, report)
    return councils.batches(table, columns, period, "outturn", f"RS {period} outturn", report)


def _rs_columns(table: councils.CouncilTable) -> list[councils.Column]:
    """Service headings up to total service expenditure; later columns are below the line (a later block
    repeats some heading names, which is why only the first block counts)."""
    columns: list[councils.Column] = []
    first = max(table.ids.values(), default=0) + 1
    below = False
    for index, label in enumerate(table.header[first:], start=first):
        if not label.strip():
            continue
        key = headings.heading_key(label)
        code = headings.RS_HEADINGS.get(key) or headings.heading_number(label)
        if below:
            columns.append(councils.Column(index, "RSX", code or "", label, None, "outside"))
        elif key == headings.RS_COMBINED_SOCIAL_CARE[0]:
            columns.append(councils.Column(index, "RS", "social-care", label, headings.RS_COMBINED_SOCIAL_CARE[1],
                                           "counted", "rs_heading"))
        elif code == headings.RSX_SERVICE_TOTAL:
            columns.append(councils.Column(index, "RSX", code, label, None, "total"))
            below = True
        else:
            cofog = cls.map_service_code("RSX", code) if code else None
            columns.append(councils.Column(index, "RSX", code or "", label, cofog,
                                           "counted" if cofog else "unknown"))
    return columns


def read_rsx(path: Path, report: Report) -> list[ReferenceBatch]:
    grid = read_grid(path, report, lambda _name, rows: councils.header_index(Grid(rows)) is not None)
    if grid is None:
        return []
    table = councils.locate(grid, report)
    if table is None:
        return []
    titles = _above_header(grid, table.header_row)
    period = councils.period_of(titles, grid.sheet or "", path.name)
    if period is None:
        report.error("period-unknown", "No financial year (e.g. 2021-22) in the title, sheet or file name.")
        return []
    columns = _rsx_columns(table)
    counted = [c for c in columns if c.status == "counted"]
    if not counted:
        report.error("no-service-columns", "No net current expenditure column (C7) of a service heading was "
                     "found.", sheet=grid.sheet, row=table.header_row + 1)
        return []
    councils.check_totals(table, counted, next((c for c in columns if c.status == "total"), None), report)
    return councils.batches(table, columns, period, "outturn", f"RSX {period} outturn", report)


def _rsx_columns(table: councils.CouncilTable) -> list[councils.Column]:
    """C7 columns by their cell ids (C7R190); without the hidden id rows, by the 'Net Current Expenditure'
    label of each heading."""
    ids = next((row for row in reversed(table.grid.rows[:table.header_row])
                if sum(1 for cell in row if CELL_ID.match(cell)) >= 7), None)
    columns: list[councils.Column] = []
    for index, label in enumerate(table.header):
        code = None
        if ids is not None and index < len(ids) and (match := CELL_ID.match(ids[index])):
            code = match.group(2) if match.group(1) == NET_COLUMN else None
        elif ids is None and "net current expenditure" in label.lower():
            code = headings.RS_HEADINGS.get(headings.heading_key(re.split(r"\s*-\s*", label)[0]))
        if code is None:
            continue
        if code == headings.RSX_SERVICE_TOTAL:
            columns.append(councils.Column(index, "RSX", code, label, None, "total"))
            continue
        cofog = cls.map_service_code("RSX", code)
        columns.append(councils.Column(index, "RSX", code, label, cofog, "counted" if cofog else "unknown"))
    return columns


# This module's readers, in the order they are tried (ingest.registry lists every module's).
READERS = (
    Reader("rsx-outturn", "flows", is_rsx, read_rsx,
           "MHCLG Revenue Outturn Service Expenditure Summary (RSX) by LA: service outturn by COFOG, "
           "one submission per authority"),
    Reader("rs-outturn", "flows", is_rs, read_rs,
           "MHCLG Revenue Outturn Summary (RS) by LA, net current expenditure: service outturn by COFOG, "
           "one submission per authority"),
)
