"""ONS population by single year of age, Census 2021 households and age groups, Standard Area Measurements.

Each file becomes `place_statistics` rows (area, period, indicator, value). The small CSV toolkit at the top
(`CsvTable`, `area_codes`, `numbers`, `Statistics`) is shared with the IMD reader.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import accumulate
from pathlib import Path

from placespend.domain import vocabulary as v
from placespend.domain.problems import Report
from placespend.ingest.decoding import open_text
from placespend.ingest.reference.batch import Probe, Reader, ReferenceBatch, conform

# Relative NHS cost per head by age band (ages 25-44 = 1.0). AN APPROXIMATION: the shape (newborn peak, low
# in childhood, rising steeply after 65) follows the age-cost curves behind NHS England's CCG allocations and
# the average annual NHS spend by age in Asaria, "Health care costs in the English NHS: reference tables for
# average annual NHS spend by age, sex and deprivation group", CHE Research Paper 147, University of York,
# 2017 (English NHS, 2011/12). Values are rounded readings of that shape, not published figures: replace them
# with the published curve where a need formula must be reproduced exactly. Only ratios matter in the
# centre-out share (DESIGN.md §5); for reference, England's mid-2019 mean weight is about 1.55.
HEALTH_COST_WEIGHTS: tuple[tuple[int, int | None, Decimal], ...] = (
    (0, 4, Decimal("1.2")),
    (5, 15, Decimal("0.6")),
    (16, 24, Decimal("0.8")),
    (25, 44, Decimal("1.0")),
    (45, 64, Decimal("1.5")),
    (65, 74, Decimal("2.8")),
    (75, 84, Decimal("4.2")),
    (85, None, Decimal("5.8")),
)

# Age bands emitted from single years of age (inclusive; None = and over). `population` is the published total.
AGE_BANDS: dict[str, tuple[int, int | None]] = {
    "population_0_4": (0, 4),
    "population_0_15": (0, 15),
    "population_0_17": (0, 17),
    "population_0_18": (0, 18),
    "population_16_64": (16, 64),
    "population_65_plus": (65, None),
    "population_75_plus": (75, None),
    "population_85_plus": (85, None),
}
OLDEST = 90  # the last single-year column is "90+"
SIX_PLACES = Decimal("0.000001")


# ---- a small CSV toolkit shared with imd.py -------------------------------------------------------------

def header_of(probe: Probe) -> list[str]:
    """The lower-cased column names of a CSV probe's first line ([] for workbooks or empty files)."""
    if probe.sheets or not probe.head:
        return []
    return [name.strip() for name in next(csv.reader([probe.head[0]]), [])]


@dataclass
class CsvTable:
    names: list[str]                      # column names as printed (stripped)
    rows: list[list[str]]                 # data rows, blank lines dropped
    lines: list[int]                      # the file line of each row (header = line 1)
    keys: list[str] = field(init=False)   # lower-cased names, for lookups

    def __post_init__(self) -> None:
        self.keys = [name.lower() for name in self.names]

    def index(self, key: str) -> int | None:
        return self.keys.index(key) if key in self.keys else None

    def texts(self, index: int) -> list[str]:
        return [row[index].strip() if index < len(row) else "" for row in self.rows]


def read_csv(path: Path, report: Report) -> CsvTable:
    records = csv.reader(open_text(path))
    names = [name.strip() for name in next(records, [])]
    numbered = [(line, row) for line, row in enumerate(records, start=2) if any(cell.strip() for cell in row)]
    report.rows_read = len(numbered)
    return CsvTable(names, [row for _, row in numbered], [line for line, _ in numbered])


def require(table: CsvTable, keys: Iterable[str], report: Report) -> dict[str, int]:
    """Column positions by key; a missing column is an error naming it."""
    found: dict[str, int] = {}
    for key in keys:
        index = table.index(key)
        if index is None:
            report.error("column-missing", f"The column '{key}' is missing.", column=key)
        else:
            found[key] = index
    return found


def find_column(table: CsvTable, pattern: str, report: Report) -> int | None:
    """The first column whose lower-cased name fully matches a pattern, e.g. an area code column."""
    found = next((i for i, key in enumerate(table.keys) if re.fullmatch(pattern, key)), None)
    if found is None:
        report.error("column-missing", f"No column named like '{pattern}' (an area code column) was found.")
    return found


def to_decimal(text: str) -> Decimal | None:
    """A number as printed ('29,199' -> 29199); None when the text is not a finite number."""
    try:
        value = Decimal(text.replace(",", "") if "," in text else text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def numbers(table: CsvTable, index: int, report: Report) -> list[Decimal | None]:
    """One column as Decimals; blanks and non-numbers are errors at their row and column."""
    column = table.names[index]
    values: list[Decimal | None] = []
    for line, text in zip(table.lines, table.texts(index), strict=True):
        value = to_decimal(text) if text else None
        if value is None:
            slug, what = ("value-not-number", f"'{text}' is not a number") if text else ("value-missing", "is empty")
            report.error(slug, f"{column} {what}.", row=line, column=column, value=text or None)
        values.append(value)
    return values


def area_codes(table: CsvTable, index: int, report: Report) -> list[str]:
    """A column of ONS GSS codes, upper-cased; anything else is an error."""
    codes = [text.upper() for text in table.texts(index)]
    for line, code in zip(table.lines, codes, strict=True):
        if not v.GSS_PATTERN.match(code):
            report.error("area-invalid", f"'{code}' is not an ONS GSS code.", row=line, column=table.names[index],
                         value=code)
    return codes


@dataclass
class Statistics:
    """place_statistics columns built one indicator at a time."""

    columns: dict[str, list[object]] = field(
        default_factory=lambda: {"area": [], "period": [], "indicator": [], "value": []})

    def add(self, areas: list[str], period: str, indicator: str, values: Iterable[Decimal | None]) -> None:
        kept = [(area, value) for area, value in zip(areas, values, strict=True) if value is not None]
        self.columns["area"].extend(area for area, _ in kept)
        self.columns["period"].extend([period] * len(kept))
        self.columns["indicator"].extend([indicator] * len(kept))
        self.columns["value"].extend(_fit(value) for _, value in kept)

    def batches(self, report: Report, note: str) -> list[ReferenceBatch]:
        if not report.ok:
            return []
        return [ReferenceBatch("place_statistics", conform("place_statistics", self.columns), note)]


def _fit(value: Decimal) -> Decimal:
    """Values keep their printed digits, rounded only beyond the schema's 6 decimal places."""
    exponent = value.as_tuple().exponent
    return value.quantize(SIX_PLACES) if isinstance(exponent, int) and exponent < -6 else value


# ---- ONS mid-year population by single year of age --------------------------------------------------------

def _is_single_year_population(probe: Probe) -> bool:
    keys = set(header_of(probe))
    return {"total_population", "0", "1", "89", "90+"} <= keys and any(k.endswith("_code") for k in keys)


def _mid_year(path: Path, report: Report) -> str | None:
    """The header does not say the year; the ONS/demographr file name does (population19_..., mid-2019)."""
    found = re.search(r"(?:population|mid)[-_ ]?(\d{4}|\d{2})(?!\d)", path.name.lower())
    if found is None:
        report.error("period-unknown", "This population file does not say which mid-year it holds: name it like "
                     "'population19_ltla19.csv' or 'mid-2019.csv'.")
        return None
    year = found.group(1)
    return year if len(year) == 4 else f"20{year}"


def _counts(row: list[str], columns: list[int], table: CsvTable, line: int, report: Report) -> list[int] | None:
    """Single-year counts of one row; the fast path is int(), the slow path says which cell is wrong."""
    try:
        counts = [int(row[i]) for i in columns]
        if min(counts) >= 0:
            return counts
    except (ValueError, IndexError):
        pass
    counts = []
    for i in columns:
        text = row[i].strip() if i < len(row) else ""
        value = to_decimal(text) if text else None
        if value is None or value < 0 or value != value.to_integral_value():
            report.error("value-not-count", f"{table.names[i]} '{text}' is not a count of people.", row=line,
                         column=table.names[i], value=text or None)
            return None
        counts.append(int(value))
    return counts


def _band(cumulative: list[int], low: int, high: int | None) -> int:
    return cumulative[(OLDEST if high is None else high) + 1] - cumulative[low]


def read_single_year_population(path: Path, report: Report) -> list[ReferenceBatch]:
    table = read_csv(path, report)
    code = find_column(table, r".+_code", report)
    ages = require(table, [*map(str, range(OLDEST)), f"{OLDEST}+"], report)
    total = require(table, ["total_population"], report)
    period = _mid_year(path, report)
    if not report.ok or period is None or code is None:
        return []
    areas, totals = area_codes(table, code, report), numbers(table, total["total_population"], report)
    age_columns = list(ages.values())
    bands: dict[str, list[Decimal | None]] = {name: [] for name in [*AGE_BANDS, "population_age_weighted_health"]}
    for line, row, published in zip(table.lines, table.rows, totals, strict=True):
        counts = _counts(row, age_columns, table, line, report)
        if counts is None:
            for column in bands.values():
                column.append(None)
            continue
        cumulative = list(accumulate(counts, initial=0))
        for name, (low, high) in AGE_BANDS.items():
            bands[name].append(Decimal(_band(cumulative, low, high)))
        bands["population_age_weighted_health"].append(
            sum((w * _band(cumulative, low, high) for low, high, w in HEALTH_COST_WEIGHTS), Decimal(0)))
        if published is not None and published != cumulative[-1]:
            report.warn("population-total-mismatch", f"total_population {published} differs from the sum of single "
                        f"years of age {cumulative[-1]}; bands use the single years.", row=line,
                        column=table.names[total["total_population"]])
    stats = Statistics()
    stats.add(areas, period, "population", totals)
    for name, values in bands.items():
        stats.add(areas, period, name, values)
    return stats.batches(report, f"ONS mid-{period} population by single year of age ({len(areas)} areas, "
                         f"{table.names[code]}); bands summed from single years; population_age_weighted_health "
                         "uses the approximate HEALTH_COST_WEIGHTS age-cost curve")


# ---- Census 2021 households and age groups ------------------------------------------------------------------

def _is_households(probe: Probe) -> bool:
    keys = header_of(probe)
    return "households" in keys and len(keys) <= 4 and any(k.endswith("21_code") for k in keys)


def read_census_households(path: Path, report: Report) -> list[ReferenceBatch]:
    table = read_csv(path, report)
    code, columns = find_column(table, r".+_code", report), require(table, ["households"], report)
    if not report.ok or code is None:
        return []
    areas, values = area_codes(table, code, report), numbers(table, columns["households"], report)
    stats = Statistics()
    stats.add(areas, "2021", "households", values)
    return stats.batches(report, "Census 2021 households with at least one usual resident (published rounded "
                         "to the nearest 100)")


CENSUS_AGE_GROUPS = ("total_population", "total_females", "total_males", "working_age_females", "working_age_males",
                     "older_females", "older_males")


def _is_census_age_groups(probe: Probe) -> bool:
    return set(CENSUS_AGE_GROUPS) <= set(header_of(probe))


def read_census_age_groups(path: Path, report: Report) -> list[ReferenceBatch]:
    """Census 2021 (TS009) by LAD as grouped by demographr.

    demographr's grouping has two upstream slips, checked against mid-2020 single years: `younger_*` adds the
    'under 1' category on top of '4 and under' (double count), and `older_*` holds 65-74 only (a stray comma
    drops 75+). So only the totals, working age 16-64 and 65-74 are emitted.
    """
    table = read_csv(path, report)
    columns = require(table, ["ltla21_code", *CENSUS_AGE_GROUPS], report)
    if not report.ok:
        return []
    areas = area_codes(table, columns["ltla21_code"], report)
    value = {key: numbers(table, columns[key], report) for key in CENSUS_AGE_GROUPS}
    stats = Statistics()
    stats.add(areas, "2021", "population", value["total_population"])
    stats.add(areas, "2021", "population_female", value["total_females"])
    stats.add(areas, "2021", "population_male", value["total_males"])
    for name, female, male in (("population_16_64", "working_age_females", "working_age_males"),
                               ("population_65_74", "older_females", "older_males")):
        stats.add(areas, "2021", name, [None if a is None or b is None else a + b
                                        for a, b in zip(value[female], value[male], strict=True)])
    report.warn("census-age-groups-partial", "Census 2021 age groups: younger_* double-counts under-1s and older_* "
                "holds ages 65-74 only in this file, so population_0_15 and population_65_plus are not taken from it.")
    return stats.batches(report, "Census 2021 usual residents by LAD: totals, 16-64, 65-74")


# ---- ONS Standard Area Measurements -------------------------------------------------------------------------

def _is_sam(probe: Probe) -> bool:
    keys = header_of(probe)
    return "arealhect" in keys and any(re.fullmatch(r"[a-z]+\d\dcd", k) for k in keys)


def read_standard_area_measurements(path: Path, report: Report) -> list[ReferenceBatch]:
    """AREALHECT = land area in hectares (to mean high water, excluding inland water), ONS's density denominator."""
    table = read_csv(path, report)
    code, columns = find_column(table, r"[a-z]+\d\dcd", report), require(table, ["arealhect"], report)
    if not report.ok or code is None:
        return []
    period = f"20{table.keys[code][-4:-2]}"  # LAD18CD -> 2018
    areas = area_codes(table, code, report)
    stats = Statistics()
    stats.add(areas, period, "area_ha", numbers(table, columns["arealhect"], report))
    return stats.batches(report, f"ONS Standard Area Measurements {period}, land area (AREALHECT) in hectares")


# ---- Eurostat population on 1 January by NUTS 1 -------------------------------------------------------------

NUTS1_TO_GSS = {
    "UKC": "E12000001", "UKD": "E12000002", "UKE": "E12000003", "UKF": "E12000004", "UKG": "E12000005",
    "UKH": "E12000006", "UKI": "E12000007", "UKJ": "E12000008", "UKK": "E12000009", "UKL": "W92000004",
    "UKM": "S92000003", "UKN": "N92000002", "UK": "K02000001",
}


def _is_eurostat_population(probe: Probe) -> bool:
    return {"time", "geo", "sex", "age", "unit", "value"} <= set(header_of(probe))


def read_eurostat_population(path: Path, report: Report) -> list[ReferenceBatch]:
    """Eurostat demo_r_d2jan (population on 1 January) for UK NUTS 1 regions, as GSS region/country codes."""
    table = read_csv(path, report)
    columns = require(table, ["time", "geo", "sex", "age", "unit", "value"], report)
    if not report.ok:
        return []
    filters = [[t.lower() == want for t in table.texts(columns[key])]
               for key, want in (("sex", "total"), ("age", "total"), ("unit", "number"))]
    wanted = [all(flags) for flags in zip(*filters, strict=True)]
    geo, years = table.texts(columns["geo"]), table.texts(columns["time"])
    for line, code, keep in zip(table.lines, geo, wanted, strict=True):
        if keep and code.upper() not in NUTS1_TO_GSS:
            report.error("area-invalid", f"'{code}' is not a UK NUTS 1 code.", row=line, column="GEO", value=code)
    values = numbers(table, columns["value"], report)
    stats = Statistics()
    for year in sorted(set(years)):
        picked = [i for i, t in enumerate(years) if t == year and wanted[i]]
        stats.add([NUTS1_TO_GSS.get(geo[i].upper(), geo[i]) for i in picked], year, "population_1jan",
                  [values[i] for i in picked])
    return stats.batches(report, "Eurostat population on 1 January by UK NUTS 1 region (1 Jan Y is close to mid-Y-1)")


# This module's readers, in the order they are tried (ingest.registry lists every module's).
READERS = (
    Reader("ons-population-single-year", "place_statistics", _is_single_year_population,
           read_single_year_population,
           "ONS mid-year population by single year of age (LAD, upper tier, LSOA): population and age bands"),
    Reader("census2021-households", "place_statistics", _is_households, read_census_households,
           "Census 2021 households by LAD"),
    Reader("census2021-age-groups", "place_statistics", _is_census_age_groups, read_census_age_groups,
           "Census 2021 usual residents by LAD, sex and broad age group"),
    Reader("ons-standard-area-measurements", "place_statistics", _is_sam, read_standard_area_measurements,
           "ONS Standard Area Measurements: land area in hectares"),
    Reader("eurostat-nuts1-population", "place_statistics", _is_eurostat_population, read_eurostat_population,
           "Eurostat population on 1 January by UK NUTS 1 region"),
)
