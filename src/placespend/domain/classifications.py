"""COFOG, the council service-line crosswalk and body types, loaded from the CSVs in ``domain/data``.

Reference data is data (DESIGN.md section 2): the codes, names and every judgement call live in
versioned CSV files with notes (see ``data/README.md``); this module only reads them, caches them and
normalises the ways people and spreadsheets write COFOG codes. Everything here is pure and read-only.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

DATA_PACKAGE = "placespend.domain.data"
CONFIDENCES = ("clear", "judgement")

_COFOG_TEXT = re.compile(r"^(\d{1,2})(?:\.(\d{1,2}))?(?:\.(\d{1,2}))?$")
_EXCEL_INTEGER = re.compile(r"^(\d+)\.0+$")


@dataclass(frozen=True)
class CrosswalkEntry:
    """One service line of a scheme (RA, RSX) and the COFOG code it counts under.

    ``cofog`` is a group, a division for headings that span groups, or None for lines that are not spending
    on a function (totals, income, financing): mapping those would count money twice.
    """

    scheme: str
    code: str
    service_line: str
    cofog: str | None
    confidence: str
    note: str


@dataclass(frozen=True)
class BodyType:
    """A ``spender_type``: whether HM Treasury's PESA covers it and where such bodies usually spend."""

    type: str
    label: str
    pesa_scope: bool
    typical_cofog: tuple[str, ...]
    note: str


def _rows(filename: str) -> list[dict[str, str]]:
    """Read one packaged CSV. A broken file is a packaging bug, so it raises rather than reporting."""
    text = resources.files(DATA_PACKAGE).joinpath(filename).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@lru_cache(maxsize=1)
def _cofog_table() -> tuple[tuple[str, str, str], ...]:
    return tuple((row["code"], row["level"], row["name"]) for row in _rows("cofog.csv"))


@lru_cache(maxsize=1)
def cofog_names() -> dict[str, str]:
    """Code -> name for every division, group and class, in UN order (so it can feed drop-downs as is)."""
    return {code: name for code, _, name in _cofog_table()}


@lru_cache(maxsize=1)
def cofog_divisions() -> dict[str, str]:
    """The ten divisions ``"01"``..``"10"`` -> name: the level at which counts and estimates are compared."""
    return {code: name for code, level, name in _cofog_table() if level == "division"}


def normalise_cofog(text: str) -> str | None:
    """Canonical COFOG code for what a person or a spreadsheet typed, or None if it is not a COFOG code.

    Accepts a missing leading zero (``7.3`` = ``07.3``), surrounding spaces and Excel's habit of turning a
    typed division into a number (``7.0`` = division ``07``). ``N.0`` can only mean the division because
    COFOG numbers groups from 1: no group ``0N.0`` exists. Returns None for unknown codes rather than
    raising, so that validation can report them with their row.
    """
    match = _COFOG_TEXT.match(text.strip())
    if match is None:
        return None
    division, group, cls = match.groups()
    code = f"{int(division):02d}"
    if group is not None and not (int(group) == 0 and cls is None):
        code += f".{int(group)}"
        if cls is not None:
            code += f".{int(cls)}"
    return code if code in cofog_names() else None


def division_of(code: str) -> str:
    """The division of any COFOG code (``"07.3"`` -> ``"07"``). Raises ValueError for a non-COFOG code:
    callers pass codes that were already validated, so a bad one is a programming error."""
    canonical = normalise_cofog(code)
    if canonical is None:
        raise ValueError(f"not a COFOG code: {code!r}")
    return canonical[:2]


def _crosswalk_key(scheme: str, code: str) -> tuple[str, str]:
    """Schemes compare case-insensitively; codes are stripped and Excel's ``110.0`` is read as ``110``."""
    code = code.strip()
    excel = _EXCEL_INTEGER.match(code)
    return scheme.strip().upper(), excel.group(1) if excel else code


@lru_cache(maxsize=1)
def service_line_crosswalk() -> dict[tuple[str, str], CrosswalkEntry]:
    """(scheme, code) -> entry for every RA line and RSX heading in ``ra_service_lines_to_cofog.csv``."""
    entries: dict[tuple[str, str], CrosswalkEntry] = {}
    for row in _rows("ra_service_lines_to_cofog.csv"):
        cofog = row["cofog"].strip() or None
        entry = CrosswalkEntry(row["scheme"].strip().upper(), row["code"].strip(), row["service_line"],
                               cofog, row["confidence"].strip(), row["note"].strip())
        if cofog is not None and normalise_cofog(cofog) != cofog:
            raise ValueError(f"crosswalk {entry.scheme} {entry.code}: {cofog!r} is not a COFOG code")
        if entry.confidence not in CONFIDENCES:
            raise ValueError(f"crosswalk {entry.scheme} {entry.code}: confidence {entry.confidence!r}")
        key = _crosswalk_key(entry.scheme, entry.code)
        if key in entries:
            raise ValueError(f"crosswalk {entry.scheme} {entry.code} appears twice")
        entries[key] = entry
    return entries


def map_service_code(scheme: str, code: str) -> str | None:
    """The COFOG code a service line counts under, or None if unknown or deliberately unmapped."""
    entry = service_line_crosswalk().get(_crosswalk_key(scheme, code))
    return entry.cofog if entry else None


@lru_cache(maxsize=1)
def body_types() -> dict[str, BodyType]:
    """type -> BodyType for the 16 ``spender_type`` values, in the order of ``body_types.csv``."""
    types: dict[str, BodyType] = {}
    for row in _rows("body_types.csv"):
        typical = tuple(part.strip() for part in row["typical_cofog"].split(";") if part.strip())
        unknown = [code for code in typical if code not in cofog_divisions()]
        if unknown or row["pesa_scope"] not in ("yes", "no"):
            raise ValueError(f"body_types.csv row {row['type']!r} is malformed")
        in_pesa = row["pesa_scope"] == "yes"
        types[row["type"]] = BodyType(row["type"], row["label"], in_pesa, typical, row["note"])
    return types
