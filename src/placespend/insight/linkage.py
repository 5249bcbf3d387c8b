"""Probabilistic record linkage between two partners' pseudonymised files (DESIGN.md §7; seed 000's Bolton
matching of social-care adaptations against council-tax disablement relief, done without raw data).

The model is Fellegi-Sunter as Splink implements it. Comparisons are levels of *which tokens agree*: for a
first name, the exact normalised name, else its nickname-canonical form, else a phonetic code, else the
initial; for a date of birth, the exact date, else the same day and month in either order (a swap), else the
same year and month or year and day (one part mistyped), else the year; for a postcode, the full postcode,
else its sector, else its district. Tokens keep equality and frequency, so the term-frequency adjustment (a
shared Smith is weaker evidence than a shared Featherstonehaugh) works as on raw names.

Parameters are estimated without labels: u by random sampling of pairs (almost all random pairs are
non-matches), m by expectation maximisation on two blocks (same date of birth; same postcode), each block
estimating the comparisons it does not fix. Blocking rules then make the candidate pairs to score.

One-to-one assignment is greedy by descending match probability (ties broken by record ids): each record
keeps its single best link, and a link is only taken if neither record is already linked. An assignment
solver (e.g. scipy's linear_sum_assignment) maximises the *sum* of probabilities and so may trade a 0.999
link for two 0.95 ones, which is the wrong trade when precision comes first; above a high threshold
conflicts are rare, and greedy is O(E log E), deterministic and needs no extra dependency.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from splink import Linker

from placespend.domain.person_identifiers import TOKEN_COLUMNS
from placespend.domain.problems import PlacespendError
from placespend.engine.linkage_backend import splink_database

# Chosen on the synthetic partners (BENCHMARKS.md): at 0.7 precision stays above 0.99 at 10k, 100k and 1M
# records a side while recall is 0.984, 0.974 and 0.956 (at 0.9: 0.977, 0.962, 0.946); below 0.5 the extra
# links are mostly twins and namesakes and precision falls under 0.99 at a million.
DEFAULT_THRESHOLD = 0.7
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


def _comparison(name: str, null_column: str, levels: list[dict[str, Any]]) -> dict[str, Any]:
    null = {"sql_condition": f"{null_column}_l IS NULL OR {null_column}_r IS NULL",
            "label_for_charts": "missing", "is_null_level": True}
    return {"output_column_name": name, "comparison_levels": [null, *levels, _ELSE]}


def token_comparisons() -> list[dict[str, Any]]:
    """The comparisons over token columns, most specific level first."""
    return [
        _comparison("first_name", "t_first", [
            _level(_eq("t_first"), "exact", "t_first"),
            _level(_eq("t_first_canon"), "same name (nickname)"),
            _level(_eq("t_first_mp", "t_first_sx"), "sounds alike"),
            _level(_eq("t_first_initial"), "same initial"),
        ]),
        _comparison("surname", "t_surname", [
            _level(_eq("t_surname"), "exact", "t_surname"),
            _level(_eq("t_surname_mp", "t_surname_sx"), "sounds alike"),
        ]),
        _comparison("date_of_birth", "t_dob", [
            _level(_eq("t_dob"), "exact"),
            _level(_eq("t_dob_unordered"), "day and month swapped"),
            _level(_eq("t_dob_ym", "t_dob_yd"), "one part differs"),
            _level(_eq("t_dob_year"), "same year"),
        ]),
        _comparison("postcode", "t_postcode", [
            _level(_eq("t_postcode"), "exact"),
            _level(_eq("t_sector"), "same sector"),
            _level(_eq("t_district"), "same district"),
        ]),
        _comparison("sex", "t_sex", [_level(_eq("t_sex"), "same")]),
    ]


# Column names are left unquoted: Splink reads these SQL snippets in the engine's own dialect, and a double-quoted
# name is an identifier to DuckDB but a string literal to Spark. Token column names need no quoting.
def _rule(*columns: str) -> str:
    return " AND ".join(f"l.{c} = r.{c}" for c in columns)


def _columns_of(sql: str) -> set[str]:
    return {re.sub(r"_[lr]$", "", word) for word in re.findall(r"\bt_[a-z_]+", sql)}


# Each true pair should survive at least one rule whatever two fields are wrong; each rule keeps the number of
# candidate pairs near linear in the file sizes.
TOKEN_BLOCKING = (
    _rule("t_dob", "t_sector"),
    _rule("t_dob", "t_surname_sx"),
    _rule("t_dob", "t_first_canon"),
    _rule("t_dob_unordered", "t_first_sx"),
    _rule("t_dob_unordered", "t_surname_mp"),
    _rule("t_postcode", "t_first_sx"),
    _rule("t_postcode", "t_surname_sx"),
    _rule("t_surname", "t_first_canon", "t_dob_year"),
)
TOKEN_TRAINING = (_rule("t_dob"), _rule("t_postcode"))
# Used only when a field of TOKEN_TRAINING is absent from a file (e.g. no postcodes at all): names then fix the
# block, so that the date of birth's m values are still estimated from data.
FALLBACK_TRAINING = (_rule("t_surname", "t_first_canon"),)
TOKEN_DETERMINISTIC = (_rule("t_first", "t_surname", "t_dob"), _rule("t_first", "t_surname", "t_postcode"))


@dataclass(frozen=True)
class LinkModel:
    """What Splink needs besides the data: comparisons, blocking and training rules."""

    comparisons: list[dict[str, Any]]
    blocking: tuple[str, ...]
    training: tuple[str, ...]
    deterministic: tuple[str, ...]
    columns: tuple[str, ...]
    fallback_training: tuple[str, ...] = ()

    def restricted(self, present: set[str]) -> LinkModel:
        """The model over the token columns both files have values in (a register without postcodes, or a
        public benchmark without UK ones, is linked on what it has rather than refused or crashed on)."""
        if set(self.columns) <= present:
            return self

        def usable(sql: str) -> bool:
            return _columns_of(sql) <= present

        comparisons = [c for c in self.comparisons if usable(c["comparison_levels"][0]["sql_condition"])]
        training = tuple(filter(usable, self.training))
        if len(training) < len(self.training):
            training += tuple(filter(usable, self.fallback_training))
        blocking = tuple(filter(usable, self.blocking))
        if not blocking or not training or len(comparisons) < 2:
            raise PlacespendError("The two files share too few identifiers to link (each needs values in at least "
                                  "two of first name, surname, date of birth and postcode).")
        return LinkModel(comparisons, blocking, training, tuple(filter(usable, self.deterministic)) or blocking,
                         tuple(c for c in self.columns if c in present), ())


TOKEN_MODEL = LinkModel(token_comparisons(), TOKEN_BLOCKING, TOKEN_TRAINING, TOKEN_DETERMINISTIC, TOKEN_COLUMNS,
                        FALLBACK_TRAINING)


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


def _linker(engine: str, left: pa.Table, right: pa.Table, columns: list[str], settings: dict[str, Any]) -> Linker:
    db = splink_database(engine)
    frames = [db.register(table.select(columns), dataset_display_name=name)
              for name, table in ((LEFT_NAME, left), (RIGHT_NAME, right))]
    return Linker(frames, settings, log_level=logging.ERROR)


def score_pairs(left: pa.Table, right: pa.Table, model: LinkModel = TOKEN_MODEL, engine: str = "duckdb",
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
    linker = _linker(engine, _sample(left, fraction, TRAINING_SEED), _sample(right, fraction, TRAINING_SEED + 1),
                     columns, settings)
    linker.training.estimate_probability_two_random_records_match(list(model.deterministic), recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=TRAINING_SEED)
    for rule in model.training:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    trained = linker.misc.save_model_to_json()
    if fraction < 1:
        del linker
        linker = _linker(engine, left, right, columns, trained)
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
                model: LinkModel = TOKEN_MODEL, engine: str = "duckdb",
                training_records: int = TRAINING_RECORDS) -> LinkageResult:
    scored, settings = score_pairs(left, right, model, engine, training_records)
    return LinkageResult(one_to_one(scored, threshold), threshold, scored.num_rows, settings)
