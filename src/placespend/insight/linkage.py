"""Probabilistic record linkage between two partners' pseudonymised files (DESIGN.md §7; seed 000's Bolton
matching of social-care adaptations against council-tax disablement relief, done without raw data).

The model is Fellegi-Sunter as Splink implements it. Comparisons are levels of *which tokens agree* and of
how alike two names' keyed Bloom filters are (Dice coefficient, `people_tokens`): for a first name, the exact
normalised name, else its nickname-canonical form, else Dice >= 0.75, else a phonetic code, else Dice >= 0.6,
else the other record's surname in its place, else the initial, else Dice >= 0.45; for a date of birth, the
exact date, else the same day and month in either order (a swap), else two of its three parts (one part
mistyped), else the year. Tokens keep equality and frequency, so the term-frequency adjustment (a shared Smith
is weaker evidence than a shared Featherstonehaugh) works as on raw names.

**Households.** Surname and postcode are one comparison, because they are not independent evidence: people
who live together mostly share a surname, so a shared surname *and* postcode is far likelier between two
members of one household than the product of the two chances says (between two random records of the
synthetic partners at 10,000 a side, 0.00008, where independence would say 0.0011 x 0.0018 = 0.000002).
Compared apart, a wife and husband, or a mother and son, score as one person whose first name and date of
birth were both mistyped; compared together, the pair's chance of agreeing is measured as it is. The levels
are: same surname and postcode; same surname; similar surname and same postcode; similar surname (by Dice or
sound); same postcode; same sector; same district.

Parameters are estimated without labels: u by random sampling of pairs (almost all random pairs are
non-matches), m by expectation maximisation on two blocks, each estimating the comparisons it does not fix,
and each chosen so that at least two comparisons are left free and no household falls into it: same date of
birth (names, surname and address, sex), and same first name with the same surname initial (date of birth,
surname and address, sex). A block of same postcode would be full of households, which EM then takes for one
more class of match. Blocking rules then make the candidate pairs to score: the same date of birth, or any
of the pairs of tokens that survive when the date is wrong (see TOKEN_BLOCKING).

One-to-one assignment is greedy by descending match probability (ties broken by record ids): each record
keeps its single best link, and a link is only taken if neither record is already linked. An assignment
solver (e.g. scipy's linear_sum_assignment) maximises the *sum* of probabilities and so may trade a 0.999
link for two 0.95 ones, which is the wrong trade when precision comes first; above a high threshold
conflicts are rare, and greedy is O(E log E), deterministic and needs no extra dependency.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
from splink import Linker

from placespend.domain.linkage_database import LinkageDatabase
from placespend.domain.person_identifiers import BLOOM_BITS, BLOOM_COLUMNS, TOKEN_COLUMNS
from placespend.domain.problems import PlacespendError

# Chosen for precision on the synthetic partners (BENCHMARKS.md has the sweeps): the lowest of the sweep's thresholds
# whose precision stays above 0.99 at a million records a side (0.9922; 0.9934 at 100k); at 0.5 it is 0.9887.
DEFAULT_THRESHOLD = 0.6
TRAINING_SEED = 2009
CANDIDATE_FLOOR = 0.01  # pairs scored below this are not kept at all
LEFT_NAME, RIGHT_NAME = "partner_left", "partner_right"  # Splink table names (not SQL keywords)
U_SAMPLE_PAIRS = 2e6
TRAINING_RECORDS = 200_000  # per file: parameters are estimated on a sample of larger files (see score_pairs)

_ELSE = {"sql_condition": "ELSE", "label_for_charts": "disagree"}


def _level(sql: str, label: str, tf_column: str | None = None) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if tf_column:
        level |= {"tf_adjustment_column": tf_column, "tf_adjustment_weight": 1.0}
    return level


def _eq(*columns: str) -> str:
    return " OR ".join(f"{c}_l = {c}_r" for c in columns)


WORDS = BLOOM_BITS // 64  # a Bloom filter is held as this many 64-bit integers while linking


def _dice(column: str, at_least: float, right: str | None = None) -> str:
    """Dice similarity of two keyed Bloom filters, 2|A and B| / (|A| + |B|), by bit counts of their words; of
    `column` on both sides, or of the left's `column` and the right's `right` (names written the wrong way round)."""
    other = right or column
    # bit_count is a one-byte integer in DuckDB: summed as it is, four words' counts would overflow past 127.
    shared = " + ".join(f"CAST(bit_count({column}_w{i}_l & {other}_w{i}_r) AS INT)" for i in range(WORDS))
    return f"2.0 * ({shared}) >= {at_least} * ({column}_n_l + {other}_n_r)"


# The chance that one person's sex is recorded as the other. Fixed rather than estimated: in the EM block of the
# same date of birth, a brother and sister who are twins at home (same surname, date and address) look like one
# person with that error, and EM learns their share among matches as its rate; such twins, one in each file,
# then score as a likely match. The first name's disagreement is left to EM: fixed as small, it cost FEBRL 4
# five points of recall (its duplicates do have first names replaced outright), to rid only same-sex twins.
DIFFERENT_SEX = 0.0002


def _comparison(name: str, null_column: str, levels: list[dict[str, Any]], *others: str,
                fixed_disagreement: float | None = None) -> dict[str, Any]:
    condition = " AND ".join(f"({c}_l IS NULL OR {c}_r IS NULL)" for c in (null_column, *others))
    null = {"sql_condition": condition,
            "label_for_charts": "missing", "is_null_level": True}
    disagree = _ELSE if fixed_disagreement is None else _ELSE | {"m_probability": fixed_disagreement,
                                                                 "fix_m_probability": True}
    return {"output_column_name": name, "comparison_levels": [null, *levels, disagree]}


SIMILAR, LIKE, FAINT = 0.75, 0.6, 0.45  # Dice levels (see people_tokens.letter_pairs)


def _surname_levels() -> list[dict[str, Any]]:
    return [_level(_eq("t_surname"), "same surname", "t_surname"),
            _level(_dice("t_surname_bloom", SIMILAR), "similar surname (Dice >= 0.75)"),
            _level(_eq("t_surname_mp", "t_surname_sx"), "surname sounds alike"),
            _level(_dice("t_surname_bloom", LIKE), "surname alike (Dice >= 0.6)"),
            _level(_dice("t_surname_bloom", SIMILAR, "t_first_bloom"), "surname like the other's first name"),
            _level(_dice("t_surname_bloom", FAINT), "surname faintly alike (Dice >= 0.45)")]


def _postcode_levels() -> list[dict[str, Any]]:
    return [_level(_eq("t_postcode"), "same postcode"), _level(_eq("t_sector"), "same sector"),
            _level(_eq("t_district"), "same district")]


def token_comparisons() -> list[dict[str, Any]]:
    """The comparisons over token columns, most specific level first (see the module's note on households)."""
    same_surname, *other_surname = _surname_levels()
    similar_surname = f"{_dice('t_surname_bloom', SIMILAR)} OR {_eq('t_surname_mp', 't_surname_sx')}"
    return [
        _comparison("first_name", "t_first", [
            _level(_eq("t_first"), "exact", "t_first"),
            _level(_eq("t_first_canon"), "same name (nickname)"),
            _level(_dice("t_first_bloom", SIMILAR), "similar (Dice >= 0.75)"),
            _level(_eq("t_first_mp", "t_first_sx"), "sounds alike"),
            _level(_dice("t_first_bloom", LIKE), "alike (Dice >= 0.6)"),
            _level(_dice("t_first_bloom", SIMILAR, "t_surname_bloom"), "like the other's surname"),
            _level(_eq("t_first_initial"), "same initial"),
            _level(_dice("t_first_bloom", FAINT), "faintly alike (Dice >= 0.45)"),
        ]),
        _comparison("date_of_birth", "t_dob", [
            _level(_eq("t_dob"), "exact"),
            _level(_eq("t_dob_unordered"), "day and month swapped"),
            _level(_eq("t_dob_ym", "t_dob_yd", "t_dob_md"), "one part differs"),
            _level(_eq("t_dob_year"), "same year"),
        ]),
        _comparison("surname_and_address", "t_surname", [
            _level(f"({_eq('t_surname')}) AND ({_eq('t_postcode')})", "same surname, same postcode"),
            same_surname,
            _level(f"({similar_surname}) AND ({_eq('t_postcode')})", "similar surname, same postcode"),
            *other_surname,
            *_postcode_levels(),
        ], "t_postcode"),
        _comparison("sex", "t_sex", [_level(_eq("t_sex"), "same")], fixed_disagreement=DIFFERENT_SEX),
    ]


# Where a file has no postcodes (or no surnames) at all, the joint comparison gives way to the one it can make.
TOKEN_FALLBACK_COMPARISONS = {"surname_and_address": (_comparison("surname", "t_surname", _surname_levels()),
                                                      _comparison("postcode", "t_postcode", _postcode_levels()))}


# Column names are left unquoted: Splink reads these SQL snippets in the engine's own dialect, and a double-quoted
# name is an identifier to DuckDB but a string literal to Spark. Token column names need no quoting.
def _rule(*columns: str) -> str:
    return " AND ".join(f"l.{c} = r.{c}" for c in columns)


def _columns_of(sql: str) -> set[str]:
    """The token columns a SQL snippet uses (a Bloom filter's words and bit count stand for its column)."""
    return {re.sub(r"_(w[0-9]+|n)$", "", re.sub(r"_[lr]$", "", word)) for word in re.findall(r"\bt_[a-z0-9_]+", sql)}


# Each true pair should survive at least one rule whatever two fields are wrong; each rule keeps the number of
# candidate pairs near linear in the file sizes.
TOKEN_BLOCKING = (
    _rule("t_dob", "t_first_initial"),
    _rule("t_dob", "t_surname_initial"),
    _rule("t_dob", "t_sector"),  # both names blank or changed: a new surname and no first name
    "l.t_dob = r.t_dob AND l.t_first_initial = r.t_surname_initial",  # names written the wrong way round
    _rule("t_dob_unordered", "t_first_sx"),
    _rule("t_dob_unordered", "t_surname_mp"),
    _rule("t_postcode", "t_first_sx"),
    _rule("t_postcode", "t_surname_sx"),
    _rule("t_surname", "t_first_canon"),
)
TOKEN_TRAINING = (_rule("t_dob"), _rule("t_first_canon", "t_surname", "t_postcode"))
# Used only when a field of TOKEN_TRAINING is absent from a file (e.g. no postcodes at all): then the first name
# and the surname's initial fix the block, leaving the date of birth and the surname free to estimate.
FALLBACK_TRAINING = (_rule("t_first_canon", "t_surname_initial"),)
TOKEN_DETERMINISTIC = (_rule("t_first", "t_surname", "t_dob"), _rule("t_first", "t_surname", "t_postcode"))


NAME_COMPARISONS = {"first_name", "surname", "sex"}


@dataclass(frozen=True)
class LinkModel:
    """What Splink needs besides the data: comparisons, blocking and training rules."""

    comparisons: list[dict[str, Any]]
    blocking: tuple[str, ...]
    training: tuple[str, ...]
    deterministic: tuple[str, ...]
    columns: tuple[str, ...]
    fallback_training: tuple[str, ...] = ()
    fallback_comparisons: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict)

    def restricted(self, present: set[str]) -> LinkModel:
        """The model over the token columns both files have values in (a register without postcodes, or a
        public benchmark without UK ones, is linked on what it has rather than refused or crashed on)."""
        if set(self.columns) <= present:
            return self

        def usable(sql: str) -> bool:
            return _columns_of(sql) <= present

        def usable_comparison(comparison: dict[str, Any]) -> bool:
            return usable(comparison["comparison_levels"][0]["sql_condition"])

        comparisons = []
        for comparison in self.comparisons:
            if usable_comparison(comparison):
                comparisons.append(comparison)
            else:
                fallbacks = self.fallback_comparisons.get(comparison["output_column_name"], ())
                comparisons += filter(usable_comparison, fallbacks)
        training = tuple(filter(usable, self.training))
        if len(training) < len(self.training):
            training += tuple(filter(usable, self.fallback_training))
        blocking = tuple(filter(usable, self.blocking))
        names_only = {c["output_column_name"] for c in comparisons} <= NAME_COMPARISONS
        if not blocking or not training or len(comparisons) < 2 or names_only:
            raise PlacespendError("The two files share too few identifiers to link (each needs values in at least "
                                  "two of first name, surname, date of birth and postcode, one of them the date of "
                                  "birth or the postcode: names alone cannot tell namesakes apart).")
        return LinkModel(comparisons, blocking, training, tuple(filter(usable, self.deterministic)) or blocking,
                         tuple(c for c in self.columns if c in present), ())


TOKEN_MODEL = LinkModel(token_comparisons(), TOKEN_BLOCKING, TOKEN_TRAINING, TOKEN_DETERMINISTIC, TOKEN_COLUMNS,
                        FALLBACK_TRAINING, TOKEN_FALLBACK_COMPARISONS)


@dataclass(frozen=True)
class Link:
    left_id: str
    right_id: str
    match_probability: float


@dataclass
class LinkageResult:
    """The one-to-one links at the threshold, with what was scored to find them."""

    links: list[Link]
    threshold: float
    candidate_pairs: int
    model: dict[str, Any]


def _sample(table: pa.Table, fraction: float, seed: int) -> pa.Table:
    if fraction >= 1:
        return table
    return table.filter(pa.array(np.random.default_rng(seed).random(table.num_rows) < fraction))


def _hex_bytes(values: list[str | None], width: int) -> tuple[bytes, np.ndarray]:
    present = np.array([v is not None for v in values], dtype=bool)
    return b"".join(bytes.fromhex(v) if v is not None else bytes(width) for v in values), present


def as_numbers(table: pa.Table) -> pa.Table:
    """Token columns as 64-bit integers (a token is 64 bits written as 16 hex digits), and each Bloom filter as
    WORDS integers and its bit count, which SQL engines can AND and count bits of (DuckDB and Spark alike).
    Equality is unchanged; a linkage of a million records a side then holds half the bytes per pair, and
    compares numbers instead of strings. A missing value stays null."""
    for column in [c for c in table.column_names if c.startswith("t_")]:
        position = table.column_names.index(column)
        if column in BLOOM_COLUMNS:
            raw, present = _hex_bytes(table.column(column).to_pylist(), BLOOM_BITS // 8)
            words = np.frombuffer(raw, dtype=">u8").reshape(-1, WORDS).astype(np.uint64).view(np.int64)
            counts = np.unpackbits(np.frombuffer(raw, np.uint8).reshape(-1, BLOOM_BITS // 8), axis=1).sum(axis=1)
            table = table.remove_column(position)
            for i in range(WORDS):
                table = table.append_column(f"{column}_w{i}", pa.array(words[:, i], pa.int64(), mask=~present))
            table = table.append_column(f"{column}_n", pa.array(counts.astype(np.int64), pa.int64(), mask=~present))
        else:
            raw, present = _hex_bytes(table.column(column).to_pylist(), 8)
            numbers = np.frombuffer(raw, dtype=">u8").astype(np.uint64).view(np.int64)
            table = table.set_column(position, column, pa.array(numbers, pa.int64(), mask=~present))
    return table


def _linker(database: LinkageDatabase, left: pa.Table, right: pa.Table, columns: list[str],
            settings: dict[str, Any]) -> Linker:
    db = database()
    frames = [db.register(as_numbers(table.select(columns)), dataset_display_name=name)
              for name, table in ((LEFT_NAME, left), (RIGHT_NAME, right))]
    return Linker(frames, settings, log_level=logging.ERROR)


def score_pairs(left: pa.Table, right: pa.Table, model: LinkModel = TOKEN_MODEL, *, database: LinkageDatabase,
                training_records: int = TRAINING_RECORDS) -> tuple[pa.Table, dict[str, Any]]:
    """Every candidate pair with its match probability (columns left_id, right_id, match_probability).

    The parameters are estimated on at most `training_records` records of each file, both sampled at the same
    rate: m and u are properties of the fields, not of the file's size, and sampling both sides alike keeps
    the share of pairs that match (lambda) as it is. Past that size EM only costs time: at a million records
    a side the EM blocks hold some 150 million pairs, a twentieth of that at 200,000. Every pair of the
    full files is then scored with the parameters found.
    """
    model = model.restricted({c for c in model.columns if all(
        c in t.column_names and t.column(c).null_count < t.num_rows for t in (left, right))})
    columns = ["record_id", *model.columns]
    settings = {"link_type": "link_only", "unique_id_column_name": "record_id",
                "comparisons": model.comparisons, "blocking_rules_to_generate_predictions": list(model.blocking),
                "retain_intermediate_calculation_columns": False, "retain_matching_columns": False}
    fraction = min(1.0, training_records / max(left.num_rows, right.num_rows, 1))
    linker = _linker(database, _sample(left, fraction, TRAINING_SEED), _sample(right, fraction, TRAINING_SEED + 1),
                     columns, settings)
    linker.training.estimate_probability_two_random_records_match(list(model.deterministic), recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=TRAINING_SEED)
    for rule in model.training:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        except ValueError as exc:
            # Splink 5 refuses an m or u that EM has driven below 1e-300 (a level almost never seen among
            # matches, on small files): that session stops at its previous iteration's values, which are
            # the estimate to within float precision; the other sessions still train.
            if "below the minimum allowed" not in str(exc):
                raise
    trained = linker.misc.save_model_to_json()
    if fraction < 1:
        del linker
        linker = _linker(database, left, right, columns, trained)
    scored = linker.inference.predict(threshold_match_probability=CANDIDATE_FLOOR).as_pandas_dataframe()
    return _oriented(pa.Table.from_pandas(scored, preserve_index=False)), trained


def _oriented(scored: pa.Table) -> pa.Table:
    """Splink names the sides by dataset; put every left record in left_id whichever side it came out on."""
    rows = scored.select(["source_dataset_l", "record_id_l", "record_id_r", "match_probability"]).to_pylist()
    left_ids, right_ids, probabilities = [], [], []
    for row in rows:
        flipped = row["source_dataset_l"] != LEFT_NAME
        left_ids.append(row["record_id_r"] if flipped else row["record_id_l"])
        right_ids.append(row["record_id_l"] if flipped else row["record_id_r"])
        probabilities.append(float(row["match_probability"]))
    return pa.table({"left_id": pa.array(left_ids, pa.string()), "right_id": pa.array(right_ids, pa.string()),
                     "match_probability": pa.array(probabilities, pa.float64())})


def one_to_one(scored: pa.Table, threshold: float) -> list[Link]:
    """Greedy by descending probability: each record in at most one link (see the module's note)."""
    candidates = sorted(
        (row for row in scored.to_pylist() if row["match_probability"] >= threshold),
        key=lambda r: (-r["match_probability"], r["left_id"], r["right_id"]))
    used_left: set[str] = set()
    used_right: set[str] = set()
    links = []
    for row in candidates:
        if row["left_id"] in used_left or row["right_id"] in used_right:
            continue
        used_left.add(row["left_id"])
        used_right.add(row["right_id"])
        links.append(Link(row["left_id"], row["right_id"], row["match_probability"]))
    return links


def link_tables(left: pa.Table, right: pa.Table, threshold: float = DEFAULT_THRESHOLD,
                model: LinkModel = TOKEN_MODEL, *, database: LinkageDatabase,
                training_records: int = TRAINING_RECORDS) -> LinkageResult:
    """The one-to-one links of two pseudonymised files, scored on a database `database` opens (the app layer
    chooses the engine: engine.linkage_backend)."""
    scored, settings = score_pairs(left, right, model, database=database, training_records=training_records)
    return LinkageResult(one_to_one(scored, threshold), threshold, scored.num_rows, settings)
