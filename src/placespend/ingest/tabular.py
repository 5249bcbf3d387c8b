"""Reading partners' files (CSV or the .xlsx template) into positioned rows, reporting what cannot be read.

Rows keep the row numbers the user sees in Excel or a text editor, so every problem can point at a cell.
Nothing here interprets values: that is the flows validator's job.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from placespend.domain.cells import is_blank
from placespend.domain.problems import Report
from placespend.ingest.excel_file import check_excel, named_as_excel, not_excel

SPEND_SHEET = "Spend"
BODIES_SHEET = "Bodies"
HEADER_SEARCH_ROWS = 25


@dataclass
class RawTable:
    """A sheet's header and data rows; `rows` holds (row number, cells) with trailing blank rows dropped."""

    sheet: str | None
    header_row: int
    header: list[str]
    rows: list[tuple[int, list[Any]]]


def column_letter(index: int) -> str:
    """Spreadsheet letter for a 0-based column index (0 -> A, 27 -> AB): finance officers think in letters."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_rows(path: Path, report: Report, sheet: str = SPEND_SHEET) -> tuple[str | None, list[tuple[int, list[Any]]]]:
    """All rows of the file (CSV) or of `sheet` (xlsx), or an error in `report` and no rows."""
    data = path.read_bytes()
    if not data.strip():
        report.error("file-empty", "The file is empty: there is nothing to load.")
        return None, []
    if named_as_excel(path) or data[:2] == b"PK":
        return (sheet, _xlsx_rows(path, report, sheet)) if check_excel(path, report) else (None, [])
    if data[:8] == bytes.fromhex("d0cf11e0a1b11ae1"):
        report.error("file-old-excel", "This is an old .xls workbook; open it in Excel and save it as .xlsx.")
        return None, []
    if b"\x00" in data[:4096]:
        report.error("file-not-tabular", "This file is not a spreadsheet or CSV (it holds binary data).")
        return None, []
    return None, _csv_rows(data, report)


def _csv_rows(data: bytes, report: Report) -> list[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row, column = _position_of_byte(data, exc.start)
        report.error(
            "encoding-invalid",
            "The file is not UTF-8 text; the first bad character is here. Save it again as 'CSV UTF-8'.",
            row=row,
            column=column,
        )
        return []
    try:
        return [(n, cells) for n, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)]
    except csv.Error as exc:
        report.error("csv-malformed", f"The CSV cannot be read: {exc}.")
        return []


def _position_of_byte(data: bytes, offset: int) -> tuple[int, str]:
    """Row number and column letter of a byte offset, counting commas before it on its line."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    row = data.count(b"\n", 0, offset) + 1
    return row, column_letter(data[line_start:offset].count(b","))


def _xlsx_rows(path: Path, report: Report, sheet: str) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, data_only=True)
    except Exception as exc:  # a damaged package: openpyxl raises whatever its XML parser or zip reader meets
        not_excel(path, report, f"Excel's parts in it cannot be read ({type(exc).__name__}: {exc})")
        return []
    if sheet not in workbook.sheetnames:
        names = ", ".join(workbook.sheetnames)
        report.error("sheet-missing", f"The workbook has no '{sheet}' sheet (it has: {names}). Use the template.")
        return []
    worksheet = workbook[sheet]
    for merged in worksheet.merged_cells.ranges:
        report.error(
            "merged-cells",
            f"Cells {merged.coord} are merged; unmerge them so every line has its own values.",
            sheet=sheet,
            row=merged.min_row,
            column=column_letter(merged.min_col - 1),
        )
    return [(n, list(cells)) for n, cells in enumerate(worksheet.iter_rows(values_only=True), start=1)]


def locate_header(
    rows: list[tuple[int, list[Any]]], known: set[str], report: Report, sheet: str | None
) -> RawTable | None:
    """Find the column-name row; rows above it are a preamble the user must remove (nothing is guessed)."""
    rows = _drop_trailing_blank(rows)
    if not rows:
        report.error("file-empty", "There are no rows to load.", sheet=sheet)
        return None
    first_filled = next(n for n, cells in rows if not all(is_blank(c) for c in cells))
    for index, (number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = {str(c).strip().lower() for c in cells if not is_blank(c)}
        if len(names & known) >= 3:
            if number != first_filled:
                report.error(
                    "preamble",
                    f"Rows {first_filled}-{number - 1} come before the column names in row {number}; "
                    "delete them so the column names are the first row.",
                    sheet=sheet,
                    row=first_filled,
                )
            header = ["" if is_blank(c) else str(c).strip().lower() for c in cells]
            return RawTable(sheet, number, header, rows[index + 1 :])
    report.error(
        "header-not-found",
        "No row of column names was found (expected period, place, spender, flow, amount ...).",
        sheet=sheet,
        row=first_filled,
    )
    return None


def _drop_trailing_blank(rows: list[tuple[int, list[Any]]]) -> list[tuple[int, list[Any]]]:
    end = len(rows)
    while end and all(is_blank(c) for c in rows[end - 1][1]):
        end -= 1
    return rows[:end]
