"""Pseudonymisation at the partner: keyed tokens of identifiers, so that partners can match people without
handing raw personal data to anyone (seed 000's barrier to Bolton's matching and Birmingham's single
customer record was data sharing itself; DESIGN.md §7).

Every token is HMAC-SHA256 under the sharing agreement's secret key of a field label and a normalised value.
The label separates fields (the same text as a first name and as a surname gives unrelated tokens), the key
stops a dictionary attack by anyone who does not hold it (an unkeyed hash of a date of birth is reversed by
trying the 40,000 dates of the last century). Exact equality of raw values becomes equality of tokens, so the
linkage compares tokens only; typing errors are tolerated by tokens of *derived* values that survive them:
a canonical form of nicknames, phonetic codes (Metaphone, Soundex), the initial, the date's parts and its
day and month in either order, the postcode's sector and district.

Tokens are the first 64 bits of the HMAC (16 hex digits): equality is all that is used, and at a million
distinct values a chance collision has odds of about 1 in 30 million.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources

import jellyfish

from placespend.domain.person_identifiers import (
    FINGERPRINT_COLUMN,
    TOKEN_COLUMNS,
    Identifiers,
    PersonRecord,
    normal_name,
)

KEY_BYTES = 32
KEY_HEADER = "placespend-linkage-key-v1"
FINGERPRINT_LABEL = b"placespend key fingerprint v1"
TOKEN_HEX = 16




class BadKey(ValueError):
    """A key file that is not a placespend linkage key (the message never contains the file's text)."""


def new_key_text() -> str:
    """A fresh secret for one sharing agreement, as the text of a key file."""
    return f"{KEY_HEADER}\n{secrets.token_hex(KEY_BYTES)}\n"


def key_from_text(text: str) -> bytes:
    """The secret in a key file; refuses anything else without echoing it (it may be a secret)."""
    lines = [line.strip() for line in text.strip().splitlines()]
    if len(lines) != 2 or lines[0] != KEY_HEADER or not re.fullmatch(r"[0-9a-f]{64}", lines[1]):
        raise BadKey(f"not a placespend linkage key: expected the line '{KEY_HEADER}' and 64 hex digits "
                        "(make one with `placespend insight keygen`)")
    return bytes.fromhex(lines[1])


def fingerprint(key: bytes) -> str:
    """Names the key without revealing it: files tokenised under different keys cannot be linked."""
    return hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:TOKEN_HEX]


def token(key: bytes, field: str, value: str) -> str:
    return hmac.new(key, f"{field}\x1f{value}".encode(), hashlib.sha256).hexdigest()[:TOKEN_HEX]


@cache
def nicknames() -> dict[str, str]:
    """Nickname -> canonical given name (data file `insight/data/nicknames.csv`, normalised like names)."""
    text = resources.files("placespend.insight.data").joinpath("nicknames.csv").read_text(encoding="utf-8")
    return {normal_name(row["nickname"]): normal_name(row["name"]) for row in csv.DictReader(text.splitlines())}


def derived_values(ids: Identifiers) -> dict[str, str]:
    """Each token column's plain value before keying ('' where the identifier is missing)."""
    first, surname, dob, postcode = ids.first_name, ids.surname, ids.date_of_birth, ids.postcode
    values = dict.fromkeys(TOKEN_COLUMNS, "")
    if first:
        values |= {"t_first": first, "t_first_canon": nicknames().get(first, first),
                   "t_first_mp": jellyfish.metaphone(first), "t_first_sx": jellyfish.soundex(first),
                   "t_first_initial": first[0]}
    if surname:
        values |= {"t_surname": surname, "t_surname_mp": jellyfish.metaphone(surname),
                   "t_surname_sx": jellyfish.soundex(surname)}
    if dob:
        low, high = sorted((dob.month, dob.day))
        values |= {"t_dob": dob.isoformat(), "t_dob_unordered": f"{dob.year}:{low}:{high}",
                   "t_dob_ym": f"{dob.year}-{dob.month}", "t_dob_yd": f"{dob.year}/{dob.day}",
                   "t_dob_year": str(dob.year)}
    if postcode:
        outward, inward = postcode
        values |= {"t_postcode": outward + inward, "t_sector": f"{outward} {inward[0]}", "t_district": outward}
    if ids.sex:
        values["t_sex"] = ids.sex
    return values


def tokens(key: bytes, ids: Identifiers) -> dict[str, str]:
    """The token columns of one record: keyed, so nothing in them reads back without the key."""
    return {column: token(key, column, value) if value else "" for column, value in derived_values(ids).items()}


def pseudonymised_rows(key: bytes, records: Iterable[PersonRecord]) -> Iterator[dict[str, str]]:
    """The rows of a `pseudonymise` output: record_id, the key's fingerprint, tokens, then `x_` attributes."""
    print_ = fingerprint(key)
    for record in records:
        yield {"record_id": record.record_id, FINGERPRINT_COLUMN: print_, **tokens(key, record.identifiers),
               **record.attributes}
