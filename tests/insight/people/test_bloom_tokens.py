"""Keyed Bloom filters of names: made as the module says (checked against HMAC-SHA256 computed here), compared
by the Dice coefficient in SQL exactly as by hand, and refused when a file's filter is not one."""

from __future__ import annotations

import hashlib
import hmac
import random

import duckdb
import pyarrow as pa

from placespend.domain.person_identifiers import BLOOM_BITS, TOKEN_COLUMNS, Identifiers
from placespend.ingest.insight.people_files import read_tokens
from placespend.insight import linkage
from placespend.insight.people_tokens import (
    BLOOM_LABEL,
    BLOOM_POSITIONS,
    fingerprint,
    key_from_text,
    letter_pairs,
    new_key_text,
    tokens,
)

KEY = key_from_text(new_key_text())


def _by_hand(name: str) -> int:
    """Each letter pair of _NAME_ (its two letters in alphabetical order) sets the bits named by two-byte slices
    of its HMAC-SHA256 under the key, modulo the filter's length."""
    padded = f"_{name}_"
    bits = 0
    for i in range(len(padded) - 1):
        pair = "".join(sorted(padded[i:i + 2]))
        digest = hmac.new(KEY, f"{BLOOM_LABEL}\x1f{pair}".encode(), hashlib.sha256).digest()
        for j in range(BLOOM_POSITIONS):
            bits |= 1 << (int.from_bytes(digest[2 * j:2 * j + 2], "big") % BLOOM_BITS)
    return bits


def _ids(first: str, surname: str) -> Identifiers:
    return Identifiers(first, surname, None, None, "")


def test_a_names_filter_is_the_keyed_positions_of_its_letter_pairs():
    made = tokens(KEY, _ids("DENT", "FEATHERSTONEHAUGH"))
    assert made["t_first_bloom"] == f"{_by_hand('DENT'):064x}"
    assert made["t_surname_bloom"] == f"{_by_hand('FEATHERSTONEHAUGH'):064x}"
    # A first name and a surname share the label, so the same name gives the same filter in either place.
    assert tokens(KEY, _ids("DENT", "ASH"))["t_first_bloom"] == tokens(KEY, _ids("ASH", "DENT"))["t_surname_bloom"]


def test_letters_typed_the_wrong_way_round_keep_most_pairs():
    assert letter_pairs("DENT") == {"D_", "DE", "EN", "NT", "T_"}
    assert letter_pairs("DENT") & letter_pairs("DETN") == {"D_", "DE", "NT"}


def _dice(a: int, b: int) -> float:
    return 2 * (a & b).bit_count() / (a.bit_count() + b.bit_count())


def test_dice_in_sql_is_dice_by_hand():
    """The filters go to the SQL engine as 64-bit words (the top bit set makes a word negative) and bit counts;
    every Dice level's condition must agree with the coefficient worked out on the whole numbers."""
    rng = random.Random(7)
    filters = [rng.getrandbits(BLOOM_BITS) | (1 << (BLOOM_BITS - 1)) * (i % 2) for i in range(40)]
    filters += [_by_hand(n) for n in ("SMITH", "SMYTH", "SMITHE", "JONES", "JOENS", "DENT", "DETN")]
    table = pa.table({"record_id": [str(i) for i in range(len(filters))],
                      "t_first_bloom": [f"{f:064x}" for f in filters]})
    words = linkage.as_numbers(table)
    con = duckdb.connect()
    con.register("l", words)
    con.register("r", words)
    for at_least in (linkage.FAINT, linkage.LIKE, linkage.SIMILAR):
        condition = linkage._dice("t_first_bloom", at_least).replace("_l", "_x").replace("_r", "_y")
        sides = ", ".join(f"{s}.{c} AS {c}_{x}" for s, x in (("l", "x"), ("r", "y")) for c in words.column_names)
        found = set(con.execute(f"SELECT record_id_x, record_id_y FROM (SELECT {sides} FROM l, r) WHERE {condition}"
                                ).fetchall())
        expected = {(str(i), str(j)) for i, a in enumerate(filters) for j, b in enumerate(filters)
                    if _dice(a, b) >= at_least}
        assert found == expected and len(expected) > len(filters), at_least


def test_a_filter_that_is_not_one_is_refused_without_its_value():
    row = {"record_id": "a1", "key_fingerprint": fingerprint(KEY), **tokens(KEY, _ids("ANN", "SMITH"))}
    row["t_surname_bloom"] = "SMITH-was-here"
    text = ",".join(row) + "\n" + ",".join(row[c] for c in row) + "\n"
    read = read_tokens(text.encode(), "shared.csv")
    assert not read.report.ok and read.table is None
    errors = read.report.to_dict()["errors"]
    assert [e["column"] for e in errors] == ["t_surname_bloom"] and "SMITH" not in str(errors)
    assert set(TOKEN_COLUMNS) <= set(row)


def test_a_carriage_return_inside_the_header_is_refused_not_raised():
    """Found by fuzzing the API (POST /api/insight/overlap): a lone CR in the first line was a server error."""
    read = read_tokens(b"record_id\rkey_fingerprint,t_surname\n1,2,3\n", "odd.csv")
    assert not read.report.ok and read.table is None
    assert [e["slug"] for e in read.report.to_dict()["errors"]] == ["file-not-csv"]
