"""Validating a partner's return into ledger lines (DESIGN.md §3).

Every problem is reported with its row and column; a file with any error yields no lines at all, so the
engine never sees half a return.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from placespend.domain import classifications as cls
from placespend.domain import flow_columns as cols
from placespend.domain import vocabulary as v
from placespend.domain.cells import CellError, as_text, is_blank
from placespend.domain.ledger_lines import ONE, FlowLine
from placespend.domain.problems import Report
from placespend.ingest import tabular
from placespend.ingest.values import as_amount, as_period, as_share, looks_like_totals


@dataclass
class ParsedReturn:
    report: Report
    lines: list[FlowLine]
    bodies: dict[str, tuple[str | None, str | None]]  # normalised id -> (name, type) from the Bodies sheet
    amount_column: str = "amount"  # as messages name it, e.g. 'amount (F)'


def column_label(header: list[str], name: str) -> str:
    """How messages name a column: its name and spreadsheet letter (the first column of that name)."""
    return f"{name} ({tabular.column_letter(header.index(name)) if name in header else '?'})"


def read_return(path: Path, known_places: set[str], display_name: str | None = None) -> ParsedReturn:
    """Read and validate one return; `known_places` are place ids the workspace defines besides GSS codes."""
    report = Report(display_name or path.name)
    sheet, raw_rows = tabular.read_rows(path, report)
    if not report.ok:
        return ParsedReturn(report, [], {})
    table = tabular.locate_header(raw_rows, set(cols.BY_NAME), report, sheet)
    if table is None or not _check_header(table, report):
        return ParsedReturn(report, [], {})
    lines = _read_lines(table, known_places, report)
    bodies = _read_bodies(path, report) if sheet else {}
    report.rows_read = len(table.rows)
    return ParsedReturn(report, lines if report.ok else [], bodies if report.ok else {},
                        column_label(table.header, "amount"))


def _check_header(table: tabular.RawTable, report: Report) -> bool:
    seen: dict[str, int] = {}
    where = {"sheet": table.sheet, "row": table.header_row}
    widest = max((len(cells) for _, cells in table.rows), default=0)
    for index, name in enumerate(table.header):
        letter = tabular.column_letter(index)
        if not name:
            if any(index < len(c) and not is_blank(c[index]) for _, c in table.rows):
                report.error("column-unnamed", f"Column {letter} has values but no name.", column=letter, **where)
            continue
        if name in seen:
            first = tabular.column_letter(seen[name])
            report.error("column-duplicated", f"Column '{name}' appears twice ({first} and {letter}).",
                         column=f"{name} ({letter})", **where)
        seen.setdefault(name, index)
        if name not in cols.BY_NAME and not name.startswith(cols.EXTRA_PREFIX):
            close = difflib.get_close_matches(name, list(cols.BY_NAME), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            report.error("column-unknown", f"'{name}' is not a column of the template.{hint} "
                         f"Own columns must start with '{cols.EXTRA_PREFIX}'.", column=f"{name} ({letter})", **where)
    for name in cols.REQUIRED:
        if name not in seen:
            report.error("column-missing", f"The required column '{name}' is missing.", column=name, **where)
    # Extra cells that are all blank (a trailing comma) are not a longer row: only one holding a value is.
    long_row = next((n for n, c in table.rows if len(c) > len(table.header)
                     and any(not is_blank(x) for x in c[len(table.header):])), None) \
        if widest > len(table.header) else None
    if long_row is not None:
        report.error("row-too-long", "This row has more cells than there are column names.",
                     sheet=table.sheet, row=long_row, column=tabular.column_letter(len(table.header)))
    return report.ok


def _read_lines(table: tabular.RawTable, known_places: set[str], report: Report) -> list[FlowLine]:
    reader = LineReader(table, known_places, report)
    return [line for number, cells in table.rows if (line := reader.read(number, cells)) is not None]


class LineReader:
    """Validates rows one at a time in file order, remembering line_ids so a repeated one is reported.

    The row path feeds it every row; the columnar path (ingest.flows.columnar) feeds it only the rows its
    vectorised checks flagged, so both give the same messages for the same row.
    """

    def __init__(self, table: tabular.RawTable, known_places: set[str], report: Report) -> None:
        self.table, self.known_places, self.report = table, known_places, report
        self.index = {name: i for i, name in reversed(list(enumerate(table.header))) if name}
        self.line_ids: dict[str, int] = {}

    def read(self, number: int, cells: list[Any]) -> FlowLine | None:
        if all(is_blank(c) for c in cells):
            self.report.error("blank-row", "This row is blank but lines follow it; delete it so nothing is missed.",
                              sheet=self.table.sheet, row=number)
            return None
        totals = self._totals(cells)
        if totals is not None:
            self.report.error("totals-row", f"This looks like a totals row ('{totals}'); delete it, or the money "
                              "would be counted twice.", sheet=self.table.sheet, row=number)
            return None
        row = _RowReader(self.table, self.index, cells, number, self.report)
        line = row.line(self.known_places)
        if line is None:
            return None
        if line.line_id:
            if line.line_id in self.line_ids:
                row.fail("line-id-duplicated", "line_id", f"line_id '{line.line_id}' is also used in row "
                         f"{self.line_ids[line.line_id]}; each line needs its own.")
            self.line_ids.setdefault(line.line_id, number)
        return line

    def _totals(self, cells: list[Any]) -> str | None:
        """The 'Total' text of a summary row: one in a column that names the line (period, place, body,
        flow), or anywhere on a row that is not a whole line (a required cell blank). A note or a name that
        begins with 'Total' on a whole line ('Total refurbishment of the library') is not a totals row."""
        found = looks_like_totals(cells)
        if found is None:
            return None
        cell = {name: cells[i] if i < len(cells) else None for name, i in self.index.items()}
        naming = [cell.get(name) for name in ("period", "place", "spender", "spender_type", "flow")]
        if looks_like_totals(naming) or any(tabular.is_blank(cell.get(name)) for name in cols.REQUIRED):
            return found
        return None


def cell_value(column: str, cell: Any, parse: Any = as_text, default: Any = None) -> tuple[bool, Any]:
    """One cell read exactly as a row's reader reads it: (readable, value). The columnar path maps each
    distinct cell of a column through this, so a value means the same on both paths."""
    reader = _RowReader(_ONE_CELL, {column: 0}, [cell], 0, Report(""))
    value = reader.get(column, parse, default)
    return not reader.failed, value


class _RowReader:
    """Reads one row cell by cell, recording each bad cell so the user sees all of them at once."""

    def __init__(self, table: tabular.RawTable, index: dict[str, int], cells: list[Any], number: int,
                 report: Report) -> None:
        self.table, self.index, self.cells, self.number, self.report = table, index, cells, number, report
        self.failed = False

    def fail(self, slug: str, column: str, message: str, value: Any = None) -> None:
        self.failed = True
        letter = tabular.column_letter(self.index[column]) if column in self.index else "?"
        self.report.error(slug, message, sheet=self.table.sheet, row=self.number, column=f"{column} ({letter})",
                          value=None if value is None else str(value))

    def raw(self, column: str) -> Any:
        i = self.index.get(column)
        return self.cells[i] if i is not None and i < len(self.cells) else None

    def get(self, column: str, parse: Any = as_text, default: Any = None) -> Any:
        cell = self.raw(column)
        if is_blank(cell):
            if cols.BY_NAME[column].required:
                self.fail("required-missing", column, f"'{column}' is required but empty.")
            return default
        try:
            value = parse(cell)
        except CellError as exc:
            self.fail(exc.slug, column, str(exc), cell)
            return default
        choices = cols.BY_NAME[column].choices
        if choices and isinstance(value, str):
            value = value.lower().replace(" ", "_").replace("-", "_")
            if value not in choices:
                close = difflib.get_close_matches(value, choices, n=1)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                self.fail(f"{column.replace('_', '-')}-invalid", column,
                          f"'{cell}' is not one of: {', '.join(choices)}.{hint}", cell)
                return default
        return value

    def line(self, known_places: set[str]) -> FlowLine | None:
        period, place = self.get("period", as_period), self.get("place")
        if period and not v.is_valid_period(period):
            self.fail("period-format", "period", f"'{period}' is not a financial year like 2008-09.", period)
        if place and not (v.GSS_PATTERN.match(place.upper()) or v.normalise_id(place) in known_places):
            self.fail("place-unknown", "place", f"'{place}' is neither an ONS code (E09000023) nor a place "
                      "of this workspace (import the places file first).", place)
        place = v.normalise_place(place or "")
        spender, spender_type = self.get("spender"), self.get("spender_type")
        flow, amount = self.get("flow"), self.get("amount", as_amount)
        if amount is not None and amount < 0:
            self.fail("amount-negative", "amount", f"Amounts in a return are zero or more, not {amount}; "
                      "record refunds by reducing the line they refund.", amount)
        recipient, recipient_type = self.get("recipient"), self.get("recipient_type")
        if flow == "transfer":
            if not recipient:
                self.fail("transfer-without-recipient", "recipient" if "recipient" in self.index else "flow",
                          "A transfer must say which body receives the money (recipient).")
            elif not recipient_type:
                self.fail("recipient-type-missing", "recipient_type" if "recipient_type" in self.index else "flow",
                          "A transfer must say what kind of body the recipient is (recipient_type).")
            elif spender and v.normalise_id(recipient) == v.normalise_id(spender):
                self.fail("transfer-to-self", "recipient", "A body cannot transfer money to itself.", recipient)
        cofog, cofog_source = self._cofog()
        share = self.get("place_share", as_share, ONE)
        funder = self.get("funder")
        line = FlowLine(
            sheet=self.table.sheet, row=self.number, period=period or "", place=place,
            spender=v.normalise_id(spender or ""), spender_type=spender_type or "", flow=flow or "",
            amount=amount if amount is not None else Decimal(0), cofog=cofog or "", cofog_source=cofog_source,
            place_share=share, recipient=v.normalise_id(recipient) if recipient else None,
            recipient_type=recipient_type, funder=v.normalise_id(funder) if funder else None,
            funder_type=self.get("funder_type"), spender_name=self.get("spender_name"),
            recipient_name=self.get("recipient_name"), funder_name=self.get("funder_name"),
            service_scheme=self.get("service_scheme"), service_code=self.get("service_code"),
            capital_revenue=self.get("capital_revenue", default="revenue"),
            basis=self.get("basis", default="outturn"), recurrence=self.get("recurrence", default="recurring"),
            apportionment=self.get("apportionment", default="actual"),
            ring_fenced=_yes(self.get("ring_fenced")), statutory=_yes(self.get("statutory")),
            funding_stream=self.get("funding_stream"), theme=self.get("theme"), line_id=self.get("line_id"),
            notes=self.get("notes"), extra=self._extra(),
        )
        return None if self.failed else line

    def _cofog(self) -> tuple[str | None, str]:
        text = self.get("cofog")
        if text:
            code = cls.normalise_cofog(text)
            if code is None:
                self.fail("cofog-unknown", "cofog", f"'{text}' is not a COFOG division (01-10) or group (e.g. 10.4).",
                          text)
            return code, "reported"
        scheme, code = self.get("service_scheme"), self.get("service_code")
        if scheme and code:
            mapped = cls.map_service_code(scheme, code)
            if mapped is None:
                self.fail("service-code-unknown", "service_code",
                          f"Service code '{code}' is not in the {scheme} crosswalk; give a COFOG code instead.", code)
            return mapped, "crosswalk"
        self.fail("cofog-missing", "cofog", "Give a COFOG code, or a service_scheme and service_code that map to one.")
        return None, "reported"

    def _extra(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for name in self.index:
            cell = self.raw(name)
            if name.startswith(cols.EXTRA_PREFIX) and not is_blank(cell):
                try:
                    found[name] = as_text(cell)
                except CellError as exc:  # an Excel error in an own column is the user's to fix, like any other
                    self.fail(exc.slug, name, str(exc), cell)
        return found


_ONE_CELL = tabular.RawTable(None, 0, [], [])


def _yes(value: str | None) -> bool | None:
    return None if value is None else value == "yes"


def _read_bodies(path: Path, report: Report) -> dict[str, tuple[str | None, str | None]]:
    """The template's optional Bodies sheet: id, name, type of each body the return mentions."""
    probe = Report(report.file)
    _, rows = tabular.read_rows(path, probe, sheet=tabular.BODIES_SHEET)
    if not probe.ok or not rows:
        return {}
    table = tabular.locate_header(rows, {"body", "name", "type"}, probe, tabular.BODIES_SHEET)
    if table is None:
        return {}
    at = {name: i for i, name in enumerate(table.header)}
    bodies: dict[str, tuple[str | None, str | None]] = {}
    for number, cells in table.rows:
        def cell(name: str, cells: list[Any] = cells) -> str | None:
            i = at.get(name)
            return as_text(cells[i]) or None if i is not None and i < len(cells) else None
        body, kind = cell("body"), cell("type")
        if not body:
            continue
        if kind and kind not in v.BODY_TYPES:
            report.error("body-type-invalid", f"'{kind}' is not a body type.", sheet=tabular.BODIES_SHEET,
                         row=number, column="type", value=kind)
        bodies[v.normalise_id(body)] = (cell("name"), kind)
    return bodies
