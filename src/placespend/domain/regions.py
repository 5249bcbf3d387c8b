"""UK countries and English regions under one spelling across PESA and CRA vintages.

Without this, 'Yorkshire and The Humber' vs 'Yorkshire and the Humber' loses GBP 40m of CRA 2010.
"""

from __future__ import annotations

import re

REGIONS: dict[str, str] = {
    "North East": "E12000001",
    "North West": "E12000002",
    "Yorkshire and The Humber": "E12000003",
    "East Midlands": "E12000004",
    "West Midlands": "E12000005",
    "East": "E12000006",
    "London": "E12000007",
    "South East": "E12000008",
    "South West": "E12000009",
    "England": "E92000001",
    "Wales": "W92000004",
    "Scotland": "S92000003",
    "Northern Ireland": "N92000002",
    "UK identifiable not allocated": "",
    "Outside UK": "",
    "Non-identifiable": "",
    "Total": "",
}
CODE_TO_REGION = {code: name for name, code in REGIONS.items() if code}

_ALIASES = {
    "yorkshire and the humber": "Yorkshire and The Humber",
    "yorkshire & the humber": "Yorkshire and The Humber",
    "yorkshire and humber": "Yorkshire and The Humber",
    "yorks and humber": "Yorkshire and The Humber",
    "east of england": "East",
    "eastern": "East",
    "east": "East",
    "uk": "UK identifiable not allocated",
    "united kingdom": "UK identifiable not allocated",
    "uk identifiable": "UK identifiable not allocated",
    "outside the uk": "Outside UK",
    "outside uk": "Outside UK",
    "non-id": "Non-identifiable",
    "non-identifiable": "Non-identifiable",
    "non identifiable": "Non-identifiable",
    "not identifiable": "Non-identifiable",   # CRA 2010/2014 'Not Identifiable'
    "non-regional": "Non-identifiable",       # CRA 2018 'NON-REGIONAL'
    "total": "Total",
}


def canonical_region(text: str | None) -> str | None:
    """The one spelling of a region, country, or region code; None if it is not one."""
    if not text:
        return None
    cleaned = re.sub(r"\s+", " ", text.strip())
    if cleaned.upper() in CODE_TO_REGION:
        return CODE_TO_REGION[cleaned.upper()]
    key = cleaned.lower()
    if key in _ALIASES:
        return _ALIASES[key]
    return next((name for name in REGIONS if name.lower() == key), None)


def region_code(name: str) -> str | None:
    return REGIONS.get(name) or None
