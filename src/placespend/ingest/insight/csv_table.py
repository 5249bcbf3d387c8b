"""A small CSV with a header row, as the insight readers need it: column names checked, cells positioned.

Rows keep the numbers a text editor or Excel shows (the header is row 1), and columns are named by their
header, so every problem can say file, row and column.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from placespend.domain.cells import is_blank
from placespend.domain.problems import Report
from placespend.ingest.tabular import read_rows


@dataclass
class CsvTable:
    """Lower-cased column names and the data rows as (row number, {column: trimmed text})."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]


def read_csv_table(path: Path, report: Report, required: tuple[str, ...], what: str) -> CsvTable | None:
    """The table, or None with the problems in `report` (missing or repeated columns, ragged rows)."""
    _, raw = read_rows(path, report, sheet="Sheet1")
    if not report.ok:
        return None
    filled = [(n, cells) for n, cells in raw if not all(is_blank(c) for c in cells)]
    if not filled:
        report.error("file-empty", f"The {what} file has no rows.")
        return None
    header_row, header = filled[0]
    columns = [str(c or "").strip().lower() for c in header]
    seen = set()
    for name in columns:
        if name and name in seen:
            report.error("column-duplicated", f"The column '{name}' appears twice.", row=header_row, column=name)
        seen.add(name)
    missing = [name for name in required if name not in seen]
    if missing:
        report.error("column-missing", f"The {what} file needs the column(s) {', '.join(missing)}; "
                     f"it has {', '.join(c for c in columns if c) or 'none'}.", row=header_row,
                     column=", ".join(missing))
    rows = []
    for number, cells in filled[1:]:
        if len(cells) > len(columns) and any(not is_blank(c) for c in cells[len(columns):]):
            report.error("row-too-long", f"Row {number} has more cells than there are column names.", row=number)
            continue
        rows.append((number, {name: str(cells[i] if i < len(cells) and cells[i] is not None else "").strip()
                              for i, name in enumerate(columns) if name}))
    report.rows_read = len(rows)
    return CsvTable(columns, rows) if report.ok else None
