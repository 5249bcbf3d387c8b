"""Editing a stored deep-dive CSV in the browser: its rows as a grid of text cells, and the edited grid as a file.

The file keeps its own headings, column order and any rows above the headings (a title, notes), so an edited
file reads back exactly as the CLI reads it, and the row numbers the grid shows are the file's own (the ones
validation problems name). Columns of the layout the file lacks are offered blank and written only when filled.
Workbooks are not edited here: they are downloaded, changed in Excel and uploaded again.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from placespend.deepdive.layout import Layout, header_index
from placespend.domain.problems import Report

NEW = "new"
MAX_DETAIL = 600


@dataclass
class Grid:
    above: list[list[str]]  # rows above the headings, kept as they are
    headings: list[str]  # the file's own headings, then the layout's columns it lacks
    columns: list[str | None]  # the layout column each heading is (None: a column the reader ignores)
    rows: list[tuple[int, list[str]]]  # (row number in the file, cells), one cell per heading
    own: int  # how many of the headings are the file's own
    problems: dict[tuple[int | None, str | None], list[str]] = field(default_factory=dict)

    def cell_problems(self, row: int, index: int) -> list[str]:
        return self.problems.get((row, self.columns[index]), [])

    def row_problems(self, row: int) -> list[str]:
        return self.problems.get((row, None), [])


def grid(content: bytes, layout: Layout) -> Grid | None:
    """The file as a grid, or None when it is not a CSV that reads into rows under a row of headings."""
    if content[:2] == b"PK":
        return None
    try:  # numbered as the reader numbers them (ingest.tabular): one number per CSV record, from 1
        rows = list(enumerate(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")), start=1))
    except (UnicodeDecodeError, csv.Error):
        return None
    at = header_index(rows, layout)
    if at is None:
        return None
    _, header = rows[at]
    headings = [str(h) for h in header]
    columns = [c.name if (c := layout.column_for(h)) else None for h in headings]
    missing = [c.name for c in layout.columns if c.name not in columns]
    width = len(headings) + len(missing)
    body = [(n, [str(c) for c in cells] + [""] * (width - len(cells))) for n, cells in rows[at + 1:]]
    return Grid([list(map(str, cells)) for _, cells in rows[:at]], headings + missing, columns + missing, body,
                len(headings))


def with_problems(found: Grid, reports: list[Report]) -> Grid:
    for report in reports:
        for problem in report.errors:
            found.problems.setdefault((problem.row, problem.column), []).append(problem.message)
    return found


def edited(found: Grid, form: dict[str, str]) -> tuple[bytes, str]:
    """The file after the form's edits (cells `c-ROW-INDEX`, `c-new-INDEX` for a new row, `delete-ROW`), and
    a one-line account of what changed for the input's history."""
    changes: list[str] = []
    rows = []
    for number, cells in found.rows:
        if form.get(f"delete-{number}"):
            changes.append(f"row {number} deleted")
            continue
        new = [str(form.get(f"c-{number}-{i}", old)).strip() if f"c-{number}-{i}" in form else old
               for i, old in enumerate(cells)]
        changes += [f"row {number} {found.headings[i]}: {old or '(blank)'} → {value or '(blank)'}"
                    for i, (old, value) in enumerate(zip(cells, new, strict=True)) if old.strip() != value]
        rows.append(new)
    added = [str(form.get(f"c-{NEW}-{i}", "")).strip() for i in range(len(found.headings))]
    if any(added):
        rows.append(added)
        changes.append(f"row added ({', '.join(v for v in added if v)[:80]})")
    used = [i for i in range(len(found.headings)) if i < found.own or any(r[i] for r in rows)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for cells in found.above:
        writer.writerow(cells)
    writer.writerow([found.headings[i] for i in used])
    for cells in rows:
        writer.writerow([cells[i] for i in used])
    detail = "; ".join(changes) or "no change"
    return out.getvalue().encode("utf-8"), detail if len(detail) <= MAX_DETAIL else detail[:MAX_DETAIL - 1] + "…"
