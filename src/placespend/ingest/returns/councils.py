"""What RS, RSX and RA tables share: one row per authority, amounts in GBP thousand, service-line columns.

Each authority in a file becomes its own `flows` batch (one submission per body, so a newer return of the
same body and year supersedes just that body's slice). Conventions, the same for every reader here:

- **spender** = the authority's ONS (GSS) code as a body id (``e09000012``, ids compare case-insensitively),
  its name as `spender_name`; **place** = that GSS code. Files of 2010-11 to 2013-14 carry only DCLG E-codes
  (``E5013``); the packaged ``data/dclg_ecodes.csv`` supplies the GSS code then (see ``data/README.md``).
  Authorities of those years with no ONS code of their own (the passenger transport authorities, Greater
  Manchester fire) keep their E-code as body id and take as place the area they served, from the packaged
  ``data/multi_area_ecodes.csv``; `placespend.ingest.multi_area` then places them by population share.
- **spender_type**: police (GSS E23, police force areas) -> ``police``; fire (E31) -> ``fire``; everything
  else (councils, GLA, combined, park, waste and transport authorities) -> ``local_authority``.
- **amounts**: net current expenditure in GBP thousand, converted to pounds; negative amounts (income above
  cost, e.g. parking) are kept so lines add up to the published totals; zero and not-reported cells
  (blank, ``...``, ``…``, ``[x]``, "Category discontinued") make no line.
- only columns a reader classifies as *counted* become lines; every other column is reported once per file
  with its reason and the money in it, so nothing is silently dropped.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources

from placespend.domain import vocabulary as v
from placespend.domain.ledger_lines import FlowLine
from placespend.domain.problems import Report
from placespend.ingest.reference.batch import ReferenceBatch
from placespend.ingest.returns.grid import Grid

ECODE = re.compile(r"^E\d{4}$")
PERIOD = re.compile(r"(?<!\d)(\d{4})[-_/ ](\d{2})(?!\d)")
THOUSAND = Decimal(1000)
PENNY = Decimal("0.01")
NOT_REPORTED = {"", "...", "…", "..", "-", "x", "[x]", "[z]", "n/a", "na", ":", "category discontinued"}
ID_COLUMNS = {"e-code": "ecode", "ons code": "gss", "local authority": "name", "class": "class"}
MAX_CHECK_WARNINGS = 10


@dataclass(frozen=True)
class Column:
    """One data column: what it holds and whether it becomes lines.

    `status` is ``counted`` or the reason it is not: ``unmapped`` (the crosswalk leaves it blank: totals,
    income, financing), ``subtotal`` (its detail lines are counted instead), ``outside`` (below total
    service expenditure: benefits paid for DWP, levies and precepts passed to other bodies, interest),
    ``unknown`` (not in the crosswalk), ``total`` (the published total, used as a check).
    """

    index: int
    scheme: str
    code: str
    label: str
    cofog: str | None
    status: str
    cofog_source: str = "crosswalk"


@dataclass(frozen=True)
class Authority:
    row: int          # 1-based row in the grid
    ecode: str
    gss: str
    name: str
    cls: str
    body: str = ""       # the body id when it is not the area's code (an authority without an ONS code)
    body_type: str = ""  # its spender type then

    @property
    def spender(self) -> str:
        return v.normalise_id(self.body or self.gss)


@dataclass
class CouncilTable:
    grid: Grid
    header_row: int                   # 0-based index of the 'E-code' row
    ids: dict[str, int]               # ecode, gss, name, class -> column index
    authorities: list[Authority] = field(default_factory=list)

    @property
    def header(self) -> list[str]:
        return self.grid.rows[self.header_row]

    def cell(self, authority: Authority, index: int) -> str:
        row = self.grid.rows[authority.row - 1]
        return row[index] if index < len(row) else ""


@lru_cache(maxsize=1)
def ecode_places() -> dict[str, tuple[str, str]]:
    """DCLG E-code -> (GSS code, name), for files that predate ONS codes in MHCLG tables."""
    text = resources.files("placespend.ingest.returns.data").joinpath("dclg_ecodes.csv").read_text("utf-8")
    return {row["ecode"]: (row["gss"], row["name"]) for row in csv.DictReader(io.StringIO(text))}


@lru_cache(maxsize=1)
def multi_area_ecodes() -> dict[str, dict[str, str]]:
    """E-code -> the area it served and its body type, for authorities that never had an ONS code."""
    text = resources.files("placespend.ingest.returns.data").joinpath("multi_area_ecodes.csv").read_text("utf-8")
    return {row["ecode"]: row for row in csv.DictReader(io.StringIO(text))}


def header_index(grid: Grid) -> int | None:
    return next((i for i, row in enumerate(grid.rows) if row and row[0].strip().lower() == "e-code"), None)


def locate(grid: Grid, report: Report) -> CouncilTable | None:
    """The header row and the authorities under it (rows whose first cell is an E-code like E5013)."""
    at = header_index(grid)
    if at is None:
        report.error("header-not-found", "No header row starting 'E-code' was found; is this an MHCLG "
                     "'data by LA' table?", sheet=grid.sheet)
        return None
    header = [cell.strip().lower() for cell in grid.rows[at]]
    ids = {key: header.index(name) for name, key in ID_COLUMNS.items() if name in header}
    table = CouncilTable(grid, at, ids)
    unplaced: list[str] = []
    seen: set[str] = set()
    for number, row in enumerate(grid.rows[at + 1:], start=at + 2):
        ecode = row[0].strip() if row else ""
        if ecode.lower() == "e-code":
            break  # a second table (RSX 2022-23 on: the class breakdown, which repeats the GLA as a class)
        if not ECODE.match(ecode) or ecode in seen:
            continue  # England and class totals, notes
        name = _get(row, ids.get("name"))
        gss = _get(row, ids.get("gss")).upper()
        if not v.GSS_PATTERN.match(gss):
            gss, known_name = ecode_places().get(ecode, ("", ""))
            name = name or known_name
        served = multi_area_ecodes().get(ecode) if not gss else None
        if served:
            gss, name = served["area"], name or served["name"]
        if not gss:
            unplaced.append(f"{ecode} {name}")
            continue
        seen.add(ecode)
        table.authorities.append(Authority(number, ecode, gss, name, _get(row, ids.get("class")),
                                           ecode if served else "", served["body_type"] if served else ""))
    if unplaced:
        report.warn("authority-unplaced", f"{len(unplaced)} authorities have no ONS code here or in the E-code "
                    f"lookup and are not loaded: {', '.join(unplaced[:8])}{' ...' if len(unplaced) > 8 else ''}.",
                    sheet=grid.sheet)
    report.rows_read = len(table.authorities)
    return table


def _get(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""


def period_of(*texts: str) -> str | None:
    """The first financial year (2010-11) written in any of the texts (titles, sheet name, file name)."""
    for text in texts:
        for match in PERIOD.finditer(text):
            period = f"{match.group(1)}-{match.group(2)}"
            if v.is_valid_period(period):
                return period
    return None


def thousands(text: str) -> Decimal | None:
    """GBP thousand as printed ('11,896', '-619', '219385.12') -> pounds; None for not-reported cells."""
    cleaned = text.strip().replace(",", "").replace("£", "")
    if cleaned.lower() in NOT_REPORTED:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return (value * THOUSAND).quantize(PENNY, rounding=ROUND_HALF_UP) if value.is_finite() else None


def spender_type(gss: str) -> str:
    return {"E23": "police", "E31": "fire"}.get(gss[:3], "local_authority")


def batches(table: CouncilTable, columns: list[Column], period: str, basis: str, source: str,
            report: Report) -> list[ReferenceBatch]:
    """One flows batch per authority from its counted columns; not-counted columns reported once each."""
    counted = [c for c in columns if c.status == "counted"]
    out: list[ReferenceBatch] = []
    for authority in table.authorities:
        lines = [line for column in counted if (line := _line(table, authority, column, period, basis))]
        if lines:
            out.append(ReferenceBatch("flows", None, f"{source}: {authority.name} ({authority.gss}), "
                                      f"{len(lines)} lines, GBP thousand converted to GBP", lines,
                                      authority.spender))
    _report_not_counted(table, columns, report)
    return out


def _line(table: CouncilTable, authority: Authority, column: Column, period: str, basis: str) -> FlowLine | None:
    amount = thousands(table.cell(authority, column.index))
    if amount is None or amount == 0 or column.cofog is None:
        return None
    return FlowLine(
        sheet=table.grid.sheet, row=authority.row, period=period, place=authority.gss,
        spender=authority.spender, spender_type=authority.body_type or spender_type(authority.gss), flow="spend",
        amount=amount, cofog=column.cofog, cofog_source=column.cofog_source, spender_name=authority.name or None,
        service_scheme=column.scheme, service_code=column.code, basis=basis,
        line_id=f"{column.scheme}-{period}-{authority.ecode}-{column.code}",
        notes=f"{column.label} (net current expenditure)", extra={"x_ecode": authority.ecode},
    )


REASONS = {
    "unmapped": "the crosswalk leaves them unmapped (totals, income, financing), so counting them would count "
                "money twice or count income as spending",
    "subtotal": "they are subtotals of detail lines that are counted instead",
    "outside": "they lie below total service expenditure (housing benefit paid for DWP, levies and precepts "
               "passed to bodies that report their own spending, interest and financing), outside the service "
               "spend that RS, RSX and RA totals compare",
    "unknown": "their line numbers are not in the RA/RSX crosswalk (reserves, HRA, memorandum items)",
    "total": "it is the published total, used only to check the counted lines",
}


def _report_not_counted(table: CouncilTable, columns: list[Column], report: Report) -> None:
    for status, why in REASONS.items():
        chosen = [c for c in columns if c.status == status]
        if not chosen:
            continue
        money = sum((thousands(table.cell(a, c.index)) or Decimal(0) for c in chosen for a in table.authorities),
                    Decimal(0))
        names = ", ".join(f"{c.code} {c.label}"[:60] for c in chosen[:12]) + (" ..." if len(chosen) > 12 else "")
        report.warn(f"lines-not-counted-{status}", f"{len(chosen)} columns are not counted because {why}: "
                    f"{names} (GBP {money:,.0f} across all authorities).", sheet=table.grid.sheet)


def check_totals(table: CouncilTable, counted: list[Column], total: Column | None, report: Report) -> None:
    """Warn where an authority's counted lines differ from its published total by more than rounding.

    Published cells are rounded to GBP thousand, so each may be up to GBP 500 off: the tolerance grows with
    the number of lines.
    """
    if total is None:
        return
    tolerance = Decimal(500) * (len(counted) + 1)
    off = []
    for authority in table.authorities:
        published = thousands(table.cell(authority, total.index))
        if published is None:
            continue
        summed = sum((thousands(table.cell(authority, c.index)) or Decimal(0) for c in counted), Decimal(0))
        if abs(summed - published) > tolerance:
            off.append((authority, summed, published))
    for authority, summed, published in off[:MAX_CHECK_WARNINGS]:
        report.warn("total-mismatch", f"{authority.name}: counted lines add up to GBP {summed:,.0f} but the "
                    f"published {total.label} is GBP {published:,.0f}.", sheet=table.grid.sheet, row=authority.row)
    if len(off) > MAX_CHECK_WARNINGS:
        report.warn("total-mismatch", f"... and {len(off) - MAX_CHECK_WARNINGS} more authorities.",
                    sheet=table.grid.sheet)
