"""The partner template: a workbook a finance officer can fill without training.

Drop-downs come from a hidden Lists sheet, so Excel checks enumerations and COFOG codes as they are typed;
the worked examples live on their own sheet so they are never loaded by mistake.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from placespend.domain import classifications as cls
from placespend.domain import vocabulary as v
from placespend.domain.asset_columns import ASSETS_SHEET
from placespend.domain.asset_columns import COLUMNS as ASSET_COLUMNS
from placespend.domain.flow_columns import COLUMNS

DATA_ROWS = 5000
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
REQUIRED_FILL = PatternFill("solid", fgColor="C00000")
WHITE_BOLD = Font(bold=True, color="FFFFFF")

EXAMPLES: list[dict[str, str]] = [
    {"period": "2008-09", "place": "E09000023", "spender": "lbl", "spender_type": "local_authority",
     "flow": "spend", "amount": "41250000.00", "cofog": "10.2", "spender_name": "London Borough of Lewisham",
     "capital_revenue": "revenue", "statutory": "yes", "notes": "Residential care for older people"},
    {"period": "2008-09", "place": "E09000023", "spender": "lbl", "spender_type": "local_authority",
     "flow": "spend", "amount": "3100000.00", "service_scheme": "RA", "service_code": "",
     "capital_revenue": "capital", "notes": "COFOG left blank: the RA service line maps to it"},
    {"period": "2008-09", "place": "E09000023", "spender": "lbl", "spender_type": "local_authority",
     "flow": "transfer", "amount": "250000.00", "cofog": "10.7", "recipient": "lewisham-foodbank",
     "recipient_type": "third_sector", "recipient_name": "Lewisham Foodbank", "notes": "Grant passed on"},
    {"period": "2008-09", "place": "E09000023", "spender": "met-police", "spender_type": "police",
     "flow": "spend", "amount": "2400000000.00", "cofog": "03.1", "place_share": "0.045",
     "apportionment": "body_estimate", "funder": "home-office", "funder_type": "central_government",
     "notes": "London-wide budget; Lewisham's share from borough command costs"},
]

INSTRUCTIONS = [
    "Total Place spend return",
    "",
    "1. Fill one line per amount of money your body spent in the place (flow = spend) or passed to another",
    "   body (flow = transfer). Use the 'Spend' sheet; the 'Examples' sheet shows worked lines.",
    "2. Classify each line by COFOG (the UN Classification of the Functions of Government), e.g. 10.2 for",
    "   old age, or give your service_scheme and service_code (RA service lines map automatically).",
    "3. Count money once: if you pass money to another body, record it as a transfer to that body; it is",
    "   then counted where it is finally spent (seed 004: 'trace the original source of the money').",
    "4. If your area is not the place's boundary, give place_share (0-1) and say how you obtained it;",
    "   a population proxy is the last resort.",
    "5. Do not include service income (fees and charges): count gross spend funded by public money.",
    "6. Do not add totals rows, merged cells or blank rows: the count adds up lines itself.",
    "7. Save as .xlsx (or CSV UTF-8 with the same column names) and send it to the count team.",
    "8. Land and buildings: if your body publishes no Transparency Code asset register, list your property on",
    "   the 'Assets' sheet (one row a site, asset_code required; running cost, utilisation, services and",
    "   lease end help the partners find sites to share or release). It is imported separately with",
    "   `placespend assets import FILE --owner BODY`; the count never reads it.",
    "",
    "Columns (red = required):",
]


def write_template(path: Path) -> Path:
    workbook = Workbook()
    info = workbook.active
    info.title = "Instructions"
    lists = workbook.create_sheet("Lists")
    ranges = _write_lists(lists)
    spend = workbook.create_sheet("Spend", 1)
    _write_spend(spend, ranges)
    _write_bodies(workbook.create_sheet("Bodies", 2), ranges)
    _write_examples(workbook.create_sheet("Examples", 3))
    _write_assets(workbook.create_sheet(ASSETS_SHEET, 4), ranges)
    _write_instructions(info)
    lists.sheet_state = "hidden"
    workbook.active = 1
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _write_lists(sheet) -> dict[str, str]:
    """One column per vocabulary; returns column name -> absolute range for data validation."""
    vocabularies = {column.name: column.choices for column in COLUMNS if column.choices}
    vocabularies["cofog"] = tuple(cls.cofog_names())
    vocabularies |= {f"assets.{column.heading}": column.choices for column in ASSET_COLUMNS if column.choices}
    ranges: dict[str, str] = {}
    for index, (name, values) in enumerate(vocabularies.items(), start=1):
        letter = get_column_letter(index)
        sheet.cell(1, index, name)
        for row, value in enumerate(values, start=2):
            sheet.cell(row, index, value)
        ranges[name] = f"Lists!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _write_column(sheet, index: int, name: str, required: bool, help_text: str, rule: DataValidation | None,
                  number_format: str) -> None:
    """One column of a data sheet: its heading (red when required), its check and prompt, its cell format."""
    cell = sheet.cell(1, index, name)
    cell.font = WHITE_BOLD
    cell.fill = REQUIRED_FILL if required else HEADER_FILL
    letter = get_column_letter(index)
    sheet.column_dimensions[letter].width = max(12, len(name) + 4)
    if rule is not None:
        rule.promptTitle, rule.prompt, rule.showInputMessage = name, help_text[:250], True
        rule.add(f"{letter}2:{letter}{DATA_ROWS + 1}")
        sheet.add_data_validation(rule)
    for row in range(2, 202):
        sheet.cell(row, index).number_format = number_format


def _write_spend(sheet, ranges: dict[str, str]) -> None:
    for index, column in enumerate(COLUMNS, start=1):
        if column.name in ranges:
            rule = DataValidation(type="list", formula1=f"={ranges[column.name]}", allow_blank=True,
                                  showErrorMessage=True, errorTitle=column.name, error=column.help)
        elif column.name == "amount":
            rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                  showErrorMessage=True, error="An amount in GBP, zero or more.")
        elif column.name == "place_share":
            rule = DataValidation(type="decimal", operator="between", formula1="0", formula2="1",
                                  allow_blank=True, showErrorMessage=True, error="A share between 0 and 1.")
        else:
            rule = None
        text_format = column.name in {"period", "place", "spender", "cofog", "service_code", "line_id"}
        _write_column(sheet, index, column.name, column.required, column.help, rule,
                      "@" if text_format else "#,##0.00" if column.name == "amount" else "General")
    sheet.freeze_panes = "A2"


def _write_bodies(sheet, ranges: dict[str, str]) -> None:
    for index, name in enumerate(("body", "name", "type"), start=1):
        cell = sheet.cell(1, index, name)
        cell.font, cell.fill = WHITE_BOLD, HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = 30
    rule = DataValidation(type="list", formula1=f"={ranges['spender_type']}", allow_blank=True)
    rule.add(f"C2:C{DATA_ROWS + 1}")
    sheet.add_data_validation(rule)


def _write_assets(sheet, ranges: dict[str, str]) -> None:
    """The Assets sheet: the Transparency Code's land and buildings columns plus what a rationalisation needs."""
    for index, column in enumerate(ASSET_COLUMNS, start=1):
        key = f"assets.{column.heading}"
        if key in ranges:
            rule = DataValidation(type="list", formula1=f"={ranges[key]}", allow_blank=True)
        elif column.field in ("building_size", "land_area", "running_cost"):
            rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                  showErrorMessage=True, error="A number, zero or more.")
        elif column.field == "lease_end":
            rule = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                                  showErrorMessage=True, error="A date, e.g. 2027-03-31.")
        else:
            rule = None
        text_format = column.field in {"asset_code", "uprn", "postcode", "street_number"}
        _write_column(sheet, index, column.heading, column.required, column.help, rule,
                      "@" if text_format else "yyyy-mm-dd" if column.field == "lease_end" else "General")
    sheet.freeze_panes = "A2"


def _write_examples(sheet) -> None:
    names = [column.name for column in COLUMNS]
    for index, name in enumerate(names, start=1):
        cell = sheet.cell(1, index, name)
        cell.font, cell.fill = WHITE_BOLD, HEADER_FILL
    for row, example in enumerate(EXAMPLES, start=2):
        for index, name in enumerate(names, start=1):
            sheet.cell(row, index, example.get(name, ""))
    ra_code = next((code for (scheme, code) in cls.service_line_crosswalk() if scheme == "RA"), "")
    sheet.cell(3, names.index("service_code") + 1, ra_code)


def _write_instructions(sheet) -> None:
    for row, text in enumerate(INSTRUCTIONS, start=1):
        sheet.cell(row, 1, text)
    sheet["A1"].font = Font(bold=True, size=14)
    start = len(INSTRUCTIONS) + 1
    for index, title in enumerate(("column", "required", "what to put", "allowed values"), start=1):
        cell = sheet.cell(start, index, title)
        cell.font, cell.fill = WHITE_BOLD, HEADER_FILL
    for row, column in enumerate(COLUMNS, start=start + 1):
        sheet.cell(row, 1, column.name).font = Font(bold=column.required)
        sheet.cell(row, 2, "yes" if column.required else "no")
        sheet.cell(row, 3, column.help).alignment = Alignment(wrap_text=True)
        sheet.cell(row, 4, ", ".join(column.choices) if column.choices else "")
    body_types = cls.body_types()
    note_row = start + len(COLUMNS) + 2
    sheet.cell(note_row, 1, "Body types").font = Font(bold=True)
    for offset, kind in enumerate(v.BODY_TYPES, start=1):
        sheet.cell(note_row + offset, 1, kind)
        sheet.cell(note_row + offset, 3, body_types[kind].label if kind in body_types else "")
    for letter, width in (("A", 22), ("B", 10), ("C", 80), ("D", 60)):
        sheet.column_dimensions[letter].width = width
