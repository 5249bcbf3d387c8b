"""The machinery under the deep-dive input readers (`inputs`): layouts of columns, cell parsers, one reader.

Each reader returns the typed records and a `Report` of problems with their row and column, in the way the
ledger's ingest does (DESIGN.md §2: data problems are values). Column names are matched loosely (case, spaces,
punctuation), so the unit cost reader also takes the headings of the GMCA Unit Cost Database (`Ref`,
`Outcome detail`, `Agency`, `Cost`, `Price base`, `Source` ...) as well as the canonical names. Columns the
reader does not know are listed once as a warning and ignored. Rows with an error are left out; callers
refuse to compute when the report holds any error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from placespend.deepdive.unit_costs import price_year
from placespend.domain.cells import CellError, as_text, is_blank
from placespend.domain.problems import Report

Parser = Callable[[str], Any]
HEADER_SEARCH_ROWS = 25


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())


@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser
    required: bool = False
    default: Any = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layout:
    """The columns of one kind of input file."""

    kind: str
    columns: tuple[Column, ...]

    def lookup(self) -> dict[str, Column]:
        return {_key(alias): column for column in self.columns for alias in (column.name, *column.aliases)}

    def column_for(self, heading: str) -> Column | None:
        """The column a heading names, matched as the reader matches it (case, spaces, punctuation)."""
        return self.lookup().get(_key(heading))


# -- cell parsers: each raises CellError with a message a finance officer understands -------------------------

def text(value: str) -> str:
    return value


def number(value: str) -> Decimal:
    """A number as typed by people: '1,234.56', '£1,234', '(120)' for a negative."""
    cleaned = value.replace(",", "").replace("£", "").replace(" ", "")
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    try:
        result = Decimal(cleaned.strip("()"))
    except InvalidOperation:
        raise CellError("not-a-number", f"'{value}' is not a number.") from None
    if not result.is_finite():
        raise CellError("not-a-number", f"'{value}' is not a number.")
    return -result if negative else result


def non_negative(value: str) -> Decimal:
    result = number(value)
    if result < 0:
        raise CellError("negative", f"{value} is negative; give 0 or more.")
    return result


def fraction(value: str, upper: Decimal = Decimal(1)) -> Decimal:
    """A rate or share: '0.035', '3.5%'; a bare number of 1 or more is read as a percentage (3.5 = 3.5%).

    `upper` bounds the result (exclusive for 1, inclusive above): discount rates and deadweight stay below 1,
    while an optimism bias uplift may exceed 100% ('150%')."""
    stripped = value.strip()
    result = number(stripped.rstrip("%"))
    if stripped.endswith("%") or result >= 1:
        result = result / 100
    if result < 0 or (result >= upper if upper == 1 else result > upper):
        raise CellError("rate-out-of-range", f"'{value}' is out of range (0 to {upper:%}).")
    return result


def whole(value: str) -> int:
    result = number(value)
    if result != result.to_integral_value() or result < 0:
        raise CellError("not-whole", f"'{value}' is not a whole number of 0 or more.")
    return int(result)


def positive_whole(value: str) -> int:
    result = whole(value)
    if result < 1:
        raise CellError("not-positive", f"'{value}' must be 1 or more.")
    return result


def year_label(value: str) -> str:
    try:
        return price_year(value)
    except ValueError as exc:
        raise CellError("year-invalid", str(exc)) from None


def start_year(value: str) -> int:
    """First calendar year of a financial year: '2010-11' and '2010' are both 2010."""
    return int(year_label(value)[:4])


def yes_no(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("yes", "y", "true", "1"):
        return True
    if lowered in ("no", "n", "false", "0"):
        return False
    raise CellError("not-yes-no", f"'{value}' is not yes or no.")


def choice(*allowed: str, **synonyms: str) -> Parser:
    def parse(value: str) -> str:
        lowered = _key(value)
        options = {_key(a): a for a in allowed} | {_key(s): a for s, a in synonyms.items()}
        if lowered not in options:
            raise CellError("not-allowed", f"'{value}' is not one of: {', '.join(allowed)}.")
        return options[lowered]

    return parse


def profile(value: str) -> tuple[Decimal, ...]:
    parts = tuple(non_negative(p) for p in value.replace(",", ";").split(";") if p.strip())
    if not parts:
        raise CellError("profile-empty", "Give fractions per year separated by ';', e.g. 0.5;1.")
    return parts


# -- the reader ----------------------------------------------------------------------------------------------

@dataclass
class UserTable:
    """A user's file as the app read it (ingest.tabular: a CSV, or one sheet of a workbook): `rows` of (the row
    number the user sees, its cells), and the `report` that already holds any problem reading the file."""

    name: str
    rows: list[tuple[int, list[Any]]]
    report: Report


def read(table: UserTable, layout: Layout) -> tuple[list[dict[str, Any]], Report]:
    """The table's rows as dicts of parsed values plus `row`, the row the user sees."""
    report, rows = table.report, table.rows
    if not report.ok:
        return [], report
    lookup = layout.lookup()
    header_at = header_index(rows, layout)
    if header_at is None:
        needed = ", ".join(c.name for c in layout.columns if c.required)
        report.error("header-not-found", f"No row of column names was found (expected {needed}).")
        return [], report
    number_, header = rows[header_at]
    columns = {index: lookup.get(_key(as_text(cell))) for index, cell in enumerate(header)}
    unknown = [as_text(cell) for index, cell in enumerate(header) if columns[index] is None and as_text(cell)]
    if unknown:
        report.warn("column-unknown", f"Columns not used: {', '.join(unknown)}.", row=number_)
    present = {c.name for c in columns.values() if c is not None}
    missing = [c.name for c in layout.columns if c.required and c.name not in present]
    if missing:
        report.error("column-missing", f"Required column(s) missing: {', '.join(missing)}.", row=number_)
        return [], report
    records = []
    for row_number, cells in rows[header_at + 1:]:
        if all(is_blank(c) for c in cells):
            continue
        report.rows_read += 1
        record = _parse_row(row_number, cells, columns, layout, report)
        if record is not None:
            records.append(record)
    return records, report


def header_index(rows: list[tuple[int, list[Any]]], layout: Layout) -> int | None:
    """Index in `rows` of the row of column names: the first of the top rows naming two of the layout's columns
    (rows above it are a title or notes, as in the GMCA database). Editors of a file find it the same way."""
    lookup = layout.lookup()
    for index, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = {lookup[_key(str(c))].name for c in cells if not is_blank(c) and _key(str(c)) in lookup}
        if len(names) >= 2:
            return index
    return None


def _parse_row(number_: int, cells: list[Any], columns: dict[int, Column | None], layout: Layout,
               report: Report) -> dict[str, Any] | None:
    record: dict[str, Any] = {c.name: c.default for c in layout.columns}
    record["row"] = number_
    ok = True
    for index, column in columns.items():
        if column is None:
            continue
        raw = ""
        try:
            raw = as_text(cells[index]) if index < len(cells) else ""
            if not raw:
                continue
            record[column.name] = column.parse(raw)
        except CellError as exc:
            report.error(exc.slug, str(exc), row=number_, column=column.name, value=raw)
            ok = False
    if not ok:
        return None
    for column in layout.columns:
        if column.required and record[column.name] in (None, ""):
            report.error("value-missing", f"{column.name} is required.", row=number_, column=column.name)
            ok = False
    return record if ok else None


def check_range(record: dict[str, Any], report: Report, central: str) -> bool:
    """low <= central <= high; a blank low or high means 'same as central'."""
    for bound in ("low", "high"):
        if record.get(bound) is None:
            record[bound] = record[central]
    if not record["low"] <= record[central] <= record["high"]:
        report.error("range-order", f"Need low <= {central} <= high, not {record['low']}, {record[central]}, "
                     f"{record['high']}.", row=record["row"], column="low")
        return False
    return True
