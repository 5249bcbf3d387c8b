"""Pseudonymisation at the partner: keyed tokens of identifiers, so that partners can match people without
handing raw personal data to anyone (seed 000's barrier to Bolton's matching and Birmingham's single
customer record was data sharing itself; DESIGN.md §7).

Every token is HMAC-SHA256 under the sharing agreement's secret key of a field label and a normalised value.
The label separates fields (the same text as a first name and as a surname gives unrelated tokens), the key
stops a dictionary attack by anyone who does not hold it (an unkeyed hash of a date of birth is reversed by
trying the 40,000 dates of the last century). Exact equality of raw values becomes equality of tokens, so the
linkage compares tokens only; typing errors are tolerated by tokens of *derived* values that survive them:
a canonical form of nicknames, phonetic codes (Metaphone, Soundex), the initial, the date's parts two at a
time and its day and month in either order, the postcode's sector and district.

Tokens are the first 64 bits of the HMAC (16 hex digits): equality is all that is used, and at a million
distinct values a chance collision has odds of about 1 in 30 million.

**Names also get a keyed Bloom filter** (a "cryptographic long-term key", Schnell, Bachteler and Reiher 2009,
as the CSIRO's clkhash makes them), so that a typing error anywhere in a name is forgiven by degree, as
Jaro-Winkler forgives it on raw text: the name's letter pairs, padded (`_SMITH_` gives _S, SM, MI, IT, TH,
H_), each set `BLOOM_POSITIONS` of the filter's `BLOOM_BITS` bits, chosen by the HMAC of the field and the
pair under the agreement's key; two names are then compared by the Dice coefficient of their filters
(`linkage`). The positions are keyed, so without the key nobody can make the filter of a guessed name (no
dictionary attack), and there is no fixed hashing pattern to mine (no double hashing). What a filter does
reveal to whoever holds the file is which names share letter pairs; with the frequencies that the exact
tokens already show, a determined holder could in time learn common pairs' positions and read rare names
back (Christen et al. 2018 show such attacks on field-level filters). That holder can only be a party to the
sharing agreement: the files go only to the hub the agreement names, every run is audited and the files are
deleted at the end of their retention (`sharing`), the key never leaves the partners, and nothing derived
from a filter other than a match probability is ever written. `BLOOM_BITS` is kept small and dense (about a
quarter of the bits set by a typical name) so that positions of different pairs overlap, which is what makes
reading a filter back ambiguous.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from functools import cache, lru_cache, partial
from importlib import resources
from typing import Any

import jellyfish

from placespend.domain.person_identifiers import (
    BLOOM_BITS,
    BLOOM_COLUMNS,
    FINGERPRINT_COLUMN,
    TOKEN_COLUMNS,
    TOKEN_HEX,
    Identifiers,
    PersonRecord,
    normal_name,
)

KEY_BYTES = 32
KEY_HEADER = "placespend-linkage-key-v1"
FINGERPRINT_LABEL = b"placespend key fingerprint v1"
BLOOM_POSITIONS = 8  # bits set per letter pair (two bytes of its HMAC each; at most 16)
BLOOM_HEX = BLOOM_BITS // 4
# First names and surnames share these labels, so that a name written in the other's place can be recognised
# (an initial, or a Bloom filter, is the same whichever name it came from).
BLOOM_LABEL = "t_name_bloom"
SHARED_LABELS = {"t_first_initial": "t_initial", "t_surname_initial": "t_initial"}


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


def letter_pairs(name: str) -> set[str]:
    """The name's adjacent letters, padded at both ends, each pair in alphabetical order: two letters typed the
    wrong way round then change one pair of the name's, not three (DENT and DETN share D_, DE and NT of their
    five, Dice 0.6; in order they would share two, 0.4). Among names that differ by one keystroke, 98.5% keep
    a Dice coefficient above what only 0.5% of pairs of different names reach (0.6); in order, 93%."""
    padded = f"_{name}_"
    return {"".join(sorted(padded[i:i + 2])) for i in range(len(padded) - 1)}


def pair_bits(key: bytes, field: str, pair: str) -> int:
    """The BLOOM_POSITIONS bits one letter pair sets, each from two bytes of its HMAC."""
    digest = hmac.new(key, f"{field}\x1f{pair}".encode(), hashlib.sha256).digest()
    bits = 0
    for i in range(BLOOM_POSITIONS):
        bits |= 1 << (int.from_bytes(digest[2 * i:2 * i + 2]) % BLOOM_BITS)
    return bits


class Keyer:
    """Keys values under one agreement's key for one run. Names, dates, postcodes and letter pairs repeat
    thousands of times in a register, so each is keyed once and remembered; the memory goes with the Keyer."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self._part = lru_cache(maxsize=1 << 17)(self._keyed_part)
        self._pair_bits = lru_cache(maxsize=1 << 12)(partial(pair_bits, key))

    def bloom(self, field: str, name: str) -> str:
        """The keyed Bloom filter of a name's letter pairs, as BLOOM_HEX hex digits (see the module's note)."""
        bits = 0
        for pair in letter_pairs(name):
            bits |= self._pair_bits(field, pair)
        return f"{bits:0{BLOOM_HEX}x}"

    def _keyed_part(self, name: str, value: Any) -> dict[str, str]:
        return {column: self.bloom(BLOOM_LABEL, plain) if column in BLOOM_COLUMNS
                else token(self.key, SHARED_LABELS.get(column, column), plain)
                for column, plain in _PARTS[name](value).items()}

    def tokens(self, ids: Identifiers) -> dict[str, str]:
        """The token columns of one record: keyed, so nothing in them reads back without the key."""
        values = dict.fromkeys(TOKEN_COLUMNS, "")
        for name in _PARTS:
            value = getattr(ids, name)
            if value:
                values |= self._part(name, value)
        return values


@cache
def nicknames() -> dict[str, str]:
    """Nickname -> canonical given name (data file `insight/data/nicknames.csv`, normalised like names)."""
    text = resources.files("placespend.insight.data").joinpath("nicknames.csv").read_text(encoding="utf-8")
    return {normal_name(row["nickname"]): normal_name(row["name"]) for row in csv.DictReader(text.splitlines())}


def _first_values(first: str) -> dict[str, str]:
    return {"t_first": first, "t_first_canon": nicknames().get(first, first), "t_first_mp": jellyfish.metaphone(first),
            "t_first_sx": jellyfish.soundex(first), "t_first_initial": first[0], "t_first_bloom": first}


def _surname_values(surname: str) -> dict[str, str]:
    return {"t_surname": surname, "t_surname_mp": jellyfish.metaphone(surname),
            "t_surname_sx": jellyfish.soundex(surname), "t_surname_initial": surname[0], "t_surname_bloom": surname}


def _dob_values(dob: date) -> dict[str, str]:
    low, high = sorted((dob.month, dob.day))
    return {"t_dob": dob.isoformat(), "t_dob_unordered": f"{dob.year}:{low}:{high}",
            "t_dob_ym": f"{dob.year}-{dob.month}", "t_dob_yd": f"{dob.year}/{dob.day}",
            "t_dob_md": f"{dob.month}/{dob.day}", "t_dob_year": str(dob.year)}


def _postcode_values(postcode: tuple[str, str]) -> dict[str, str]:
    outward, inward = postcode
    return {"t_postcode": outward + inward, "t_sector": f"{outward} {inward[0]}", "t_district": outward}


_PARTS: dict[str, Callable[[Any], dict[str, str]]] = {
    "first_name": _first_values, "surname": _surname_values, "date_of_birth": _dob_values,
    "postcode": _postcode_values, "sex": lambda sex: {"t_sex": sex}}


def derived_values(ids: Identifiers) -> dict[str, str]:
    """Each token column's plain value before keying ('' where the identifier is missing)."""
    values = dict.fromkeys(TOKEN_COLUMNS, "")
    for name, part in _PARTS.items():
        value = getattr(ids, name)
        if value:
            values |= part(value)
    return values


def tokens(key: bytes, ids: Identifiers) -> dict[str, str]:
    return Keyer(key).tokens(ids)


def pseudonymised_rows(key: bytes, records: Iterable[PersonRecord]) -> Iterator[dict[str, str]]:
    """The rows of a `pseudonymise` output: record_id, the key's fingerprint, tokens, then `x_` attributes."""
    print_, keyer = fingerprint(key), Keyer(key)
    for record in records:
        yield {"record_id": record.record_id, FINGERPRINT_COLUMN: print_, **keyer.tokens(record.identifiers),
               **record.attributes}
