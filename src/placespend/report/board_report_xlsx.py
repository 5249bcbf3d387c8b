"""The board report as a workbook: one sheet per section, its tables one under another, numbers as numbers with
GBP, percentage and count formats (Excel holds doubles: pence survive for any amount under GBP 10^13), and the
sources on their own sheet."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from placespend.report.board_layout import Kind, Section, Table
from placespend.report.board_sections import sections

FORMATS: dict[str, str] = {"money": '"£"#,##0.00', "share": "0.0%", "number": "#,##0", "ratio": "0.0000"}
SHEETS = {"summary": "Summary", "count": "Count", "estimate": "Estimate and bridge", "composition": "Composition",
          "concentration": "Concentration", "local_control": "Local control", "per_head": "Per head",
          "routes": "Funding routes", "deepdive": "Deep dive", "insight": "Insight", "assets": "Assets and capital",
          "sources": "Sources"}
HEADING = Font(bold=True, color="1F4E79", size=13)
BOLD = Font(bold=True)
FILL = PatternFill("solid", fgColor="EEF4FA")


def xlsx_bytes(data: dict[str, Any]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for section in sections(data):
        _sheet(book.create_sheet(SHEETS.get(section.key, section.key)[:31]), section)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(sheet: Worksheet, section: Section) -> None:
    sheet.append([section.title])
    sheet.cell(1, 1).font = HEADING
    for text in section.paragraphs:
        sheet.append([text])
        sheet.cell(sheet.max_row, 1).alignment = Alignment(wrap_text=False)
    widths: dict[int, int] = {}
    for table in section.tables:
        sheet.append([])
        _table(sheet, table, widths)
    for column, width in widths.items():
        sheet.column_dimensions[sheet.cell(1, column).column_letter].width = min(max(width + 2, 10), 70)


def _table(sheet: Worksheet, table: Table, widths: dict[int, int]) -> None:
    sheet.append([table.title])
    sheet.cell(sheet.max_row, 1).font = BOLD
    sheet.append(table.headings)
    for column in range(1, len(table.headings) + 1):
        cell = sheet.cell(sheet.max_row, column)
        cell.font, cell.fill = BOLD, FILL
    for row, texts in zip(table.rows, table.texts(), strict=True):
        sheet.append([_value(value, kind, table.blank) for value, (_, kind) in zip(row, table.columns, strict=True)])
        for column, (_, kind) in enumerate(table.columns, start=1):
            if kind in FORMATS:
                sheet.cell(sheet.max_row, column).number_format = _format(kind, row[column - 1])
            widths[column] = max(widths.get(column, 0), len(texts[column - 1]), len(table.headings[column - 1]))


def _value(value: Any, kind: Kind, blank: str) -> Any:
    if value is None:
        return blank if blank not in ("-", "") else None
    if kind in FORMATS:
        number = Decimal(str(value))
        return int(number) if kind == "number" and number == number.to_integral_value() else float(number)
    return str(value)


def _format(kind: Kind, value: Any) -> str:
    if kind == "number" and value is not None and Decimal(str(value)) != Decimal(str(value)).to_integral_value():
        return "#,##0.00"
    return FORMATS[kind]
