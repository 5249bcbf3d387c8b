"""The canonical reference CSVs of DESIGN.md §6: places, regional spend, place statistics."""

from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow as pa

from placespend.domain import classifications as cls
from placespend.domain import vocabulary as v
from placespend.domain.problems import Report
from placespend.domain.regions import canonical_region
from placespend.ingest.decoding import open_text
from placespend.ingest.places import read_places
from placespend.ingest.reference.batch import Probe, Reader, ReferenceBatch, conform


def _header(probe: Probe) -> set[str]:
    return {c.strip() for c in probe.head[0].split(",")} if probe.head and not probe.sheets else set()


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Rows as dicts; a short row's missing cells are blank, so they are reported as blank, where they are."""
    reader = csv.DictReader(open_text(path), restval="")
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames or []]
    return list(enumerate(reader, start=2))


def _decimal(text: str, report: Report, row: int, column: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        report.error("value-not-number", f"'{text}' is not a number.", row=row, column=column, value=text)
        return None
    if not value.is_finite():
        report.error("value-not-number", f"'{text}' is not a number.", row=row, column=column, value=text)
        return None
    return value


def read_places_batch(path: Path, report: Report) -> list[ReferenceBatch]:
    inner, places = read_places(path)
    report.problems.extend(inner.problems)
    rows = [(p.place, p.name, a, p.region) for p in places for a in p.areas]
    table = pa.table({name: pa.array([r[i] for r in rows], pa.string())
                      for i, name in enumerate(("place", "name", "area", "region"))})
    return [ReferenceBatch("places", table)]


def read_regional_spend(path: Path, report: Report) -> list[ReferenceBatch]:
    out: dict[str, list[object]] = {k: [] for k in ("vintage", "period", "region", "cofog", "amount")}
    for row, record in _rows(path):
        period, cofog = record.get("period", "").strip(), cls.normalise_cofog(record.get("cofog", ""))
        region = canonical_region(record.get("region", ""))
        if not v.is_valid_period(period):
            report.error("period-format", f"'{period}' is not a financial year like 2008-09.", row=row, column="period")
        if cofog is None or len(cofog) != 2:
            report.error("cofog-unknown", "cofog must be a COFOG division 01-10.", row=row, column="cofog",
                         value=record.get("cofog"))
        if region is None:
            report.error("region-unknown", f"'{record.get('region')}' is not a UK country or English region.",
                         row=row, column="region")
        amount = _decimal(record.get("amount", ""), report, row, "amount")
        if report.ok:
            for key, value in (("vintage", f"canonical:{path.name}"), ("period", period), ("region", region),
                               ("cofog", cofog), ("amount", amount.quantize(Decimal("0.01")))):
                out[key].append(value)
    return [ReferenceBatch("regional_spend", conform("regional_spend", {**out, "identifiable": [True] * len(
        out["period"])}))] if report.ok else []


def read_place_statistics(path: Path, report: Report) -> list[ReferenceBatch]:
    out: dict[str, list[object]] = {k: [] for k in ("area", "period", "indicator", "value")}
    for row, record in _rows(path):
        area, indicator = record.get("area", "").strip().upper(), record.get("indicator", "").strip().lower()
        if not v.GSS_PATTERN.match(area):
            report.error("area-invalid", f"'{area}' is not an ONS GSS code.", row=row, column="area")
        if not indicator:
            report.error("required-missing", "indicator is empty.", row=row, column="indicator")
        value = _decimal(record.get("value", ""), report, row, "value")
        if report.ok:
            for key, item in (("area", area), ("period", record.get("period", "").strip()), ("indicator", indicator),
                              ("value", value)):
                out[key].append(item)
    return [ReferenceBatch("place_statistics", conform("place_statistics", out))] if report.ok else []


def read_area_lookup(path: Path, report: Report) -> list[ReferenceBatch]:
    names = ("relation", "child", "child_name", "parent", "parent_name", "vintage")
    out: dict[str, list[object]] = {k: [] for k in names}
    for row, record in _rows(path):
        child, parent = record.get("child", "").strip().upper(), record.get("parent", "").strip().upper()
        for column, code in (("child", child), ("parent", parent)):
            if not v.GSS_PATTERN.match(code):
                report.error("area-invalid", f"'{code}' is not an ONS GSS code.", row=row, column=column)
        for key in names:
            value = {"child": child, "parent": parent}.get(key, (record.get(key) or "").strip() or None)
            out[key].append(value)
    return [ReferenceBatch("area_lookup", conform("area_lookup", out))] if report.ok else []


# This module's readers, in the order they are tried (ingest.registry lists every module's).
READERS = (
    Reader("places", "places", lambda p: {"place", "name", "area"} <= _header(p), read_places_batch,
           "Places as composites of ONS areas: place, name, area[, region]"),
    Reader("regional-spend", "regional_spend",
           lambda p: {"period", "region", "cofog", "amount"} <= _header(p), read_regional_spend,
           "Canonical regional spend: period, region, cofog, amount (GBP)"),
    Reader("place-statistics", "place_statistics",
           lambda p: {"area", "period", "indicator", "value"} <= _header(p), read_place_statistics,
           "Canonical place statistics: area, period, indicator, value"),
    Reader("area-lookup", "area_lookup", lambda p: {"relation", "child", "parent"} <= _header(p),
           read_area_lookup, "Canonical area lookup: relation, child, parent[, names, vintage]"),
)
