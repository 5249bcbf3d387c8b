"""English Indices of Deprivation as place statistics: LSOA ranks/deciles/scores and local authority summaries.

Indicator names: `imd_<measure>` for the overall index and `imd_<domain>_<measure>` for a domain, measure one of
`score`, `rank`, `decile` (LSOA files, 1 = most deprived) or, in area summaries, `average_score`,
`proportion_most_deprived_10pct`, `extent`, `average_score_rank` (computed here, 1 = highest average score).
Domains: income, employment, education, health, crime, barriers (housing and services), living_environment,
idaci, idaopi and the sub-domains; humaniverse's Housing_and_Access / Environment are renamed to match.
The IoD2019 LSOA files here (1, 2) carry ranks and deciles only: LSOA scores come from File 5 when supplied.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from placespend.domain.problems import Report
from placespend.ingest.reference.batch import Probe, Reader, ReferenceBatch
from placespend.ingest.reference.ons import (
    CsvTable,
    Statistics,
    area_codes,
    header_of,
    numbers,
    read_csv,
)

# IoD 2019/2015 column labels start with these (lower case) -> domain part of the indicator name ("" = IMD).
IOD_DOMAINS: tuple[tuple[str, str], ...] = (
    ("index of multiple deprivation (imd)", ""),
    ("income deprivation affecting children index (idaci)", "_idaci"),
    ("income deprivation affecting older people (idaopi)", "_idaopi"),
    ("income", "_income"),
    ("employment", "_employment"),
    ("education, skills and training", "_education"),
    ("health deprivation and disability", "_health"),
    ("crime", "_crime"),
    ("barriers to housing and services", "_barriers"),
    ("living environment", "_living_environment"),
    ("children and young people sub-domain", "_children_and_young_people"),
    ("adult skills sub-domain", "_adult_skills"),
    ("geographical barriers sub-domain", "_geographical_barriers"),
    ("wider barriers sub-domain", "_wider_barriers"),
    ("indoors sub-domain", "_indoors"),
    ("outdoors sub-domain", "_outdoors"),
)
# The IoD edition from the LAD code vintage its LSOA files carry (IoD2019 uses 2019 LADs, IoD2015 2013 LADs).
IOD_EDITION_BY_LAD_VINTAGE = {"2019": "2019", "2013": "2015"}
LSOA_CODE = "lsoa code (2011)"


def _iod_lad_vintage(keys: list[str]) -> str | None:
    for key in keys:
        found = re.fullmatch(r"local authority district code \((\d{4})\)", key)
        if found:
            return found.group(1)
    return None


def _iod_indicator(key: str) -> str | None:
    """'Income Rank (where 1 is most deprived)' -> imd_income_rank; None for columns that are not measures."""
    measure = next((m for m in ("score", "rank", "decile") if re.search(rf"\b{m}\b", key)), None)
    domain = next((name for prefix, name in IOD_DOMAINS if key.startswith(prefix)), None)
    return None if measure is None or domain is None else f"imd{domain}_{measure}"


# ---- IoD LSOA files 1, 2, 5 (ranks, deciles, scores) --------------------------------------------------------

def _is_iod_lsoa(probe: Probe) -> bool:
    keys = [k.lower() for k in header_of(probe)]
    return (bool(keys) and keys[0] == LSOA_CODE and _iod_lad_vintage(keys) in IOD_EDITION_BY_LAD_VINTAGE
            and any(_iod_indicator(k) for k in keys))


def read_iod_lsoa(path: Path, report: Report) -> list[ReferenceBatch]:
    table = read_csv(path, report)
    edition = IOD_EDITION_BY_LAD_VINTAGE.get(_iod_lad_vintage(table.keys) or "")
    if edition is None:
        report.error("period-unknown", "The 'Local Authority District code (YYYY)' column does not say which "
                     "Indices of Deprivation edition this is (2019 or 2013 LAD codes expected).")
        return []
    areas = area_codes(table, 0, report)
    stats = Statistics()
    for index, key in enumerate(table.keys):
        indicator = _iod_indicator(key)
        if indicator:
            stats.add(areas, edition, indicator, numbers(table, index, report))
    _add_denominators(table, areas, edition, stats, report)  # File 7 carries them beside the scores
    return stats.batches(report, f"English Indices of Deprivation {edition} by LSOA 2011 (1 = most deprived)")


# ---- IoD 2019 File 6: population denominators ---------------------------------------------------------------

DENOMINATORS: tuple[tuple[str, str], ...] = (
    ("total population", ""),
    ("dependent children aged 0-15", "_0_15"),
    ("population aged 16-59", "_16_59"),
    ("older population aged 60 and over", "_60_plus"),
    ("working age population 18-59/64", "_working_age"),
)


def _is_iod_denominators(probe: Probe) -> bool:
    keys = [k.lower() for k in header_of(probe)]
    return (bool(keys) and keys[0] == LSOA_CODE and any(k.startswith("total population: mid") for k in keys)
            and not any(_iod_indicator(k) for k in keys))


def _add_denominators(table: CsvTable, areas: list[str], edition: str, stats: Statistics, report: Report) -> None:
    total = next((k for k in table.keys if k.startswith("total population: mid")), "")
    year = re.search(r"mid[- ](\d{4})", total)
    for index, key in enumerate(table.keys):
        suffix = next((s for prefix, s in DENOMINATORS if key.startswith(prefix)), None)
        if suffix is not None:
            stats.add(areas, year.group(1) if year else edition, f"population_imd{edition}{suffix}",
                      numbers(table, index, report))


def read_iod_denominators(path: Path, report: Report) -> list[ReferenceBatch]:
    """Population denominators (mid-year, excluding prisoners) as `population_imd<edition>[_band]`.

    The period is the mid-year the denominators describe (mid-2015 for IoD2019), not the edition.
    """
    table = read_csv(path, report)
    edition = IOD_EDITION_BY_LAD_VINTAGE.get(_iod_lad_vintage(table.keys) or "", "2019")
    stats = Statistics()
    _add_denominators(table, area_codes(table, 0, report), edition, stats, report)
    return stats.batches(report, f"IoD{edition} population denominators by LSOA (mid-year, excluding prisoners)")


# ---- IMD 2010 / 2015 LSOA scores (humaniverse/IMD) ----------------------------------------------------------

HUMANIVERSE_EDITION_BY_LAD = {"lad09_code": "2010", "lad13_code": "2015", "lad19_code": "2019"}


def _is_imd_lsoa_scores(probe: Probe) -> bool:
    keys = [k.lower() for k in header_of(probe)]
    return (bool(keys) and keys[0] in ("lsoa01_code", "lsoa11_code") and "imd_score" in keys
            and any(k in HUMANIVERSE_EDITION_BY_LAD for k in keys))


def read_imd_lsoa_scores(path: Path, report: Report) -> list[ReferenceBatch]:
    table = read_csv(path, report)
    edition = next((HUMANIVERSE_EDITION_BY_LAD[k] for k in table.keys if k in HUMANIVERSE_EDITION_BY_LAD), None)
    if edition is None:
        report.error("period-unknown", "No lad09_code/lad13_code column says which IMD edition this is.")
        return []
    areas = area_codes(table, 0, report)
    stats = Statistics()
    for measure in ("score", "rank", "decile"):
        index = table.index(f"imd_{measure}")
        if index is not None:
            stats.add(areas, edition, f"imd_{measure}", numbers(table, index, report))
    return stats.batches(report, f"IMD {edition} by {table.names[0]} (official scores, 1 = most deprived rank)")


# ---- Area summaries: IMD 2019 File 10 by LAD (and derived ward / LAD21 re-aggregations) ---------------------

SUMMARY_MEASURES = {"score": "average_score", "proportion": "proportion_most_deprived_10pct", "extent": "extent"}
# humaniverse's domain names -> the names used for the LSOA files' domains
SUMMARY_DOMAINS = {"housing_and_access": "barriers", "environment": "living_environment"}


def _summary_indicator(key: str) -> str | None:
    """Score -> imd_average_score; Income_Score -> imd_income_average_score; Indoors_Extent -> imd_indoors_extent."""
    domain, _, measure = key.rpartition("_")
    if measure not in SUMMARY_MEASURES:
        return None
    domain = SUMMARY_DOMAINS.get(domain, domain)
    return f"imd{'_' + domain if domain else ''}_{SUMMARY_MEASURES[measure]}"


def _is_summary(probe: Probe, first_columns: tuple[str, ...]) -> bool:
    keys = [k.lower() for k in header_of(probe)]
    return bool(keys) and keys[0] in first_columns and all(_summary_indicator(k) for k in keys[1:])


def _score_ranks(scores: list[Decimal | None]) -> list[Decimal | None]:
    """Rank of average score, 1 = highest score (most deprived); ties share the better rank, as ONS ranks do."""
    ordered = sorted((s for s in scores if s is not None), reverse=True)
    first = {}
    for position, score in enumerate(ordered, start=1):
        first.setdefault(score, position)
    return [None if s is None else Decimal(first[s]) for s in scores]


def _summary_batches(table: CsvTable, report: Report, period: str, note: str) -> list[ReferenceBatch]:
    areas = area_codes(table, 0, report)
    stats = Statistics()
    for index, key in enumerate(table.keys[1:], start=1):
        indicator = _summary_indicator(key)
        if indicator:
            values = numbers(table, index, report)
            stats.add(areas, period, indicator, values)
            if indicator == "imd_average_score" and table.keys[0] != "ward_code":
                stats.add(areas, period, "imd_average_score_rank", _score_ranks(values))
    return stats.batches(report, note)


def read_imd2019_summary(path: Path, report: Report) -> list[ReferenceBatch]:
    table = read_csv(path, report)
    derived = table.keys[:1] == ["ward_code"]
    return _summary_batches(table, report, "2019", "IMD 2019 " + (
        "aggregated to 2019 wards by humaniverse/IMD (DERIVED, population-weighted)" if derived else
        "local authority district summaries (File 10); imd_average_score_rank computed from the scores"))


def read_imd_lad21_summary(path: Path, report: Report) -> list[ReferenceBatch]:
    """IMD 2007/2010/2015 re-aggregated to 2021 LADs: the header is the same for every edition, the name is not."""
    found = re.search(r"imd[-_ ]?(\d{4})", path.name.lower())
    if found is None:
        report.error("period-unknown", "This IMD summary does not say which edition it holds: name it like "
                     "'imd2015_lad21_england.csv'.")
        return []
    return _summary_batches(read_csv(path, report), report, found.group(1), f"IMD {found.group(1)} re-aggregated "
                            "to 2021 LADs by humaniverse/IMD (DERIVED, population-weighted; cross-check only)")


# This module's readers, in the order they are tried (ingest.registry lists every module's).
READERS = (
    Reader("iod-lsoa", "place_statistics", _is_iod_lsoa, read_iod_lsoa,
           "English Indices of Deprivation by LSOA (Files 1, 2, 5): IMD and domain ranks, deciles, scores"),
    Reader("iod-population-denominators", "place_statistics", _is_iod_denominators, read_iod_denominators,
           "English Indices of Deprivation File 6: LSOA population denominators"),
    Reader("imd-lsoa-scores", "place_statistics", _is_imd_lsoa_scores, read_imd_lsoa_scores,
           "IMD 2010 / 2015 LSOA scores, ranks, deciles (humaniverse/IMD)"),
    Reader("imd2019-area-summary", "place_statistics",
           lambda p: _is_summary(p, ("lad_code", "ward_code")), read_imd2019_summary,
           "IMD 2019 local authority summaries (File 10) and ward aggregates: average score, proportion, "
           "extent by domain"),
    Reader("imd-lad21-summary", "place_statistics", lambda p: _is_summary(p, ("ltla21_code",)),
           read_imd_lad21_summary, "IMD 2007/2010/2015 re-aggregated to 2021 LADs (derived)"),
)
