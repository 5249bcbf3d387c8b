"""How one body is spelled many ways: a name key, and the registered identifiers an id reveals.

Pure functions. Suppliers and grant recipients arrive as "The Counselling & Family Centre Ltd.",
"COUNSELLING AND FAMILY CENTRE LIMITED" or an org-id; the name key folds the differences that never
distinguish two bodies (case, punctuation, '&'/'and', a leading 'The', Ltd/Limited, PLC, CIC) and keeps
everything else, so different bodies with similar names are not folded together.
"""

from __future__ import annotations

import re
import unicodedata

from placespend.domain import vocabulary as v

# Legal-form words reduced to one spelling each (order matters: longest phrases first).
LEGAL_FORMS = (
    (r"\bcommunity interest company\b", "cic"),
    (r"\bpublic limited company\b", "plc"),
    (r"\blimited liability partnership\b", "llp"),
    (r"\bltd\b", "limited"),
    (r"\bco\b(?= limited\b)", "company"),
    (r"\bincorporated\b", "inc"),
)
TRAILING_FORMS = ("limited", "plc", "llp", "cic", "inc")
# org-id schemes whose value is a registered number, and the register it belongs to
REGISTERED = {"gb-coh": "company", "gb-chc": "charity_ew", "gb-sc": "charity_sc", "gb-nic": "charity_ni"}


def name_key(name: str) -> str:
    """'The Counselling & Family Centre Ltd.' -> 'counselling and family centre'."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ").replace("+", " and ")
    text = re.sub(r"['’`]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    for pattern, replacement in LEGAL_FORMS:
        text = re.sub(pattern, replacement, text)
    words = text.split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in TRAILING_FORMS:
        words = words[:-1]
    return " ".join(words)


def company_number(text: str) -> str:
    """Companies House numbers are 8 characters, zero-padded ('7962245' = '07962245')."""
    cleaned = re.sub(r"\s+", "", text).upper()
    return cleaned.zfill(8) if cleaned.isdigit() else cleaned


def identifiers_of(body: str) -> set[tuple[str, str]]:
    """Registered identifiers an id itself carries: 'gb-coh-07962245' -> {('company', '07962245')};
    a GSS code is its own area identifier."""
    found: set[tuple[str, str]] = set()
    text = v.normalise_id(body)
    for prefix, register in REGISTERED.items():
        if text.startswith(prefix + "-"):
            value = text[len(prefix) + 1:]
            found.add((register, company_number(value) if register == "company" else value.upper()))
    if v.GSS_PATTERN.match(text.upper()):
        found.add(("gss", text.upper()))
    return found


def preference(body: str) -> tuple[int, str]:
    """Which id of a group becomes canonical: a GSS code, then a registered org-id, then any other id."""
    text = v.normalise_id(body)
    if v.GSS_PATTERN.match(text.upper()):
        return 0, text
    if any(text.startswith(prefix + "-") for prefix in REGISTERED) or text.startswith(("gb-lae-", "gb-gor-")):
        return 1, text
    return 2, text
