"""The canonical flows columns (DESIGN.md §3), described once for the validator, template and docs."""

from __future__ import annotations

from dataclasses import dataclass

from placespend.domain import vocabulary as v


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str
    example: str = ""
    choices: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("period", True, "Financial year as YYYY-YY, e.g. 2008-09. Type it as text.", "2008-09"),
    Column("place", True, "Place code: an ONS GSS code (E09000023) or a place id of the partnership.", "E09000023"),
    Column("spender", True, "Short stable id of the body that spends (the same id in every return).", "lbl"),
    Column("spender_type", True, "Kind of body that spends.", "local_authority", v.BODY_TYPES),
    Column("flow", True, "spend = spent on services, benefits or assets; transfer = passed to another body.",
           "spend", v.FLOWS),
    Column("amount", True, "GBP, up to 2 decimal places, zero or more. No pound signs needed.", "1250000.00"),
    Column("cofog", False, "COFOG division (10) or group (10.9). Leave blank only if service_code maps.", "10.4"),
    Column("recipient", False, "For transfers: id of the body receiving the money.", ""),
    Column("recipient_type", False, "For transfers: kind of body receiving the money.", "", v.BODY_TYPES),
    Column("funder", False, "Where this money came from (blank = own income or local taxation).", ""),
    Column("funder_type", False, "Kind of body the money came from.", "", v.BODY_TYPES),
    Column("spender_name", False, "Display name of the spender.", "London Borough of Lewisham"),
    Column("recipient_name", False, "Display name of the recipient.", ""),
    Column("funder_name", False, "Display name of the funder.", ""),
    Column("service_scheme", False, "Classification of service_code, e.g. RA (Revenue Account lines).", ""),
    Column("service_code", False, "Service line code in that scheme; mapped to COFOG when cofog is blank.", ""),
    Column("capital_revenue", False, "revenue (default) or capital.", "revenue", v.CAPITAL_REVENUE),
    Column("basis", False, "outturn (default), budget or estimate.", "outturn", v.BASES),
    Column("recurrence", False, "recurring (default) or one_off.", "recurring", v.RECURRENCES),
    Column("place_share", False, "0 to 1: share of the line spent in the place (default 1).", "1"),
    Column("apportionment", False, "How place_share was obtained (default actual).", "actual", v.APPORTIONMENTS),
    Column("ring_fenced", False, "yes if the funder restricts what the money may be spent on.", "no", v.YES_NO),
    Column("statutory", False, "yes if the spending meets a statutory duty.", "yes", v.YES_NO),
    Column("funding_stream", False, "Name of the grant or funding stream, free text.", ""),
    Column("theme", False, "Themes, separated by ';' (e.g. older people; families).", ""),
    Column("line_id", False, "Your own reference for the line, unique within the file.", ""),
    Column("notes", False, "Anything the count team should know.", ""),
)

BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}
REQUIRED: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)
EXTRA_PREFIX = "x_"
