"""From decoded text to data rows the width of the header, repairing what can be repaired and saying so.

Every repair and every dropped row is a warning with its row and column, never a silent change:
- rows wider than the header (Gateshead 2019-11 has 26 rows of 178 cells, the GLA's 'Contra' flags): the
  named columns are read, the surplus is kept with the line and reported;
- rows one or two cells short because a field was fused into its neighbour (Lambeth: '25/06/2012900' is a
  date and an amount, 'Catch2212/06/2012' a supplier and a date): the fused cell is split where a date
  begins or ends, if the result puts a date in the date column and an amount in the amount column;
- a header repeated mid-file (concatenated months) is skipped; a different header of the same publisher
  switches the layout from that row on;
- cells damaged by a wrong code page are repaired (`decoding.repair_cell`) or reported.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from placespend.ingest.decoding import DecodedText, repair_cell
from placespend.ingest.spend.header import Layout, fit
from placespend.ingest.spend.profile import column_key
from placespend.ingest.spend.tally import Sink
from placespend.ingest.spend.values import ValueProblem, parse_amount

_EMBEDDED_DATE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{2}-\d{2}")
MAX_FUSED = 2                   # cells a row may be short of and still be repaired by splitting


@dataclass
class Record:
    number: int                 # 1-based row number, as a spreadsheet opening the CSV numbers it
    cells: list[str]
    fallback: bool = False      # some of its bytes were not UTF-8 in an otherwise UTF-8 file


@dataclass
class Row:
    """One data row the width of its layout's header, with the repairs made to it."""

    number: int
    cells: list[str]
    layout: Layout
    repairs: list[str] = field(default_factory=list)
    surplus: list[str] = field(default_factory=list)
    dropped: str | None = None      # why the row cannot be read at all (already reported)

    def get(self, role: str) -> str:
        i = self.layout.index.get(role)
        return self.cells[i].strip() if i is not None else ""


def records(decoded: DecodedText) -> Iterator[Record]:
    """CSV records with their row numbers; raises csv.Error for a file the csv module cannot split."""
    reader = csv.reader(iter(decoded.lines))
    previous = 0
    for number, cells in enumerate(reader, 1):
        lines = range(previous, reader.line_num)
        previous = reader.line_num
        yield Record(number, cells, any(i in decoded.fallback_lines for i in lines))


def data_rows(source: list[Record], layout: Layout, report: Sink, fallback: str | None,
              relayout: Callable[[list[str], int], Layout | None]) -> Iterator[Row]:
    """Rows after the header, repaired to the header's width; rows that cannot be are reported and skipped."""
    header_keys = [column_key(c) for c in layout.header]
    amount_names = _amount_names(layout)
    for record in source:
        if record.number <= layout.header_row:
            continue
        cells = record.cells
        if not any(c.strip() for c in cells):
            continue
        if record.fallback:
            report.warn("encoding-mixed", f"This row is not UTF-8 like the rest of the file; it was read as "
                        f"{fallback}. Check its names and descriptions.", row=record.number)
        cells = _repair_encoding(record, layout, report)
        if not any(c.strip() for c in cells):
            continue
        if _header_like(cells, layout, amount_names):
            if [column_key(c) for c in cells][:len(header_keys)] == header_keys:
                report.warn("header-repeated", "The header is repeated here (months pasted together); the row is "
                            "skipped.", row=record.number)
                continue
            new = relayout(cells, record.number)
            if new is not None:
                report.warn("header-changed", "A different header starts here; the rows below are read with "
                            f"its columns ({', '.join(c for c in new.header if c)}).", row=record.number)
                layout, header_keys = new, [column_key(c) for c in new.header]
                continue
        yield _fit_width(Row(record.number, list(cells), layout), report)


def _repair_encoding(record: Record, layout: Layout, report: Sink) -> list[str]:
    cells = record.cells
    if all(cell.isascii() for cell in cells):
        return cells
    repaired = []
    for column, cell in enumerate(cells):
        fixed, what = repair_cell(cell)
        if what and fixed.strip():   # junk that repairs to nothing is not worth a warning
            slug = "encoding-damaged" if "unreadable" in what else "encoding-repaired"
            report.warn(slug, f"Mis-encoded text ({what}): '{_short(cell)}' read as '{_short(fixed)}'.",
                        row=record.number, column=layout.label(column), value=_short(cell))
        repaired.append(fixed)
    return repaired


def _amount_names(layout: Layout) -> set[str]:
    return {column_key(name) for name in layout.profile.columns.get("amount", ())}


def _header_like(cells: list[str], layout: Layout, amount_names: set[str]) -> bool:
    """A row whose amount cell holds the amount column's name rather than money is a header again."""
    i = layout.index.get("amount")
    if i is None or i >= len(cells) or not cells[i] or cells[i].lstrip()[:1].isdigit():
        return False
    return column_key(cells[i]) in amount_names


def _fit_width(row: Row, report: Sink) -> Row:
    width = row.layout.width
    if len(row.cells) > width:
        surplus = row.cells[width:]
        row.cells = row.cells[:width]
        filled = [c.strip() for c in surplus if c.strip()]
        if filled:
            row.surplus = filled
            report.warn("row-too-long", f"This row has {len(surplus)} more cells than the header has columns "
                        f"({', '.join(_short(c) for c in filled[:3])}); the named columns are read and the "
                        "surplus is kept with the line.", row=row.number, column=row.layout.label(width),
                        value=_short(",".join(filled)))
    elif len(row.cells) < width:
        return _short_row(row, report)
    return row


def _short_row(row: Row, report: Sink) -> Row:
    deficit = row.layout.width - len(row.cells)
    split = _split_fused(row.cells, row.layout, deficit) if deficit <= MAX_FUSED else None
    if split is not None:
        column, original = split
        row.cells = _split_cells(row.cells, column)
        row.repairs.append(f"fused field '{original}' split")
        report.warn("fields-fused", f"'{original}' holds two fields run together; it was split into "
                    f"{' | '.join(_split_at(original))} to fill the row.", row=row.number,
                    column=row.layout.label(column), value=original)
        return row
    needed = [row.layout.index[r] for r in row.layout.profile.required if r in row.layout.index]
    lost = [i for i in needed if i >= len(row.cells)]
    if lost:
        report.warn("row-too-short", f"This row has {len(row.cells)} cells but the header has {row.layout.width}; "
                    f"it has no {row.layout.label(min(lost))}, so it is not counted.", row=row.number,
                    column=row.layout.label(min(lost)))
        row.dropped = "row-too-short"
        return row
    report.warn("row-too-short", f"This row has {len(row.cells)} cells but the header has {row.layout.width}; "
                "the missing trailing cells are read as blank.", row=row.number,
                column=row.layout.label(len(row.cells)))
    row.cells = row.cells + [""] * deficit
    return row


def _split_at(cell: str) -> list[str]:
    """'25/06/2012900' -> ['25/06/2012', '900']: the text around the first embedded date, and the date."""
    match = _EMBEDDED_DATE.search(cell)
    if match is None:
        return [cell]
    parts = [cell[:match.start()], match.group(0), cell[match.end():]]
    return [part.strip() for part in parts if part.strip()]


def _split_cells(cells: list[str], column: int) -> list[str]:
    return [*cells[:column], *_split_at(cells[column]), *cells[column + 1:]]


def _split_fused(cells: list[str], layout: Layout, deficit: int) -> tuple[int, str] | None:
    """The column whose splitting fills the row so that its date and amount cells read as such."""
    date_at, amount_at = layout.index.get("date"), layout.index.get("amount")
    if date_at is None or amount_at is None:
        return None
    for column, cell in enumerate(cells):
        parts = _split_at(cell)
        if len(parts) - 1 != deficit or _EMBEDDED_DATE.fullmatch(cell.strip()):
            continue
        candidate = _split_cells(cells, column)
        if not _EMBEDDED_DATE.fullmatch(candidate[date_at]):
            continue
        try:
            parse_amount(candidate[amount_at])
        except ValueProblem:
            continue
        return column, cell
    return None


def relayout_with(layout: Layout) -> Callable[[list[str], int], Layout | None]:
    """A new header of the same publisher mid-file: accepted if it still has every required role."""
    def relayout(cells: list[str], number: int) -> Layout | None:
        new = fit(layout.profile, cells, number)
        return new if new.complete else None
    return relayout


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
