"""ONS geography lookups (child area -> parent area) as `area_lookup` rows.

Two layouts are understood, both recognised from their header only:

- ONS Open Geography Portal lookups: paired `<TYPE><YY>CD` / `<TYPE><YY>NM` columns (LSOA11CD, WD19CD, LAD19CD,
  RGN18CD, PFA19CD ...). Every known child -> parent pair present in the header becomes a relation; the vintage
  is the later of the two code years (LSOA01 -> WD10 is vintage 2010). Two vintages of one type
  (LSOA01CD, LSOA11CD) give a `<type><yy>_<type><yy>` relation.
- drkane/geo-lookups tables: undated `<TYPE>CD` columns (LADCD, LADCD_ACTIVE, UTLACD, RGNCD ...), the first
  column being the child; vintage is the row's SOURCEFILE year where given, otherwise "current".

Relation names are `<child>_<parent>` with the short names in TYPES: lad_region, lad_utla, lsoa_ward, lsoa_lad,
ward_lad, lad_police_force_area, lad_fire_authority, lad_combined_authority, lsoa_ccg ...
A blank code (a unitary authority has no county, a Welsh ward no region) means "no area at this level" and the
pair is skipped. A LAD that is its own upper tier (London boroughs, unitaries) is kept as such; `lad_successor`
lists only LADs since replaced. A child given several parents in one relation is kept and warned about.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from placespend.domain.problems import Report
from placespend.ingest.reference.batch import Probe, Reader, ReferenceBatch, conform
from placespend.ingest.reference.ons import CsvTable, header_of, read_csv

# ONS area type prefix -> the name used in relations
TYPES = {
    "oa": "oa", "lsoa": "lsoa", "msoa": "msoa", "wd": "ward", "cmwd": "census_merged_ward", "lad": "lad",
    "utla": "utla", "cty": "county", "rgn": "region", "ctry": "country", "cauth": "combined_authority",
    "csp": "community_safety_partnership", "pfa": "police_force_area", "fra": "fire_authority", "ccg": "ccg",
    "phec": "phe_centre", "phereg": "phe_region",
}
# child type -> parent types, in the order relations are emitted
PARENTS: dict[str, tuple[str, ...]] = {
    "oa": ("lsoa", "msoa", "wd", "lad"),
    "lsoa": ("msoa", "wd", "ccg", "lad"),
    "msoa": ("lad",),
    "wd": ("cmwd", "lad"),
    "lad": ("utla", "cty", "cauth", "rgn", "ctry", "csp", "pfa", "fra", "phec", "phereg"),
    "utla": ("cauth", "rgn", "ctry"),
    "cauth": ("rgn",),
    "csp": ("pfa",),
    "rgn": ("ctry",),
}
# GSS codes, and the older ONS codes of 2001-2010 geographies (00AAFA wards, 95AA01S1 NI areas)
AREA_CODE = re.compile(r"^(?:[EWSNKJL]\d{8}|\d{2}[A-Z0-9]{2,6})$")
DATED = re.compile(r"([a-z]+)(\d\d)cd")
UNDATED = re.compile(r"([a-z]+)cd")
MAX_WARNINGS = 10  # per relation: a best-fit lookup should give each child one parent
DRKANE_AREA_TYPES = {"la": "lad", "utla": "utla", "cauth": "cauth", "rgn": "rgn", "ctry": "ctry"}


@dataclass(frozen=True)
class Link:
    relation: str
    child: int
    parent: int
    child_name: int | None
    parent_name: int | None
    vintage: str | None = None          # None: take each row's vintage from the table's vintage column
    rows: tuple[int, ...] | None = None  # restrict to these rows (by index), e.g. one area type
    vintage_change: bool = False         # LSOA01 -> LSOA11: splits and merges expected, no warning
    skip_same: bool = False              # drop child == parent rows (lad_successor lists replaced LADs only)


# ---- ONS Open Geography Portal layout ------------------------------------------------------------------------

def _dated_columns(keys: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
    """Area type -> [(two-digit year, column index)], oldest first."""
    found: dict[str, list[tuple[str, int]]] = {}
    for index, key in enumerate(keys):
        match = DATED.fullmatch(key)
        if match and match.group(1) in TYPES:
            found.setdefault(match.group(1), []).append((match.group(2), index))
    return {kind: sorted(columns) for kind, columns in found.items()}


def _year(yy: str) -> str:
    return f"20{yy}" if int(yy) < 70 else f"19{yy}"


def _ons_links(keys: Sequence[str]) -> list[Link]:
    columns = _dated_columns(keys)

    def name_of(kind: str, yy: str) -> int | None:
        key = f"{kind}{yy}nm"
        return keys.index(key) if key in keys else None

    links: list[Link] = []
    for kind, vintages in columns.items():
        for (old, old_index), (new, new_index) in itertools.pairwise(vintages):
            links.append(Link(f"{TYPES[kind]}{old}_{TYPES[kind]}{new}", old_index, new_index, name_of(kind, old),
                              name_of(kind, new), _year(max(old, new)), vintage_change=True))
        child_yy, child = vintages[-1]
        for parent_kind in PARENTS.get(kind, ()):
            if parent_kind in columns:
                parent_yy, parent = columns[parent_kind][-1]
                links.append(Link(f"{TYPES[kind]}_{TYPES[parent_kind]}", child, parent, name_of(kind, child_yy),
                                  name_of(parent_kind, parent_yy), _year(max(child_yy, parent_yy))))
    return links


def _is_ons_lookup(probe: Probe) -> bool:
    keys = [k.lower() for k in header_of(probe)]
    return bool(_ons_links(keys)) and not any(UNDATED.fullmatch(k) or k.endswith("_active") for k in keys)


def read_ons_lookup(path: Path, report: Report) -> list[ReferenceBatch]:
    table = read_csv(path, report)
    return _batches(table, _ons_links(table.keys), None, report, "ONS Open Geography Portal lookup")


# ---- drkane/geo-lookups layout -------------------------------------------------------------------------------

def _drkane_child(keys: Sequence[str]) -> str | None:
    match = UNDATED.fullmatch(keys[0]) if keys else None
    return match.group(1) if match and match.group(1) in TYPES else None


def _drkane_links(keys: Sequence[str], child_kind: str, child: int, child_name: int | None,
                  rows: tuple[int, ...] | None = None) -> list[Link]:
    def column(key: str) -> int | None:
        return keys.index(key) if key in keys else None

    vintage = None if "sourcefile" in keys else "current"
    links = []
    if child_kind == "lad" and column("ladcd_active") is not None:
        links.append(Link("lad_successor", child, column("ladcd_active"), child_name, column("ladnm_active"), vintage,
                          rows, skip_same=True))
    for parent_kind in PARENTS.get(child_kind, ()):
        parent = column(f"{parent_kind}cd")
        if parent_kind == "lad" and (parent is None or parent == child):
            parent = column("ladcd_active")
            parent_name = column("ladnm_active")
        else:
            parent_name = column(f"{parent_kind}nm")
        if parent is not None and parent != child:
            links.append(Link(f"{TYPES[child_kind]}_{TYPES[parent_kind]}", child, parent, child_name, parent_name,
                              vintage, rows))
    return links


def _is_drkane_lookup(probe: Probe) -> bool:
    keys = [k.lower() for k in header_of(probe)]
    if keys[:3] == ["areacode", "areaname", "areatype"]:
        return True
    kind = _drkane_child(keys)
    return kind is not None and bool(_drkane_links(keys, kind, 0, None))


def read_drkane_lookup(path: Path, report: Report) -> list[ReferenceBatch]:
    table = read_csv(path, report)
    keys = table.keys
    if keys[:3] == ["areacode", "areaname", "areatype"]:  # every area type in one table: one child type per group
        types = table.texts(2)
        links = [link for area_type, kind in DRKANE_AREA_TYPES.items()
                 for link in _drkane_links(keys, kind, 0, 1, tuple(i for i, t in enumerate(types) if t == area_type))]
    else:
        kind = _drkane_child(keys) or ""
        name = keys.index(f"{kind}nm") if f"{kind}nm" in keys else None
        links = _drkane_links(keys, kind, 0, name)
    vintages = table.texts(keys.index("sourcefile")) if "sourcefile" in keys else None
    return _batches(table, links, vintages, report, "drkane/geo-lookups (ONS geoportal extracts)")


# ---- shared ------------------------------------------------------------------------------------------------

def _batches(table: CsvTable, links: list[Link], vintages: list[str] | None, report: Report,
             source: str) -> list[ReferenceBatch]:
    out: dict[str, list[object]] = {k: [] for k in ("relation", "child", "child_name", "parent", "parent_name",
                                                     "vintage")}
    blank = [""] * len(table.rows)
    for link in links:
        children, parents = table.texts(link.child), table.texts(link.parent)
        child_names = table.texts(link.child_name) if link.child_name is not None else blank
        parent_names = table.texts(link.parent_name) if link.parent_name is not None else blank
        seen: set[tuple[str, str, str]] = set()
        parent_of: dict[tuple[str, str], str] = {}
        warned = 0
        for i in link.rows if link.rows is not None else range(len(table.rows)):
            child, parent = children[i].upper(), parents[i].upper()
            if not child or not parent or (parent == child and link.skip_same):
                continue
            vintage = link.vintage or (vintages[i] if vintages else "") or "current"
            if (child, parent, vintage) in seen:
                continue
            if (child, vintage) in parent_of and warned < MAX_WARNINGS and not link.vintage_change:
                warned += 1
                report.warn("lookup-several-parents", f"{link.relation}: {child} {child_names[i]} is given both "
                            f"{parent_of[child, vintage]} and {parent}; both are kept.", row=table.lines[i],
                            column=table.names[link.parent], value=parent)
            parent_of.setdefault((child, vintage), parent)
            seen.add((child, parent, vintage))
            for index, code in ((link.child, child), (link.parent, parent)):
                if not AREA_CODE.match(code):
                    report.error("area-invalid", f"'{code}' is not an ONS area code.", row=table.lines[i],
                                 column=table.names[index], value=code or None)
            for key, value in (("relation", link.relation), ("child", child), ("child_name", child_names[i] or None),
                               ("parent", parent), ("parent_name", parent_names[i] or None), ("vintage", vintage)):
                out[key].append(value)
    if not report.ok:
        return []
    relations = ", ".join(sorted({link.relation for link in links}))
    return [ReferenceBatch("area_lookup", conform("area_lookup", out), f"{source}: {relations}")]


# This module's readers, in the order they are tried (ingest.registry lists every module's).
READERS = (
    Reader("ons-geography-lookup", "area_lookup", _is_ons_lookup, read_ons_lookup,
           "ONS Open Geography Portal lookups (LSOA11CD, WD19CD, LAD19CD, RGN18CD, PFA19CD ... columns)"),
    Reader("drkane-geo-lookup", "area_lookup", _is_drkane_lookup, read_drkane_lookup,
           "drkane/geo-lookups tables: LAD/ward/MSOA/UTLA -> current LAD, upper tier, region, country"),
)
