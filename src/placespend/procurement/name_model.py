"""Do two folded supplier names name one supplier? A Fellegi-Sunter model of names, run by Splink on DuckDB.

It weighs what the rules (`name_rules`) leave open. Each pair of payees is compared on three things, each
with levels from most to least alike, the first level that holds deciding:

- **name**: the same name but another place or number ('arriva north east' / 'arriva north west', 'voyage' /
  'voyage 1': evidence against); a typo or two (Damerau-Levenshtein distance <= 2 on names of 10 letters or
  more; a name cut short by its publisher is compared over the cut length); the same words in another order
  (plurals and 'and', 'of', 'the' aside); one word replaced by a different one (Jaro-Winkler of the two
  words < 0.85: 'st matthews' / 'st clares catholic primary school': evidence against); one name beginning,
  or ending, with the other word for word ('dac beachcroft' / 'dac beachcroft claims': weak, such names are
  as often a subsidiary); a similar spelling (Levenshtein distance at most 15% of the longer); different;
- **first word**: the same first word (plural aside), weighed by how common it is (a shared 'Manchester' says
  less than a shared 'Ulverscroft': Splink's term-frequency adjustment);
- **identifiers**: a shared VAT, company, charity number or supplier account; different ones of one kind.

Why m probabilities are declared, not learnt: with names alone, expectation maximisation learns "names that
look alike" rather than "one supplier" (on these files it put 65% of matches at "similar spelling" and
20% at "different"), so the m probabilities (how often one supplier's two names fall in each level) are
judgements, stated below; the u probabilities (how often two different suppliers do) are measured on a
random sample of pairs of the data itself, and the prior from the pairs the strongest rules find. The
comparisons are not independent (a typo comes with the same first word), so the probabilities overstate
confidence; the threshold, 0.99, was chosen on the development pairs of tests/procurement/labelled and
measured on pairs drawn after it was fixed.

Blocking (which pairs are compared at all): the same first word; the same first eight letters without
spaces; the same name once places and numbers are left out; the same last two words. Pairs outside the
blocks are never compared.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import pyarrow as pa
from splink import Linker

from placespend.domain.linkage_database import LinkageDatabase
from placespend.procurement.resolution import Evidence, Payee

DEFAULT_THRESHOLD = 0.99
TRAINING_SEED = 2009
U_SAMPLE_PAIRS = 2e6
MAX_PRIOR = 0.01
KEPT_FLOOR = 0.05      # pairs scored below this are not kept as evidence
TABLE = "supplier_names"

PLACE_WORDS = frozenset({"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
                         "ne", "nw", "se", "sw", "uk", "gb", "england", "scotland", "wales", "midlands"})
STOP_WORDS = frozenset({"and", "of", "the", "for", "in", "t/a"})
# When one name was cut short by its publisher, both are compared over the cut one's length.
_LEFT = "CASE WHEN cut_r AND length(name_l) > length(name_r) THEN left(name_l, length(name_r)) ELSE name_l END"
_SWAPPED = ("list_filter(word_list_l, w -> NOT list_contains(word_list_r, w))[1], "
            "list_filter(word_list_r, w -> NOT list_contains(word_list_l, w))[1]")
_RIGHT = "CASE WHEN cut_l AND length(name_r) > length(name_l) THEN left(name_r, length(name_l)) ELSE name_r END"


def _level(sql: str, label: str, m: float, tf_column: str | None = None) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label, "m_probability": m}
    if tf_column:
        level |= {"tf_adjustment_column": tf_column, "tf_adjustment_weight": 1.0}
    return level


def _null(sql: str, label: str) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": label, "is_null_level": True}


COMPARISONS: list[dict[str, Any]] = [
    {"output_column_name": "name", "comparison_levels": [
        _level("core_l = core_r AND places_l <> places_r", "same name, another place or number", 0.0005),
        _level(f"least(length(name_l), length(name_r)) >= 10 AND damerau_levenshtein({_LEFT}, {_RIGHT}) <= 2",
               "a typo or two", 0.30),
        _level("words_l = words_r", "same words in another order", 0.10),
        _level(f"len(word_list_l) = len(word_list_r) AND len(list_intersect(word_list_l, word_list_r)) = "
               f"len(word_list_l) - 1 AND jaro_winkler_similarity({_SWAPPED}) < 0.85",
               "one word replaced by another", 0.005),
        _level("starts_with(name_l || ' ', name_r || ' ') OR starts_with(name_r || ' ', name_l || ' ')",
               "one name begins with the other", 0.01),
        _level("ends_with(' ' || name_l, ' ' || name_r) OR ends_with(' ' || name_r, ' ' || name_l)",
               "one name ends with the other", 0.03),
        _level(f"levenshtein({_LEFT}, {_RIGHT}) <= 0.15 * greatest(length({_LEFT}), length({_RIGHT}))",
               "similar spelling", 0.20),
        _level("ELSE", "different", 0.29),
    ]},
    {"output_column_name": "first_word", "comparison_levels": [
        _level("first_l = first_r", "same first word", 0.85, "first"),
        _level("ELSE", "different", 0.15),
    ]},
    {"output_column_name": "identifiers", "comparison_levels": [
        _null("NOT list_has_any(id_kinds_l, id_kinds_r)", "nothing to compare"),
        _level("list_has_any(ids_l, ids_r)", "a shared identifier", 0.90),
        _level("ELSE", "different identifiers", 0.10),
    ]},
]
BLOCKING = ["l.first = r.first", "substr(l.compact, 1, 8) = substr(r.compact, 1, 8)", "l.core = r.core",
            "l.ending = r.ending"]
# Pairs these find are taken as matches when estimating the prior (how many pairs match at all); on the
# labelled development pairs they find about one match in ten.
DETERMINISTIC = ["l.compact = r.compact", "l.words = r.words"]
DETERMINISTIC_RECALL = 0.1


def _word(word: str) -> str:
    """'services' -> 'service': a plural never tells two suppliers apart."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def name_table(payees: dict[str, Payee]) -> pa.Table:
    """One row per payee, in the columns the comparisons read."""
    rows = []
    for key in sorted(payees):
        payee = payees[key]
        name = key.replace(" t/a ", " ")
        words = name.split()
        places = [w for w in words if w in PLACE_WORDS or w.isdigit()]
        word_list = sorted({_word(w) for w in words} - STOP_WORDS)
        rows.append({"unique_id": key, "name": name, "compact": name.replace(" ", ""), "first": _word(words[0]),
                     "ending": " ".join(words[-2:]), "words": " ".join(word_list), "word_list": word_list,
                     "core": " ".join(w for w in words if w not in places), "places": " ".join(places),
                     "cut": payee.cut, "ids": sorted(payee.identifiers),
                     "id_kinds": sorted({i.rsplit(":", 1)[0] for i in payee.identifiers})})
    return pa.Table.from_pylist(rows, schema=pa.schema([
        ("unique_id", pa.string()), ("name", pa.string()), ("compact", pa.string()), ("first", pa.string()),
        ("ending", pa.string()), ("words", pa.string()),
        ("word_list", pa.list_(pa.string())), ("core", pa.string()), ("places", pa.string()),
        ("cut", pa.bool_()), ("ids", pa.list_(pa.string())), ("id_kinds", pa.list_(pa.string()))]))


def score_names(payees: dict[str, Payee], database: LinkageDatabase) -> tuple[list[Evidence], dict[str, Any]]:
    """Every blocked pair scoring at least KEPT_FLOOR, with the levels that decided it; and the model. The
    comparisons are DuckDB SQL: `database` opens a DuckDB Splink database (engine.linkage_backend)."""
    if len(payees) < 2:
        return [], {}
    db = database()
    frame = db.register(name_table(payees), dataset_display_name=TABLE)
    settings = {"link_type": "dedupe_only", "unique_id_column_name": "unique_id", "comparisons": COMPARISONS,
                "blocking_rules_to_generate_predictions": BLOCKING, "retain_intermediate_calculation_columns": True,
                "retain_matching_columns": False}
    linker = Linker(frame, settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(DETERMINISTIC, recall=DETERMINISTIC_RECALL)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=TRAINING_SEED)
    model = _bounded_prior(_with_u_floor(linker.misc.save_model_to_json()), len(payees))
    linker = Linker(frame, model, log_level=logging.ERROR)
    scored = linker.inference.predict(threshold_match_probability=KEPT_FLOOR).as_pandas_dataframe()
    labels = _labels(model)
    evidence = [_evidence(row, labels) for row in scored.to_dict("records")]
    return evidence, model


def _with_u_floor(model: dict[str, Any]) -> dict[str, Any]:
    """A level no random pair reached has no u from sampling, and Splink would then weigh it as if it said
    nothing; it is given the most its absence allows (one pair in the sample), so its weight is a floor."""
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level") and not level.get("u_probability"):
                level["u_probability"] = 1 / U_SAMPLE_PAIRS
    return model


def _bounded_prior(model: dict[str, Any], names: int) -> dict[str, Any]:
    """With a few names the prior's estimate means little (three names, one pair found by a rule, is a prior
    above 1): it is kept between one match among all pairs and MAX_PRIOR."""
    pairs = names * (names - 1) / 2
    found = model.get("probability_two_random_records_match") or 0
    model["probability_two_random_records_match"] = min(max(found, 1 / pairs), MAX_PRIOR)
    return model


def _labels(model: dict[str, Any]) -> dict[str, list[tuple[float, str]]]:
    """comparison -> (match weight, level label) of each level: Splink 5 reports a pair's weight per
    comparison, not the level's number, and each level has its own weight log2(m / u) (a null level 0)."""
    found = {}
    for comparison in model["comparisons"]:
        weights = []
        for level in comparison["comparison_levels"]:
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = 0.0 if level.get("is_null_level") or not m or not u else math.log2(m / u)
            weights.append((weight, level["label_for_charts"]))
        found[comparison["output_column_name"]] = weights
    return found


def _evidence(row: dict[str, Any], labels: dict[str, list[tuple[float, str]]]) -> Evidence:
    levels = []
    for comparison, weights in labels.items():
        weight = float(row[f"mw_{comparison}"])
        label = min(weights, key=lambda level: abs(level[0] - weight))[1]
        adjusted = row.get(f"mw_tf_adj_{comparison}")
        if adjusted is not None and not _is_nan(adjusted):
            weight += float(adjusted)
        levels.append({"comparison": comparison, "level": label, "weight": round(weight, 2)})
    left, right = sorted((row["unique_id_l"], row["unique_id_r"]))
    return Evidence(left, right, "name model", probability=float(row["match_probability"]),
                    weight=round(float(row["match_weight"]), 2), detail={"levels": levels})


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
