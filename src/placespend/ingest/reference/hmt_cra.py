"""HM Treasury Country and Regional Analysis (CRA) databases, and the cell helpers all HMT readers share.

A CRA database has one row per department x programme x COFOG x identifiable x capital/current x sector x
region and one column per financial year (wide). Each non-blank year cell becomes one `regional_spend` row.

- Units: CRA 2010 is in GBP million, CRA 2014 and 2018 in GBP thousand; amounts are converted exactly to pounds
  and rounded to the penny. Blank, '-' and '..' cells are not spending and are skipped (not read as zero);
  anything else that is not a number is an error with its row and column.
- 'England' is never a row of CRA 2010 chapter 9, 2014 or 2018: England is the nine English regions
  ('ENGLAND_London' ...). CRA 2010 chapter 10 has England only, as one country.
- Regions: 'ENGLAND_' prefixes are dropped and spellings normalised (regions.canonical_region). Non-identifiable
  rows ('Not Identifiable', 'NON-REGIONAL') get the region 'Non-identifiable'; the few rows marked ID whose
  region is 'Not identifiable' (CRA 2010, DWP) are identifiable spending not allocated to a region.
- COFOG division from the file's own COFOG column ('4. Economic affairs'); rows outside COFOG ('EU transactions',
  'Departmental unallocated provision') go through data/hmt_functions_to_cofog.csv.
- Sector: CG -> central, LA/LG -> local, PC -> public_corporation; BOE (the Bank of England's debt interest
  adjustment, non-identifiable) -> public_corporation, the Bank being a public corporation.
- CRA 2010 years 2009-10 (estimated outturn) and 2010-11 (plans) are kept as published; the note says so.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path

from placespend.domain import classifications as cls
from placespend.domain import vocabulary as v
from placespend.domain.problems import Report
from placespend.domain.regions import canonical_region, region_code
from placespend.ingest.decoding import open_text
from placespend.ingest.reference.batch import Probe, Reader, ReferenceBatch, conform

PENNY = Decimal("0.01")
MILLION, THOUSAND = 6, 3  # powers of ten from the file's unit to pounds
NOT_A_VALUE = frozenset({"", "-", "..", "–", "—", ":"})
TOO_LARGE = Decimal(10) ** 15  # pounds; beyond any public spending line (and DECIMAL(18, 2))
MAX_PROBLEMS = 200
SECTORS = {"CG": "central", "LA": "local", "LG": "local", "PC": "public_corporation", "BOE": "public_corporation"}
CAPITAL_CURRENT = {"CAP": "capital", "CUR": "current"}
FIELDS = ("period", "region", "region_code", "cofog", "amount", "identifiable", "capital_current", "sector",
          "department", "hmt_function")


# -- crosswalk: HM Treasury functions -> COFOG ---------------------------------------------------------------

def _key(text: str) -> str:
    """'4. Economic affairs' / 'of which: Transport ' -> 'economic affairs' / 'transport'."""
    text = re.sub(r"^\s*\d+(\.\d+)*\.?\s*", "", text.lower())
    text = re.sub(r"\bof which:\s*", "", text)
    return re.sub(r"\s+", " ", text).strip(" -")


@lru_cache
def crosswalk() -> dict[tuple[str, str], tuple[str | None, str]]:
    """(function, sub-function) -> (COFOG code or None when the row is not spending on a function, note)."""
    text = resources.files("placespend.ingest.reference.data").joinpath("hmt_functions_to_cofog.csv").read_text(
        encoding="utf-8")
    return {(_key(r["hmt_function"]), _key(r["hmt_subfunction"])): (r["cofog"].strip() or None, r["note"])
            for r in csv.DictReader(io.StringIO(text))}


def _names(function: str, subfunction: str) -> tuple[str, str]:
    """Split CRA's one-column forms: '4. Economic affairs - of which: transport' (2010), '4. of which: transport'."""
    if not subfunction and " - " in function:
        function, subfunction = function.split(" - ", 1)
    numbered = re.match(r"\s*(\d{1,2})\.\s*of which:\s*(.*)", function, re.IGNORECASE)
    if numbered and not subfunction:
        division = f"{int(numbered.group(1)):02d}"  # the first function row of that division (file order)
        named = next((f for (f, sub), (code, _) in crosswalk().items() if not sub and code == division), "")
        return named, _key(numbered.group(2))
    return _key(function), _key(subfunction)


def hmt_cofog(function: str, subfunction: str = "") -> tuple[bool, str | None]:
    """(known, COFOG code) for an HMT function; known with None means 'deliberately no function'."""
    table = crosswalk()
    name, sub = _names(function, subfunction)
    for key in ((name, sub), (name, "")):
        if key in table:
            return True, table[key][0]
    return False, None


def division_in(text: str) -> str | None:
    """'10. Social Protection' -> '10'; None when the text does not start with a COFOG division number."""
    match = re.match(r"\s*(\d{1,2})\.(?!\d)", text)
    return cls.normalise_cofog(match.group(1)) if match else None


# -- cells -------------------------------------------------------------------------------------------------

def text_of(value: object) -> str:
    return "" if value is None else str(value).strip()


def money(value: object, scale: int, report: Report, row: int, column: str, sheet: str | None = None
          ) -> Decimal | None:
    """A cell in the file's unit -> pounds to the penny; None for blank/'-'/'..' and (with an error) for junk."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number: Decimal | None = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    else:
        text = text_of(value)
        if text in NOT_A_VALUE:
            return None
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite() or abs(number.scaleb(scale)) >= TOO_LARGE:
        report.error("value-not-number", f"'{text_of(value)}' is not an amount.", row=row, column=column,
                     sheet=sheet, value=text_of(value))
        return None
    return number.scaleb(scale).quantize(PENNY, rounding=ROUND_HALF_UP)


def millions(amount: Decimal) -> str:
    return f"GBP {amount / 10**6:,.0f}m"


class SpendRows:
    """Columns of a regional_spend table, filled row by row."""

    def __init__(self) -> None:
        self.columns: dict[str, list[object]] = {name: [] for name in FIELDS}

    def add(self, period: str, region: str, cofog: str, amount: Decimal, identifiable: bool,
            capital_current: str | None = None, sector: str | None = None, department: str | None = None,
            hmt_function: str | None = None) -> None:
        values = (period, region, region_code(region), cofog, amount, identifiable, capital_current, sector,
                  department, hmt_function)
        for name, value in zip(FIELDS, values, strict=True):
            self.columns[name].append(value)

    def batch(self, vintage: str, note: str) -> list[ReferenceBatch]:
        count = len(self.columns["period"])
        return [ReferenceBatch("regional_spend", conform("regional_spend", {"vintage": [vintage] * count,
                                                                            **self.columns}), note)]


# -- recognising and opening a table (CSV or a worksheet) ---------------------------------------------------

def _flat(text: str) -> str:
    return "," + re.sub(r"\s*,\s*", ",", re.sub(r"\s+", " ", text.strip().lower())) + ","


def header_lines(probe: Probe) -> list[str]:
    """Each candidate header (a CSV's first line, each sheet's first row) as ',a,b,c,' for containment tests."""
    if not probe.sheets:
        first = next((line for line in probe.head if line.strip()), "")
        return [_flat(",".join(next(csv.reader([first]), [])))]
    lines = []
    for sheet in probe.sheets:
        prefix = f"{sheet.lower()}: "
        first = next((line for line in probe.head if line.startswith(prefix)), None)
        if first is not None:
            lines.append(_flat(first[len(prefix):]))
    return lines


def has_columns(line: str, present: tuple[str, ...], absent: tuple[str, ...] = ()) -> bool:
    return all(_flat(c) in line for c in present) and not any(_flat(c) in line for c in absent)


Rows = Iterator[tuple[int, tuple[object, ...]]]


@dataclass
class Table:
    sheet: str | None
    header: list[str]             # lower case, spaces collapsed: what readers look columns up by
    labels: dict[str, str]        # lower-case name -> the column's name as the file spells it (for messages)
    rows: Rows                    # (row number in the file, cells), header = row 1


def _name(cell: object) -> str:
    return re.sub(r"\s+", " ", text_of(cell).lower())


def _table(sheet: str | None, cells: tuple[object, ...], rows: Rows) -> Table:
    return Table(sheet, [_name(c) for c in cells], {_name(c): text_of(c) for c in cells}, rows)


def _guarded(rows: Iterator[tuple[object, ...]], report: Report, close: Callable[[], None] | None = None) -> Rows:
    """Numbered rows; a file that breaks while being read is a report error, not an exception."""
    try:
        yield from enumerate((tuple(r) for r in rows), start=2)
    except Exception as exc:  # a damaged file is a property of the input, reported as such
        report.error("file-unreadable", f"The file could not be read to the end: {exc}.")
    finally:
        if close:
            close()


def open_table(path: Path, present: tuple[str, ...], report: Report) -> Table | None:
    """The CSV, or the first worksheet whose header has the `present` columns; None (with an error) if neither."""
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm"} or zipfile.is_zipfile(path):
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True, data_only=True)
            for sheet in book.worksheets:
                rows = sheet.iter_rows(values_only=True)
                first = tuple(next(rows, ()))
                if has_columns(_flat(",".join(text_of(c) for c in first)), present):
                    return _table(sheet.title, first, _guarded(rows, report, book.close))
            book.close()
            report.error("sheet-missing", f"No worksheet has the expected columns ({', '.join(present)}).")
            return None
        reader = csv.reader(open_text(path))
        return _table(None, tuple(next(reader, [])), _guarded(reader, report))
    except Exception as exc:  # any failure to open is a property of the file, reported as such
        report.error("file-unreadable", f"The file could not be read: {exc}.")
        return None


# -- CRA databases -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Layout:
    name: str
    vintage: str
    title: str
    scale: int
    present: tuple[str, ...]     # columns that recognise the layout (all lower case)
    absent: tuple[str, ...]
    cofog: str
    function: str
    identifiable: str
    capital_current: str
    sector: str
    region: str
    department: str

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.cofog, self.function, self.identifiable, self.capital_current, self.sector, self.region,
                self.department)


_CRA2010 = dict(scale=MILLION, function="hmt functional classification", identifiable="id or non-id",
                capital_current="cap or cur", sector="cg, lg or pc", region="nuts 1 region", department="dept name")
_CRA_LATER = dict(scale=THOUSAND, cofog="cofog level 0", function="hmt function", identifiable="id/non-id",
                  capital_current="cap or cur", region="nuts region")
LAYOUTS = (
    Layout("cra2010-chapter9", "cra2010-ch9", "CRA 2010 database (PESA 2010 chapter 9 basis), GBP m",
           present=("dept code", "cofog level 1", "hmt functional classification", "programme object group",
                    "id or non-id", "cg, lg or pc", "nuts 1 region"),
           absent=("cofog level 2",), cofog="cofog level 1", **_CRA2010),
    Layout("cra2010-chapter10", "cra2010-ch10", "CRA 2010 database (PESA 2010 chapter 10 basis), GBP m",
           present=("dept code", "cofog level 1", "cofog level 2", "hmt sub-functional classification",
                    "id or non-id", "cg, lg or pc", "nuts 1 region"),
           absent=(), cofog="cofog level 1", **_CRA2010),
    Layout("cra2014", "cra2014", "CRA 2014 database, GBP '000",
           present=("department", "cofog level 0", "hmt function", "cra segment description", "id/non-id",
                    "cg, lg or pc", "nuts region", "country"),
           absent=("organisation name",), sector="cg, lg or pc", department="department", **_CRA_LATER),
    Layout("cra2018", "cra2018", "CRA 2018 (revised) database, GBP '000",
           present=("department name", "organisation name", "cra segment code", "cofog level 0", "hmt function",
                    "id/non-id", "cg, lg, pc, boe", "allocated by hmt or dept", "nuts region"),
           absent=(), sector="cg, lg, pc, boe", department="department name", **_CRA_LATER),
)


def region_named(text: str, identifiable: bool) -> str | None:
    cleaned = text.strip()
    if cleaned.upper().startswith("ENGLAND_"):
        cleaned = cleaned[len("ENGLAND_"):]
    region = canonical_region(cleaned)
    return "UK identifiable not allocated" if region == "Non-identifiable" and identifiable else region


def read_cra(layout: Layout, path: Path, report: Report) -> list[ReferenceBatch]:
    table = open_table(path, layout.present, report)
    if table is None:
        return []
    sheet = table.sheet
    where = {"sheet": sheet} if sheet else {}
    index = {name: i for i, name in enumerate(table.header)}
    missing = [c for c in layout.columns if c not in index]
    years = [(i, name) for i, name in enumerate(table.header) if v.is_valid_period(name)]
    for column in missing:
        report.error("column-missing", f"The column '{column}' is missing.", **where)
    if not years:
        report.error("column-missing", "No financial-year columns (like 2008-09) were found.", **where)
    if missing or not years:
        return []
    out = SpendRows()
    skipped: dict[tuple[str, str], Decimal] = defaultdict(Decimal)    # (function, period) -> not a COFOG function
    non_id_in_region: dict[str, Decimal] = defaultdict(Decimal)       # period -> marked non-ID yet in a region
    cols = [index[c] for c in layout.columns]
    width = max(cols + [i for i, _ in years]) + 1
    for row, raw in table.rows:
        cells = tuple(raw) + (None,) * (width - len(raw)) if len(raw) < width else raw
        if all(text_of(c) == "" for c in cells):
            continue
        report.rows_read += 1
        values = _row_attributes(layout, [text_of(cells[i]) for i in cols], report, row, table.labels, where)
        for i, period in years:
            amount = money(cells[i], layout.scale, report, row, period, sheet)
            if amount is None or values is None:
                continue
            if values["cofog"] is None:
                skipped[(str(values["hmt_function"]), period)] += amount
                continue
            if not values["identifiable"] and region_code(str(values["region"])):
                non_id_in_region[period] += amount
            out.add(period, amount=amount, **values)
        if len(report.problems) >= MAX_PROBLEMS:
            report.error("too-many-errors", f"Stopped at row {row}: too many errors to list.", **where)
            return []
    for (function, period), total in sorted(skipped.items()):
        if total:
            report.warn("function-not-cofog", f"{period}: '{function}' is not spending on a COFOG function "
                        f"(hmt_functions_to_cofog.csv); {millions(total)} not imported.", **where)
    for period, total in sorted(non_id_in_region.items()):
        if total:
            report.warn("non-identifiable-in-region", f"{period}: {millions(total)} is marked non-identifiable yet "
                        "allocated to a UK country or region; imported as marked (identifiable = False).", **where)
    note = f"{layout.title} converted to GBP; years {years[0][1]}..{years[-1][1]} as published"
    return out.batch(layout.vintage, note) if report.ok else []


def _row_attributes(layout: Layout, texts: list[str], report: Report, row: int, labels: dict[str, str],
                    where: dict[str, str]) -> dict[str, object] | None:
    """The row's region, COFOG, sector... or None (with errors) when one of them is not understood."""
    cofog_text, function, id_text, capcur_text, sector_text, region_text, department = texts
    problems_before = len(report.problems)
    identifiable = id_text.lower() == "id"
    if id_text.lower() not in {"id", "non-id"}:
        report.error("value-unknown", f"'{id_text}' is not ID or non-ID.", row=row, column=labels[layout.identifiable],
                     **where)
    region = region_named(region_text, identifiable)
    if region is None:
        report.error("region-unknown", f"'{region_text}' is not a UK country or English region.", row=row,
                     column=labels[layout.region], **where)
    cofog = division_in(cofog_text)
    if cofog is None:
        known, code = hmt_cofog(function or cofog_text)
        if not known:
            report.error("cofog-unknown", f"'{cofog_text}' is not a COFOG division and '{function}' is not in "
                         "hmt_functions_to_cofog.csv.", row=row, column=labels[layout.cofog], **where)
        cofog = code[:2] if code else None
    capital_current = CAPITAL_CURRENT.get(capcur_text.upper())
    if capital_current is None:
        report.error("value-unknown", f"'{capcur_text}' is not CAP or CUR.", row=row,
                     column=labels[layout.capital_current], **where)
    sector = SECTORS.get(sector_text.upper())
    if sector is None:
        report.error("value-unknown", f"'{sector_text}' is not CG, LA/LG, PC or BOE.", row=row,
                     column=labels[layout.sector], **where)
    if len(report.problems) > problems_before:
        return None
    return {"region": region, "cofog": cofog, "identifiable": identifiable, "capital_current": capital_current,
            "sector": sector, "department": department or None, "hmt_function": function or cofog_text}


def cra_readers() -> list[Reader]:
    def reader(layout: Layout) -> Reader:
        return Reader(layout.name, "regional_spend",
                      lambda probe: any(has_columns(line, layout.present, layout.absent)
                                        for line in header_lines(probe)),
                      lambda path, report: read_cra(layout, path, report), layout.title)

    return [reader(layout) for layout in LAYOUTS]
