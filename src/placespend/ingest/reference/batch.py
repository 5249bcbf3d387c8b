"""What every reference reader produces: canonical Arrow tables of one kind, ready for the engine.

Readers never touch the database; they turn an official file's layout into these columns, converting
units (GBP m, GBP '000) to pounds and normalising names, so the method layers see one shape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyarrow as pa

from placespend.domain.problems import Report

Kind = Literal["regional_spend", "place_statistics", "area_lookup", "places", "flows", "boundaries",
               "area_classification"]

MONEY = pa.decimal128(18, 2)
VALUE = pa.decimal128(24, 6)

SCHEMAS: dict[str, pa.Schema] = {
    # amount in GBP (pounds); cofog a division "01".."10"; region a canonical name (regions.canonical_region)
    "regional_spend": pa.schema([
        ("vintage", pa.string()), ("period", pa.string()), ("region", pa.string()), ("region_code", pa.string()),
        ("cofog", pa.string()), ("amount", MONEY), ("identifiable", pa.bool_()), ("capital_current", pa.string()),
        ("sector", pa.string()), ("department", pa.string()), ("hmt_function", pa.string()),
    ]),
    # area an ONS GSS code; period e.g. "2019" (mid-year) or "2008-09"; indicator e.g. population, area_ha
    "place_statistics": pa.schema([
        ("area", pa.string()), ("period", pa.string()), ("indicator", pa.string()), ("value", VALUE),
    ]),
    # one GeoJSON feature per row: code (GSS), name, level (e.g. ward), vintage, geometry as GeoJSON text
    "boundaries": pa.schema([
        ("code", pa.string()), ("name", pa.string()), ("level", pa.string()), ("vintage", pa.string()),
        ("geometry", pa.string()),
    ]),
    # relation e.g. lad_region, lad_utla, lsoa_ward, lsoa_lad; child and parent GSS codes
    "area_lookup": pa.schema([
        ("relation", pa.string()), ("child", pa.string()), ("child_name", pa.string()), ("parent", pa.string()),
        ("parent_name", pa.string()), ("vintage", pa.string()),
    ]),
    # a user-supplied classification of small areas (ONS OAC, a commercial one): one segment per area
    "area_classification": pa.schema([
        ("classification", pa.string()), ("area", pa.string()), ("segment", pa.string()),
        ("segment_name", pa.string()), ("vintage", pa.string()),
    ]),
}


@dataclass
class ReferenceBatch:
    kind: Kind
    table: pa.Table | None  # conforms to SCHEMAS[kind]; None for "flows"
    note: str = ""   # e.g. "CRA 2014, GBP '000 converted to GBP"
    # kind "flows": ledger lines (placespend.ingest.flows.rows.FlowLine) from a transaction or grants file, loaded as
    # one accepted submission of `submitter` (the publishing body).
    lines: list = field(default_factory=list)
    submitter: str | None = None
    # The dates the lines cover, for files that add up rather than replace each other (a body's monthly spend):
    # such a file supersedes only the submitter's file of the same dates.
    coverage: str | None = None


@dataclass(frozen=True)
class Probe:
    """The first lines of a file, enough to recognise its kind without reading it all."""

    path: Path
    head: list[str]            # first ~40 text lines (CSV) or "sheet: cells" lines (xlsx), lower-cased
    sheets: tuple[str, ...]    # worksheet names for workbooks, () otherwise


@dataclass(frozen=True)
class Reader:
    name: str                                           # e.g. "pesa2009-chapter9"
    kind: Kind
    matches: Callable[[Probe], bool]
    read: Callable[[Path, Report], list[ReferenceBatch]]
    description: str = ""


def conform(kind: Kind, columns: dict[str, list[object]]) -> pa.Table:
    """Build a table in the kind's canonical schema (missing optional columns become nulls)."""
    schema = SCHEMAS[kind]
    length = len(next(iter(columns.values()))) if columns else 0
    arrays = [pa.array(columns.get(field.name, [None] * length), field.type) for field in schema]
    return pa.Table.from_arrays(arrays, schema=schema)
