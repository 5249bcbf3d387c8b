"""Organisation identifiers (org-id.guide: ``GB-LAE-TRF``) of local authorities -> their ONS area.

360Giving files sometimes give a location, or a recipient, as an org-id rather than a GSS code. The lookup
is reference data the user imports (drkane/geo-lookups ``la_orgid_to_gss.csv``, read here as `area_lookup`
rows of relation ``orgid_gss``: child = org-id, parent = GSS code); the product ships no copy.

Readers never touch the database, so the service hands the workspace's lookup to the grants reader for the
duration of one read with `use_orgid_places` (engine: `placespend.engine.bodies_store.orgid_places`).
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from placespend.domain import vocabulary as v
from placespend.domain.problems import Report
from placespend.ingest.reference.batch import Probe, Reader, ReferenceBatch, conform
from placespend.ingest.reference.ons import header_of, read_csv

RELATION = "orgid_gss"
ORG_ID = re.compile(r"^[A-Z]{2}-[A-Z0-9]{2,8}-\S+$", re.IGNORECASE)
_places: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar("orgid_places", default=None)


@contextmanager
def use_orgid_places(places: Mapping[str, str]) -> Iterator[None]:
    """Make an org-id -> GSS lookup (keys upper-case) available to grants read inside the block."""
    token = _places.set({key.upper(): value for key, value in places.items()})
    try:
        yield
    finally:
        _places.reset(token)


def place_of(code: str) -> str | None:
    """A GSS code as given, or the GSS code of a known local-authority org-id; None otherwise."""
    text = code.strip().upper()
    if v.GSS_PATTERN.match(text):
        return text
    return (_places.get() or {}).get(text) if ORG_ID.match(text) else None


def is_orgid_lookup(probe: Probe) -> bool:
    keys = header_of(probe)
    return bool(keys) and keys[0] == "org_id" and "gss_code" in keys


def read_orgid_lookup(path: Path, report: Report) -> list[ReferenceBatch]:
    table = read_csv(path, report)
    at = {key: table.index(key) for key in ("org_id", "name", "gss_code", "area_name")}
    out: dict[str, list[object]] = {k: [] for k in ("relation", "child", "child_name", "parent", "parent_name",
                                                     "vintage")}
    for row, line in zip(table.rows, table.lines, strict=True):
        def cell(key: str, row: list[str] = row) -> str:
            index = at[key]
            return row[index].strip() if index is not None and index < len(row) else ""

        org_id, gss = cell("org_id").upper(), cell("gss_code").upper()
        if not org_id or not gss:
            continue
        if not v.GSS_PATTERN.match(gss):
            report.warn("area-invalid", f"'{gss}' is not an ONS code; {org_id} is skipped.", row=line,
                        column="gss_code", value=gss)
            continue
        for key, value in (("relation", RELATION), ("child", org_id), ("child_name", cell("name") or None),
                           ("parent", gss), ("parent_name", cell("area_name") or None), ("vintage", "current")):
            out[key].append(value)
    return [ReferenceBatch("area_lookup", conform("area_lookup", out),
                           "org-id -> GSS code of local authorities (drkane/geo-lookups)")]


# This module's readers, in the order they are tried (ingest.registry lists every module's).
READERS = (
    Reader("orgid-gss-lookup", "area_lookup", is_orgid_lookup, read_orgid_lookup,
           "Local authority org-ids (GB-LAE-TRF) -> ONS GSS codes, for placing 360Giving grants"),
)
