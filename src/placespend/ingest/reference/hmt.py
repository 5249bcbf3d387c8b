"""HM Treasury regional spending: PESA 2009 chapters 9 and 10 here, the CRA databases in hmt_cra; all registered.

PESA 2009 chapter 9 (reader `pesa2009-chapter9`, vintage `pesa2009`): identifiable expenditure on services by HMT
function x English region / country, GBP m, 2003-04..2008-09, as flattened by OKF's Where Does My Money Go
(columns year, region, function, subfunction, cap_cur_total, measure, value). Imported: one row per column x
function from the `actual` function *totals* (capital_current left null). Not imported, by design:
- capital and current rows: every published cell is rounded on its own, so capital + current misses the function
  total by up to GBP 2m; the totals are the published headline figures;
- sub-function rows ('of which' parts of economic affairs and general public services): they would count twice;
- derived totals: 'England' (= the nine English regions), the 'Total' column and each column's 'Total' function.
  They are checked against their parts instead; a gap beyond rounding is a warning that says what is not imported.
- per-head and index measures.
The 'UK' column is *non-identifiable* spending, whatever its label suggests: it holds defence (GBP 36,112m in
2008-09) and public sector debt interest (GBP 32,066m) and matches CRA 2010's non-identifiable rows function by
function. It is imported as region 'Non-identifiable' with identifiable = False (PESA_UK_COLUMN).

PESA 2009 chapter 10 (reader `pesa2009-chapter10`, vintage `pesa2009-ch10`): identifiable expenditure by COFOG
levels 1-3 x country. Only level-1 (division) rows are imported; groups and classes are parts of them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

from placespend.domain import vocabulary as v
from placespend.domain.problems import Report
from placespend.domain.regions import canonical_region, region_code
from placespend.ingest.reference.batch import Probe, Reader, ReferenceBatch
from placespend.ingest.reference.hmt_cra import (
    MAX_PROBLEMS,
    MILLION,
    SpendRows,
    cra_readers,
    has_columns,
    header_lines,
    hmt_cofog,
    millions,
    money,
    open_table,
    text_of,
)

CH9_COLUMNS = ("year", "region", "function", "subfunction", "cap_cur_total", "measure", "value")
CH10_COLUMNS = ("year", "country", "cofog_l1", "cofog_l2", "cofog_l3", "cap_cur_total", "measure", "value")
ROUNDING = Decimal(5_000_000)  # independently rounded GBP m cells: up to ten of them, GBP 0.5m each
PESA_UK_COLUMN = ("Non-identifiable", False)  # (region, identifiable) for chapter 9's 'UK' column; see above
DERIVED = {"england", "total"}

Records = Iterator[tuple[int, dict[str, str]]]


def _matches(columns: tuple[str, ...]) -> Callable[[Probe], bool]:
    return lambda probe: not probe.sheets and any(has_columns(line, columns) for line in header_lines(probe))


def _records(path: Path, columns: tuple[str, ...], report: Report) -> Records | None:
    table = open_table(path, columns, report)
    if table is None:
        return None
    header, rows = table.header, table.rows
    missing = [c for c in columns if c not in header]
    for column in missing:
        report.error("column-missing", f"The column '{column}' is missing.")
    if missing:
        return None

    def records() -> Records:
        for row, cells in rows:
            if any(text_of(c) for c in cells):
                report.rows_read += 1
                yield row, {name: text_of(cells[i]) if i < len(cells) else "" for i, name in enumerate(header)}

    return records()


def _amount(record: dict[str, str], report: Report, row: int) -> Decimal | None:
    """The `actual` value in pounds (GBP m in the file); other measures are only checked to be numbers."""
    actual = record["measure"].lower() == "actual"
    amount = money(record["value"], MILLION if actual else 0, report, row, "value")
    if not actual or record["cap_cur_total"].lower() != "total":
        return None
    if amount is not None and not v.is_valid_period(record["year"]):
        report.error("period-format", f"'{record['year']}' is not a financial year like 2008-09.", row=row,
                     column="year")
        return None
    return amount


def _gap(report: Report, what: str, published: Decimal, parts: Decimal, of_what: str) -> None:
    if abs(published - parts) > ROUNDING:
        report.warn("published-total-differs", f"{what}: published {millions(published)}, but {of_what} add up to "
                    f"{millions(parts)} (difference {millions(published - parts)}, beyond rounding); only "
                    f"{of_what} are imported.")


def _cofog(function: str, report: Report, row: int, column: str) -> str | None:
    known, code = hmt_cofog(function)
    if code is None:
        report.error("cofog-unknown", f"'{function}' is not a function in hmt_functions_to_cofog.csv" if not known
                     else f"'{function}' is not spending on a COFOG function.", row=row, column=column)
    return code[:2] if code else None


def read_pesa_chapter9(path: Path, report: Report) -> list[ReferenceBatch]:
    records = _records(path, CH9_COLUMNS, report)
    if records is None:
        return []
    out = SpendRows()
    published: dict[tuple[str, str], Decimal] = {}          # (period, column) -> its 'Total' function
    england: dict[tuple[str, str], Decimal] = {}            # (period, function) -> England as published
    in_regions: dict[tuple[str, str], Decimal] = defaultdict(Decimal)  # ... -> sum of the nine regions
    by_column: dict[tuple[str, str], Decimal] = defaultdict(Decimal)   # (period, column) -> sum of functions
    for row, record in records:
        amount = _amount(record, report, row)
        if len(report.problems) >= MAX_PROBLEMS:
            report.error("too-many-errors", f"Stopped at row {row}: too many errors to list.")
            return []
        if amount is None or record["subfunction"]:
            continue
        period, column, function = record["year"], record["region"], record["function"]
        if function.lower() == "total":
            published[(period, column)] = amount
            continue
        if column.lower() in DERIVED:
            if column.lower() == "england":
                england[(period, function)] = amount
            continue
        region, identifiable = PESA_UK_COLUMN if column.upper() == "UK" else (canonical_region(column), True)
        cofog = _cofog(function, report, row, "function")
        if region is None:
            report.error("region-unknown", f"'{column}' is not a UK country or English region.", row=row,
                         column="region")
        if region is None or cofog is None:
            continue
        out.add(period, region, cofog, amount, identifiable, hmt_function=function)
        by_column[(period, column)] += amount
        if (region_code(region) or "").startswith("E12"):
            in_regions[(period, function)] += amount
    _check_chapter9(report, published, by_column, england, in_regions)
    return out.batch("pesa2009", "PESA 2009 chapter 9, function totals, GBP m converted to GBP") if report.ok else []


def _check_chapter9(report: Report, published: dict[tuple[str, str], Decimal], by_column: dict[tuple[str, str],
                    Decimal], england: dict[tuple[str, str], Decimal], in_regions: dict[tuple[str, str], Decimal]
                    ) -> None:
    def english(column: str) -> bool:
        return (region_code(canonical_region(column) or "") or "").startswith("E12")

    for (period, column), total in sorted(published.items()):
        same_year = [(c, t) for (p, c), t in published.items() if p == period]
        if column.lower() == "total":
            parts = sum((t for c, t in same_year if c.lower() not in DERIVED), Decimal(0))
            _gap(report, f"'Total' {period}", total, parts, "the English regions, countries, 'UK' and 'Outside the "
                 "UK' columns")
        elif column.lower() == "england":
            _gap(report, f"England {period}", total, sum((t for c, t in same_year if english(c)), Decimal(0)),
                 "the nine English regions")
        else:
            _gap(report, f"'{column}' {period}", total, by_column[(period, column)], "its functions")
    for (period, function), total in sorted(england.items()):
        _gap(report, f"England {function} {period}", total, in_regions[(period, function)],
             "the nine English regions")


def read_pesa_chapter10(path: Path, report: Report) -> list[ReferenceBatch]:
    records = _records(path, CH10_COLUMNS, report)
    if records is None:
        return []
    out = SpendRows()
    published: dict[tuple[str, str], Decimal] = {}
    by_country: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row, record in records:
        amount = _amount(record, report, row)
        if len(report.problems) >= MAX_PROBLEMS:
            report.error("too-many-errors", f"Stopped at row {row}: too many errors to list.")
            return []
        if amount is None or record["cofog_l2"] or record["cofog_l3"]:
            continue  # COFOG groups and classes are parts of their division
        period, country, division = record["year"], record["country"], record["cofog_l1"]
        region = canonical_region(country)
        if region is None:
            report.error("region-unknown", f"'{country}' is not a UK country.", row=row, column="country")
            continue
        if not division:
            published[(period, region)] = amount
            continue
        cofog = _cofog(re.sub(r"\s+", " ", division), report, row, "cofog_l1")
        if cofog is not None:
            out.add(period, region, cofog, amount, True)
            by_country[(period, region)] += amount
    for (period, region), total in sorted(published.items()):
        _gap(report, f"{region} {period}", total, by_country[(period, region)], "its COFOG divisions")
    return out.batch("pesa2009-ch10", "PESA 2009 chapter 10, COFOG divisions, GBP m converted to GBP") \
        if report.ok else []


# This module's readers, in the order they are tried (ingest.registry lists every module's).
READERS = (
    Reader("pesa2009-chapter9", "regional_spend", _matches(CH9_COLUMNS), read_pesa_chapter9,
           "PESA 2009 chapter 9: identifiable spending by HMT function x region (OKF flat CSV, GBP m)"),
    Reader("pesa2009-chapter10", "regional_spend", _matches(CH10_COLUMNS), read_pesa_chapter10,
           "PESA 2009 chapter 10: identifiable spending by COFOG x country (OKF flat CSV, GBP m)"),
    *cra_readers(),
)
