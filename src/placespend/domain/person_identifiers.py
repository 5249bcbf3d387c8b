"""A person's identifiers in the normal form that partners' registers are compared in (DESIGN.md §7).

Registers differ in case, accents, spacing, punctuation and how many given names they keep; these differences
are not differences between people, so they are removed before anything is keyed or compared. A value that
cannot be normalised (a date of birth like 1965-13-45, a surname with no letters) is a missing value: real
registers are full of them, and a record with one field missing can still be matched on the others.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

IDENTIFIER_COLUMNS = ("first_name", "surname", "date_of_birth", "postcode", "sex")
REQUIRED_COLUMNS = ("record_id", "first_name", "surname", "date_of_birth", "postcode")
# The token columns a pseudonymised file carries, in order; `key_fingerprint` names the key that made them.
# The `_bloom` columns are keyed Bloom filters of a name's letter pairs (BLOOM_BITS bits as hex digits), the
# others keyed hashes.
BLOOM_COLUMNS = ("t_first_bloom", "t_surname_bloom")
BLOOM_BITS = 256  # a power of two up to 65,536
TOKEN_HEX = 16  # a token is the first 64 bits of its HMAC
TOKEN_COLUMNS = (
    "t_first", "t_first_canon", "t_first_mp", "t_first_sx", "t_first_initial", "t_first_bloom",
    "t_surname", "t_surname_mp", "t_surname_sx", "t_surname_initial", "t_surname_bloom",
    "t_dob", "t_dob_unordered", "t_dob_ym", "t_dob_yd", "t_dob_md", "t_dob_year",
    "t_postcode", "t_sector", "t_district", "t_sex",
)
FINGERPRINT_COLUMN = "key_fingerprint"

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_EARLIEST_YEAR = 1880


def normal_name(text: str) -> str:
    """Upper-case letters only: accents, spaces, hyphens and apostrophes are how registers differ, not people."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z]", "", plain.upper())


def first_given_name(text: str) -> str:
    """The first of several given names ('Mary Ann' -> MARY): registers disagree on the rest."""
    parts = text.strip().split()
    return normal_name(parts[0]) if parts else ""


def normal_postcode(text: str) -> tuple[str, str] | None:
    """(outward, inward) of a UK postcode, or None if it is not one."""
    match = _POSTCODE.match(re.sub(r"\s+", "", text.upper()))
    return (match.group(1), match.group(2)) if match else None


def parse_birth_date(text: str, today: date | None = None) -> date | None:
    """A YYYY-MM-DD date in the plausible range, or None (1965-13-45 is a missing value, not a person)."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        value = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return value if value.year >= _EARLIEST_YEAR and value <= (today or date.today()) else None


def normal_sex(text: str) -> str:
    letter = text.strip()[:1].upper()
    return letter if letter in {"M", "F"} else ""


@dataclass(frozen=True)
class Identifiers:
    """One record's identifiers after normalisation; an empty string or None is a missing value."""

    first_name: str
    surname: str
    date_of_birth: date | None
    postcode: tuple[str, str] | None
    sex: str


@dataclass(frozen=True)
class PersonRecord:
    record_id: str
    identifiers: Identifiers
    attributes: dict[str, str]
