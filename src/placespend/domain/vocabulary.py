"""The closed vocabularies of the flows ledger (DESIGN.md section 3).

Kept as plain tuples so the template's drop-downs, the validator and the docs all read one list.
"""

from __future__ import annotations

import re
import unicodedata

BODY_TYPES: tuple[str, ...] = (
    "central_government",
    "executive_agency",
    "ndpb",
    "local_authority",
    "parish",
    "nhs",
    "police",
    "fire",
    "justice",
    "education",
    "housing",
    "eu",
    "lottery",
    "third_sector",
    "private",
    "other",
)
# How each body type reads on a page or in a report (the codes stay in files, JSON and the API).
BODY_TYPE_NAMES: dict[str, str] = {
    "central_government": "Central government department", "executive_agency": "Executive agency",
    "ndpb": "Non-departmental public body", "local_authority": "Local authority", "parish": "Parish or town council",
    "nhs": "NHS body", "police": "Police", "fire": "Fire and rescue", "justice": "Justice (courts, probation)",
    "education": "Education (schools, colleges, universities)", "housing": "Housing association",
    "eu": "European Union", "lottery": "Lottery distributor", "third_sector": "Voluntary and community sector",
    "private": "Private sector", "other": "Other",
}


def body_type_name(code: str | None) -> str:
    """A body type as people read it; an unknown code as itself, without underscores."""
    return BODY_TYPE_NAMES.get(code or "", (code or "").replace("_", " "))


FLOWS: tuple[str, ...] = ("spend", "transfer")
CAPITAL_REVENUE: tuple[str, ...] = ("revenue", "capital")
BASES: tuple[str, ...] = ("outturn", "budget", "estimate")
RECURRENCES: tuple[str, ...] = ("recurring", "one_off")
APPORTIONMENTS: tuple[str, ...] = ("actual", "body_estimate", "central_figure", "population_proxy", "indicator")
YES_NO: tuple[str, ...] = ("yes", "no")
# Which of a submitter's returns for one place and period is live: outturn outranks an estimate, which outranks
# a budget, whichever was loaded last (seed 000 §4.3: budgets mixed with outturn); among equals the newer wins.
BASIS_RANK: dict[str, int] = {"outturn": 3, "estimate": 2, "budget": 1}

# How a counted pound was obtained, from the line's apportionment and basis (seed 004: "population proxy as
# a last resort"; seed 000 §4.3: budgets mixed with outturn). The count reports each share separately.
METHOD_REPORTED = "reported"
METHOD_ESTIMATED = "estimated"
METHOD_PROXIED = "proxied"
PROXY_APPORTIONMENTS = frozenset({"population_proxy", "indicator"})
ESTIMATE_APPORTIONMENTS = frozenset({"body_estimate", "central_figure"})
# How the count knows two sources of one council's money (see count.overlaps): a grant line is one whose COFOG
# the 360Giving keyword rules gave; a service outturn line is net current expenditure by RS/RSX service heading.
GRANT_COFOG_SOURCES = ("keyword_rule", "fallback_rule")
OUTTURN_SCHEMES = ("RS", "RSX")

PERIOD_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
GSS_PATTERN = re.compile(r"^[EWSNK]\d{8}$")


def normalise_id(text: str) -> str:
    """Body ids compare case-insensitively and ignore stray spaces, so 'LB Lewisham ' == 'lb lewisham'."""
    return " ".join(text.split()).casefold()


def is_valid_period(text: str) -> bool:
    """A financial year YYYY-YY whose second part is the year after the first (2008-09, 2099-00)."""
    match = PERIOD_PATTERN.match(text)
    if not match:
        return False
    start, end = int(match.group(1)), int(match.group(2))
    return (start + 1) % 100 == end


def method_of(apportionment: str, basis: str) -> str:
    """Classify a line as reported, estimated or proxied; a proxy outranks an estimate."""
    if apportionment in PROXY_APPORTIONMENTS:
        return METHOD_PROXIED
    if apportionment in ESTIMATE_APPORTIONMENTS or basis == "estimate":
        return METHOD_ESTIMATED
    return METHOD_REPORTED


def has_control_characters(text: str) -> bool:
    """No code, name or id contains a control character; a NUL in particular cannot be quoted in DuckDB's SQL,
    so text carrying one is refused as naming nothing rather than passed to a query."""
    return any(unicodedata.category(c) == "Cc" for c in text)


def printable(text: str) -> str:
    """Text as a message may echo it: control characters shown as U+XXXX, never written raw (a terminal or a
    log would act on them)."""
    return "".join(f"U+{ord(c):04X}" if has_control_characters(c) else c for c in text.strip())


def normalise_place(text: str) -> str:
    """GSS codes are upper case; partnership place ids compare like body ids."""
    stripped = text.strip()
    return stripped.upper() if GSS_PATTERN.match(stripped.upper()) else normalise_id(stripped)
