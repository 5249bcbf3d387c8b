"""Revenue Account budgets (RA) by service line, basis ``budget``: each authority's planned service spend.

RA prints ~210 SeRCOP line numbers in a row above its header (hidden in the workbook, kept in the CSV saves),
and the shipped crosswalk maps them to COFOG. What is counted is the **detail service lines** up to total
service expenditure (line 799): subtotal lines (190 TOTAL EDUCATION ...) would count their detail twice and
are skipped; 799 itself checks the sum. Lines after 799 are reported, not counted, for the same reasons as
in RS/RSX (see `outturn`), so a budget compares like for like with an outturn. Lines the crosswalk leaves
blank (totals, income, financing) and line numbers it does not know (reserves, HRA) are reported too.

Recognition: a title naming the Revenue Account Budget (RA) above a header starting ``E-code``. Both RA
2021-22 (UTF-8) and RA 2023-24 part 1 (MacRoman) are read; the encoding is detected, not assumed.
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

LINE_NUMBER = re.compile(r"^\d{3,4}$")
MIN_NUMBERED = 5  # a real RA has ~210; nearest row above the header wins


def is_ra(probe: Probe) -> bool:
    text = "\n".join(probe.head)
    return "revenue account budget" in text and any(
        probe_row(line, probe).startswith("e-code,") for line in probe.head)


def read_ra(path: Path, report: Report) -> list[ReferenceBatch]:
    grid = read_grid(path, report, lambda _name, rows: councils.header_index(Grid(rows)) is not None)
    if grid is None:
        return []
    table = councils.locate(grid, report)
    if table is None:
        return []
    titles = " ".join(" ".join(row) for row in grid.rows[:table.header_row])
    period = councils.period_of(titles, grid.sheet or "", path.name)
    if period is None:
        report.error("period-unknown", "No financial year (e.g. 2023-24) in the title, sheet or file name.")
        return []
    numbers = line_numbers(grid, table.header_row)
    if numbers is None:
        report.error("line-numbers-missing", "The row of RA line numbers (110, 120, ... 990) above the header is "
                     "missing; save the workbook with its hidden rows.", sheet=grid.sheet)
        return []
    columns = _columns(table, numbers)
    counted = [c for c in columns if c.status == "counted"]
    councils.check_totals(table, counted, next((c for c in columns if c.status == "total"), None), report)
    return councils.batches(table, columns, period, "budget", f"RA {period} budget", report)


def line_numbers(grid: Grid, header_row: int) -> list[str] | None:
    """The nearest row above the header holding many three- or four-digit numbers: RA line numbers."""
    for row in reversed(grid.rows[:header_row]):
        if sum(1 for cell in row if LINE_NUMBER.match(cell)) >= MIN_NUMBERED:
            return row
    return None


def _columns(table: councils.CouncilTable, numbers: list[str]) -> list[councils.Column]:
    crosswalk = cls.service_line_crosswalk()
    columns: list[councils.Column] = []
    for index, code in enumerate(numbers):
        if not LINE_NUMBER.match(code) or index in table.ids.values():
            continue
        label = table.header[index] if index < len(table.header) else ""
        entry = crosswalk.get(("RA", code))
        if code == headings.RA_SERVICE_TOTAL:
            status = "total"
        elif entry is None:
            status = "unknown"
        elif entry.cofog is None:
            status = "unmapped"
        elif int(code) > int(headings.RA_SERVICE_TOTAL):
            status = "outside"
        elif code in headings.RA_SUBTOTALS:
            status = "subtotal"
        else:
            status = "counted"
        columns.append(councils.Column(index, "RA", code, label, entry.cofog if entry else None, status))
    return columns


# This module's readers, in the order they are tried (ingest.registry lists every module's).
READERS = (
    Reader("ra-budget", "flows", is_ra, read_ra,
           "MHCLG Revenue Account budget (RA) by LA and service line: service budgets by COFOG, one "
           "submission per authority"),
)
