"""Two open layouts insight analysts keep beside the official files (seed 000 §5.3-5.4, seed 002):

- a tidy statistics CSV `area, indicator, value` with an optional `vintage` (or `period`) column: any small-area
  indicator (service users, survey rates, a council's own counts) becomes `place_statistics` rows. Without a
  vintage column the vintage is the year in the file name (`benefit_claimants_2019.csv`); a statistic without
  a vintage is refused, because every figure must say which year it describes.
- a classification `area, segment` (optional `segment_name`, `classification`, `vintage`): ONS's Output Area
  Classification or a commercial one, used instead of computed segments. The CDRC OAC geodata pack layout
  (`oa_code, supgrpcode, supgrpname, grpcode, grpname, subgrpcode, subgrpname`) is read as three
  classifications: oac2011_supergroup, oac2011_group and oac2011_subgroup.

A file is loaded whole or not at all: any bad row is an error at its row and column, and nothing is kept.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from placespend.domain.problems import Report
from placespend.ingest.reference.batch import Probe, Reader, ReferenceBatch, conform
from placespend.ingest.reference.ons import CsvTable, Statistics, area_codes, header_of, numbers, read_csv, require

OAC_LEVELS = (("supgrpcode", "supgrpname", "oac2011_supergroup"), ("grpcode", "grpname", "oac2011_group"),
              ("subgrpcode", "subgrpname", "oac2011_subgroup"))
INDICATOR = re.compile(r"^[a-z][a-z0-9_]*$")


def _year_in_name(path: Path) -> str | None:
    found = re.search(r"(?<!\d)((?:19|20)\d\d)(?!\d)", path.name)
    return found.group(1) if found else None


def _vintages(table: CsvTable, path: Path, report: Report) -> list[str]:
    """Each row's vintage: its own column when there is one, else the file name's year for every row."""
    column = table.index("vintage")
    column = table.index("period") if column is None else column
    if column is not None:
        texts = table.texts(column)
        for line, text in zip(table.lines, texts, strict=True):
            if not text:
                report.error("vintage-missing", f"{table.names[column]} is empty: say which year the value "
                             "describes.", row=line, column=table.names[column])
        return texts
    year = _year_in_name(path)
    if year is None:
        report.error("vintage-missing", "This statistics file has no vintage column and its name carries no year: "
                     "add a 'vintage' column or name it like 'claimants_2019.csv'.")
        return []
    return [year] * len(table.rows)


# ---- tidy statistics ---------------------------------------------------------------------------------------

def _is_tidy_statistics(probe: Probe) -> bool:
    keys = set(header_of(probe))
    return {"area", "indicator", "value"} <= keys and keys <= {"area", "indicator", "value", "vintage", "period"}


def read_tidy_statistics(path: Path, report: Report) -> list[ReferenceBatch]:
    table = read_csv(path, report)
    columns = require(table, ["area", "indicator", "value"], report)
    if not report.ok:
        return []
    areas = area_codes(table, columns["area"], report)
    values = numbers(table, columns["value"], report)
    vintages = _vintages(table, path, report)
    indicators = [text.lower() for text in table.texts(columns["indicator"])]
    for line, name in zip(table.lines, indicators, strict=True):
        if not INDICATOR.match(name):
            report.error("indicator-invalid", f"'{name}' is not an indicator name (lower case letters, digits and "
                         "underscores, e.g. service_users_0_17).", row=line, column=table.names[columns["indicator"]],
                         value=name or None)
    if not report.ok:
        return []
    _check_unique(table, [f"{a} {i} {y}" for a, i, y in zip(areas, indicators, vintages, strict=True)],
                  columns["area"], ["statistics"] * len(areas), report)
    if not report.ok:
        return []
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, key in enumerate(zip(indicators, vintages, strict=True)):
        groups[key].append(index)
    stats = Statistics()
    for (indicator, vintage), rows in sorted(groups.items()):
        stats.add([areas[i] for i in rows], vintage, indicator, [values[i] for i in rows])
    return stats.batches(report, f"Tidy area statistics ({len(set(indicators))} indicators, "
                         f"vintages {', '.join(sorted(set(vintages)))})")


# ---- classifications ---------------------------------------------------------------------------------------

def _is_oac_pack(probe: Probe) -> bool:
    keys = header_of(probe)
    return bool(keys) and keys[0] == "oa_code" and {code for code, _, _ in OAC_LEVELS} <= set(keys)


def _is_classification(probe: Probe) -> bool:
    keys = set(header_of(probe))
    return {"area", "segment"} <= keys and "indicator" not in keys


def _classification_batch(columns: dict[str, list[object]], note: str) -> list[ReferenceBatch]:
    return [ReferenceBatch("area_classification", conform("area_classification", columns), note)]


def _check_unique(table: CsvTable, areas: list[str], column: int, classifications: list[str],
                  report: Report) -> None:
    """One segment per area and classification: a second row for an area is an error at that row."""
    first: dict[tuple[str, str], int] = {}
    for line, area, name in zip(table.lines, areas, classifications, strict=True):
        if (name, area) in first:
            report.error("area-duplicate", f"{area} appears twice in {name} (first at row "
                         f"{first[name, area]}).", row=line, column=table.names[column], value=area)
        first.setdefault((name, area), line)


def read_oac_pack(path: Path, report: Report) -> list[ReferenceBatch]:
    table = read_csv(path, report)
    columns = require(table, ["oa_code", *(k for level in OAC_LEVELS for k in level[:2])], report)
    if not report.ok:
        return []
    areas = area_codes(table, columns["oa_code"], report)
    _check_unique(table, areas, columns["oa_code"], ["oac2011"] * len(areas), report)
    out: dict[str, list[object]] = {k: [] for k in ("classification", "area", "segment", "segment_name", "vintage")}
    for code_key, name_key, classification in OAC_LEVELS:
        codes, names = table.texts(columns[code_key]), table.texts(columns[name_key])
        for line, code in zip(table.lines, codes, strict=True):
            if not code:
                report.error("value-missing", f"{table.names[columns[code_key]]} is empty.", row=line,
                             column=table.names[columns[code_key]])
        out["classification"] += [classification] * len(areas)
        out["area"] += areas
        out["segment"] += codes
        out["segment_name"] += [name or None for name in names]
        out["vintage"] += ["2011"] * len(areas)
    if not report.ok:
        return []
    return _classification_batch(out, f"2011 Output Area Classification (CDRC geodata pack), {len(areas)} areas")


def read_classification(path: Path, report: Report) -> list[ReferenceBatch]:
    table = read_csv(path, report)
    columns = require(table, ["area", "segment"], report)
    if not report.ok:
        return []
    areas = area_codes(table, columns["area"], report)
    named = table.index("classification")
    default = re.sub(r"[^a-z0-9]+", "_", path.name.lower().split(".")[0]).strip("_") or "classification"
    classifications = ([text or default for text in table.texts(named)] if named is not None
                       else [default] * len(areas))
    segments = table.texts(columns["segment"])
    for line, segment in zip(table.lines, segments, strict=True):
        if not segment:
            report.error("value-missing", "segment is empty.", row=line, column=table.names[columns["segment"]])
    _check_unique(table, areas, columns["area"], classifications, report)
    names = table.index("segment_name")
    vintage = table.index("vintage")
    if not report.ok:
        return []
    blank = [""] * len(areas)
    return _classification_batch({
        "classification": classifications, "area": areas, "segment": segments,
        "segment_name": [t or None for t in (table.texts(names) if names is not None else blank)],
        "vintage": [t or None for t in (table.texts(vintage) if vintage is not None else blank)],
    }, f"Area classification {', '.join(sorted(set(classifications)))} ({len(areas)} areas)")


# This module's readers, in the order they are tried (ingest.registry lists every module's).
READERS = (
    Reader("tidy-area-statistics", "place_statistics", _is_tidy_statistics, read_tidy_statistics,
           "Tidy small-area statistics: area, indicator, value[, vintage]"),
    Reader("oac-geodata-pack", "area_classification", _is_oac_pack, read_oac_pack,
           "ONS 2011 Output Area Classification, CDRC geodata pack attributes (oa_code, supgrpcode, ...)"),
    Reader("area-classification", "area_classification", _is_classification, read_classification,
           "A classification of small areas: area, segment[, segment_name, classification, vintage]"),
)
