"""How well could any comparison of these four identifiers separate true pairs from namesakes? An upper bound,
measured on the raw values of the synthetic partners with the truth: a gradient-boosted classifier trained on
the truth over rich comparison vectors, assigned one to one as `linkage.one_to_one` does.

    nice -n 19 .venv/bin/python benchmarks/linkage_bound.py 300000
    nice -n 19 .venv/bin/python benchmarks/linkage_bound.py 1000000 --second-stage

The files are those of `insight_linkage.py` (`make_partners`, seed 2009, N a side, half of each file in the
other), read and normalised as the partners' files are (`read_records`), with each record's derived values
(`people_tokens.derived_values`: nickname canon, phonetic codes, the date's parts, sector and district) in
plain text. Labels and raw values are used here only, for a bound; counts and rates only are printed, never an
identifier.

1. Candidates: the union of the token model's blocking rules (the same derived values, equal in plain text
   rather than as tokens) and more generous ones (names with a typo, a partial date of birth, the postcode, the
   sector, names the wrong way round; each printed with its pairs and the true pairs it holds). The share of
   true pairs that are candidates at all is the ceiling of any recall here.
2. Features of each pair (DuckDB): Jaro-Winkler and Damerau-Levenshtein of the first names, of the surnames, and
   of each first name against the other's surname; nickname canon, Soundex and Metaphone equal; the date of
   birth equal, in either order of day and month, each two of its three parts equal, its edit distance, the
   difference in days and in years; the postcode's level of agreement (unit, sector, district, none); sex
   equal; each record's frequency in its own file of its first name, surname, both names, first name and date
   of birth, and in the other file of its first name and date of birth, surname and date of birth; household
   evidence (other records of the same postcode with the same surname, and with the same surname and date of
   birth, in its own file); each record's number of candidates and the margin of the pair's simple score (a
   sum of the field agreements) to the record's best other candidate.
3. A HistGradientBoostingClassifier trained on the truth, two folds by left record (trained on the pairs of
   one half of the left records, predicting the other's); negatives are sampled down for training, weighted
   back. `--second-stage` adds a second classifier over the first one's out-of-fold log-odds and each side's
   rivals under it (sum of the odds of its other pairs, margin to its best other pair, as `linkage_rivals.py`
   does with the model's score).
4. The greedy one-to-one assignment (`linkage_rivals.one_to_one`) at a sweep of thresholds; precision and
   recall against all true pairs (N / 2), and the best recall with precision >= 0.99 on a fine sweep.
   Importance: the fall in average precision when a group of features is shuffled, on held-out pairs.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from linkage_rivals import one_to_one
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score
from threadpoolctl import threadpool_limits

from placespend.domain.person_identifiers import TOKEN_COLUMNS
from placespend.ingest.insight.people_files import read_records
from placespend.insight.people_tokens import derived_values
from placespend.insight.synthetic_people import make_partners

SWEEP = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
FINE = tuple(np.round(np.arange(0.05, 0.995, 0.01), 3))
TARGET_PRECISION = 0.99
COLUMNS = tuple(c for c in TOKEN_COLUMNS if not c.endswith("_bloom"))

TOKEN_RULES = (
    "l.t_dob = r.t_dob AND l.t_first_initial = r.t_first_initial",
    "l.t_dob = r.t_dob AND l.t_surname_initial = r.t_surname_initial",
    "l.t_dob = r.t_dob AND l.t_sector = r.t_sector",
    "l.t_dob = r.t_dob AND l.t_first_initial = r.t_surname_initial",
    "l.t_dob_unordered = r.t_dob_unordered AND l.t_first_sx = r.t_first_sx",
    "l.t_dob_unordered = r.t_dob_unordered AND l.t_surname_mp = r.t_surname_mp",
    "l.t_postcode = r.t_postcode AND l.t_first_sx = r.t_first_sx",
    "l.t_postcode = r.t_postcode AND l.t_surname_sx = r.t_surname_sx",
    "l.t_surname = r.t_surname AND l.t_first_canon = r.t_first_canon",
)


def _same(*columns: str) -> str:
    return " AND ".join(f"l.{c} = r.{c}" for c in columns)


EXTRA_RULES = (
    _same("t_first_canon", "t_surname_sx", "t_sex"),  # a typo in the surname
    _same("t_first_sx", "t_surname", "t_sex"),  # a typo in the first name
    _same("t_surname", "t_dob_year", "t_first_initial"),
    _same("t_first_canon", "t_dob_year", "t_surname_initial"),
    _same("t_dob", "t_district"),
    _same("t_dob_unordered", "t_sex", "t_district"),
    _same("t_postcode", "t_dob_year"),
    _same("t_postcode", "t_dob_md"),
    _same("t_postcode", "t_first_initial"),
    _same("t_postcode", "t_surname_initial"),
    _same("t_sector", "t_surname", "t_first_initial"),
    _same("t_sector", "t_first_canon", "t_surname_initial"),
    _same("t_first_canon", "t_dob_ym"),
    _same("t_first_canon", "t_dob_yd"),
    _same("t_first_canon", "t_dob_md", "t_surname_initial"),
    _same("t_surname", "t_dob_ym"),
    _same("t_surname", "t_dob_yd"),
    _same("t_surname", "t_dob_md", "t_sex"),
    _same("t_sector", "t_dob_ym", "t_sex"),
    _same("t_sector", "t_dob_yd", "t_sex"),
    "l.t_dob = r.t_dob AND l.t_surname_initial = r.t_first_initial",  # names the wrong way round
    "l.t_first = r.t_surname AND l.t_surname = r.t_first",
    "l.t_first = r.t_surname AND l.t_dob_year = r.t_dob_year",
    "l.t_surname = r.t_first AND l.t_dob_year = r.t_dob_year",
)

# A pair found by the extra rules only is kept if some of its date of birth agrees (two of its three parts, or
# day and month either way round), or its postcode's district, or either is missing: this drops the namesakes of
# the name rules with nothing else in common, too many at 1M a side (both counts are printed).
KEEP_EXTRA = ("l.t_dob IS NULL OR r.t_dob IS NULL OR l.t_postcode IS NULL OR r.t_postcode IS NULL "
              "OR l.t_dob_unordered = r.t_dob_unordered OR l.t_dob_ym = r.t_dob_ym OR l.t_dob_yd = r.t_dob_yd "
              "OR l.t_dob_md = r.t_dob_md OR l.t_district = r.t_district")

# Each record's counts: in its own file (partition of the file), or in the other file (by the same key).
OWN_COUNTS = {"n_first": ("t_first",), "n_surname": ("t_surname",), "n_name": ("t_first", "t_surname"),
              "n_first_dob": ("t_first_canon", "t_dob"), "n_household": ("t_postcode", "t_surname"),
              "n_twin": ("t_postcode", "t_surname", "t_dob")}
OTHER_COUNTS = {"o_first_dob": ("t_first_canon", "t_dob"), "o_surname_dob": ("t_surname", "t_dob"),
                "o_name": ("t_first_canon", "t_surname"), "o_first_pc": ("t_first_canon", "t_postcode")}

PAIR_FEATURES = """
    jaro_winkler_similarity(l.t_first, r.t_first) AS jw_first,
    damerau_levenshtein(l.t_first, r.t_first) AS dl_first,
    jaro_winkler_similarity(l.t_surname, r.t_surname) AS jw_surname,
    damerau_levenshtein(l.t_surname, r.t_surname) AS dl_surname,
    greatest(jaro_winkler_similarity(l.t_first, r.t_surname), jaro_winkler_similarity(l.t_surname, r.t_first))
        AS jw_swap,
    (l.t_first_canon = r.t_first_canon)::INT AS canon_eq,
    (l.t_first_sx = r.t_first_sx)::INT + (l.t_first_mp = r.t_first_mp)::INT AS first_phonetic,
    (l.t_surname_sx = r.t_surname_sx)::INT + (l.t_surname_mp = r.t_surname_mp)::INT AS surname_phonetic,
    (l.t_dob = r.t_dob)::INT AS dob_eq,
    (l.t_dob_unordered = r.t_dob_unordered)::INT AS dob_unordered,
    (l.t_dob_ym = r.t_dob_ym)::INT AS dob_ym,
    (l.t_dob_yd = r.t_dob_yd)::INT AS dob_yd,
    (l.t_dob_md = r.t_dob_md)::INT AS dob_md,
    damerau_levenshtein(l.t_dob, r.t_dob) AS dl_dob,
    abs(date_diff('day', l.t_dob::DATE, r.t_dob::DATE)) AS days,
    abs(l.t_dob_year::INT - r.t_dob_year::INT) AS years,
    CASE WHEN l.t_postcode IS NULL OR r.t_postcode IS NULL THEN NULL WHEN l.t_postcode = r.t_postcode THEN 3
         WHEN l.t_sector = r.t_sector THEN 2 WHEN l.t_district = r.t_district THEN 1 ELSE 0 END AS postcode,
    (l.t_sex = r.t_sex)::INT AS sex_eq
"""
SIDE_FEATURES = (*OWN_COUNTS, *OTHER_COUNTS)
RIVAL_FEATURES = ("logodds", "rivals_l", "p_margin_l", "live_l", "rivals_r", "p_margin_r", "live_r")


def side_table(text: str, name: str) -> pa.Table:
    """The normalised identifiers' derived values of one file, plain ('' missing becomes null), by record number."""
    columns: dict[str, list] = {c: [] for c in ("id", *COLUMNS)}
    for record in read_records(text.encode(), name).records:
        columns["id"].append(int(record.record_id[1:]))
        values = derived_values(record.identifiers)
        for c in COLUMNS:
            columns[c].append(values[c] or None)
    return pa.table({"id": pa.array(columns.pop("id"), pa.int32()),
                     **{c: pa.array(v, pa.string()) for c, v in columns.items()}})


def with_counts(con: duckdb.DuckDBPyConnection, side: str, other: str) -> None:
    own = ", ".join(f"CASE WHEN {' AND '.join(f'{k} IS NOT NULL' for k in keys)} THEN "
                    f"count(*) OVER (PARTITION BY {', '.join(keys)}) - 1 END AS {name}"
                    for name, keys in OWN_COUNTS.items())
    con.execute(f"CREATE TABLE {side}_own AS SELECT *, {own} FROM {side}_raw")
    joins, selects = [], []
    for i, (name, keys) in enumerate(OTHER_COUNTS.items()):
        joins.append(f"LEFT JOIN (SELECT {', '.join(keys)}, count(*) AS n FROM {other}_raw "
                     f"WHERE {' AND '.join(f'{k} IS NOT NULL' for k in keys)} GROUP BY ALL) c{i} "
                     f"ON {' AND '.join(f's.{k} = c{i}.{k}' for k in keys)}")
        selects.append(f"CASE WHEN {' AND '.join(f's.{k} IS NOT NULL' for k in keys)} "
                       f"THEN coalesce(c{i}.n, 0) END AS {name}")
    con.execute(f"CREATE TABLE {side} AS SELECT s.*, {', '.join(selects)} FROM {side}_own s {' '.join(joins)}")
    con.execute(f"DROP TABLE {side}_own")


def margins(group: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Each pair's score minus the best score of its record's other pairs (its own score if it has none)."""
    order = np.lexsort((-score, group))
    g, s = group[order], score[order]
    first = np.r_[True, g[1:] != g[:-1]]
    starts = np.flatnonzero(first)
    best = np.repeat(s[starts], np.diff(np.r_[starts, len(g)]))
    second_index = starts + 1
    has_second = (second_index < len(g)) & (np.r_[g, -1][np.minimum(second_index, len(g))] == g[starts])
    second = np.where(has_second, s[np.minimum(second_index, len(g) - 1)], 0.0)
    second = np.repeat(second, np.diff(np.r_[starts, len(g)]))
    out = np.empty(len(g))
    out[order] = np.where(first, s - second, s - best)
    return out


def simple_score(x: dict[str, np.ndarray]) -> np.ndarray:
    dob = np.select([x["dob_eq"] == 1, x["dob_unordered"] == 1,
                     (x["dob_ym"] == 1) | (x["dob_yd"] == 1) | (x["dob_md"] == 1)], [1.0, 0.8, 0.6], 0.0)
    return (np.nan_to_num(x["jw_first"], nan=0.5) + np.nan_to_num(x["jw_surname"], nan=0.5) + 1.5 * dob
            + np.nan_to_num(x["postcode"], nan=1) / 3 + 0.3 * np.nan_to_num(x["sex_eq"], nan=0.5))


def rival_features(left: np.ndarray, right: np.ndarray, p: np.ndarray) -> dict[str, np.ndarray]:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    odds = p / (1 - p)
    out = {"logodds": np.log(odds)}
    for name, group in (("l", left), ("r", right)):
        out[f"rivals_{name}"] = np.log(np.maximum(np.bincount(group, odds)[group] - odds, 0) + 1e-6)
        out[f"p_margin_{name}"] = margins(group, p)
        out[f"live_{name}"] = np.bincount(group, p >= 0.01)[group]
    return out


def screen(features: np.ndarray, is_true: np.ndarray, left: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Out-of-fold probabilities from a small classifier (two folds by left record, 1,000,000 training pairs a
    fold, negatives sampled and weighted back): the pairs it puts below --screen are left out of the full
    classifier (there are too many at 1M a side to score with it), keeping this score; the true pairs it leaves
    out are printed."""
    score = np.zeros(len(is_true))
    for fold in (0, 1):
        train = _sample(np.flatnonzero(left % 2 != fold), is_true, 1_000_000, rng)
        classifier = HistGradientBoostingClassifier(max_iter=40, learning_rate=0.3, early_stopping=False,
                                                    random_state=0)
        classifier.fit(features[train[0]], is_true[train[0]], sample_weight=train[1])
        test = np.flatnonzero(left % 2 == fold)
        for chunk in np.array_split(test, max(1, len(test) // 2_000_000)):
            score[chunk] = classifier.predict_proba(features[chunk])[:, 1]
    return score


def _sample(pairs: np.ndarray, is_true: np.ndarray, most: int, rng: np.random.Generator
            ) -> tuple[np.ndarray, np.ndarray]:
    """All true pairs and a sample of the others, to `most` pairs; the others weighted back."""
    negatives = pairs[~is_true[pairs]]
    keep = min(1.0, max(most - int(is_true[pairs].sum()), 1) / max(len(negatives), 1))
    chosen = np.sort(np.r_[pairs[is_true[pairs]], negatives[rng.random(len(negatives)) < keep]])
    return chosen, np.where(is_true[chosen], 1.0, 1.0 / keep)


def fit_predict(features: np.ndarray, is_true: np.ndarray, left: np.ndarray, kept: np.ndarray,
                args: argparse.Namespace, rng: np.random.Generator
                ) -> tuple[np.ndarray, HistGradientBoostingClassifier]:
    """Out-of-fold probabilities of the screened pairs (`kept`), two folds by left record. Trained on the
    training half's screened pairs (negatives sampled to `max_train` pairs if more) and on a sample of its
    screened-out pairs (--easy of them), each sample weighted back, so that the classifier has seen the whole
    range of pairs whichever screen chose them."""
    bound = np.full(len(is_true), np.nan)
    for fold in (0, 1):
        half = left % 2 != fold
        hard, hard_weight = _sample(np.flatnonzero(half & kept), is_true, args.max_train, rng)
        easy = np.flatnonzero(half & ~kept)
        rate = min(1.0, args.easy / max(len(easy), 1))
        easy = easy[rng.random(len(easy)) < rate] if rate else easy[:0]
        easy_weight = 1.0 / rate if rate else 0.0
        train = np.r_[hard, easy]
        weight = np.r_[hard_weight, np.full(len(easy), easy_weight)]
        started = time.perf_counter()
        classifier = HistGradientBoostingClassifier(max_iter=args.max_iter, learning_rate=args.learning_rate,
                                                    early_stopping=args.early_stopping, random_state=0)
        classifier.fit(features[train], is_true[train], sample_weight=weight)
        test = np.flatnonzero((left % 2 == fold) & kept)
        for chunk in np.array_split(test, max(1, len(test) // 2_000_000)):
            bound[chunk] = classifier.predict_proba(features[chunk])[:, 1]
        print(f"  fold {fold}: trained on {len(hard)} screened pairs ({int(is_true[hard].sum())} true, negatives "
              f"weighted {hard_weight.max():.2f}) and {len(easy)} screened-out ones (weighted {easy_weight:.1f}), "
              f"{classifier.n_iter_} iterations, {time.perf_counter() - started:.0f} s", flush=True)
    return bound, classifier


def sweep(name: str, left: np.ndarray, right: np.ndarray, score: np.ndarray, is_true: np.ndarray,
          true_pairs: int) -> None:
    print(f"{name}\n| threshold | links | precision | recall |\n|---:|---:|---:|---:|")
    for threshold in SWEEP:
        links = one_to_one(left, right, score, threshold)
        hits = int(is_true[links].sum())
        print(f"| {threshold} | {len(links):,} | {hits / max(len(links), 1):.4f} | {hits / true_pairs:.4f} |",
              flush=True)
    best = None
    for threshold in FINE:
        links = one_to_one(left, right, score, threshold)
        hits = int(is_true[links].sum())
        if hits / max(len(links), 1) >= TARGET_PRECISION and (best is None or hits > best[1]):
            best = (threshold, hits, len(links))
    if best:
        print(f"{name}: best recall at precision >= {TARGET_PRECISION} (thresholds 0.05 to 0.99 by 0.01): "
              f"{best[1] / true_pairs:.4f} at {best[0]} (precision {best[1] / best[2]:.4f}, links {best[2]:,})")
    else:
        print(f"{name}: no threshold gives precision >= {TARGET_PRECISION}")


GROUPS = {"first name": ("jw_first", "dl_first", "canon_eq", "first_phonetic"),
          "surname": ("jw_surname", "dl_surname", "surname_phonetic"), "names swapped": ("jw_swap",),
          "date of birth": ("dob_eq", "dob_unordered", "dob_ym", "dob_yd", "dob_md", "dl_dob", "days", "years"),
          "postcode": ("postcode",), "sex": ("sex_eq",),
          "frequencies": tuple(f"{side}_{c}" for c in SIDE_FEATURES for side in "lr"
                               if c not in ("n_household", "n_twin")),
          "household": ("l_n_household", "r_n_household", "l_n_twin", "r_n_twin"),
          "candidates and simple-score margins": ("candidates_l", "candidates_r", "margin_l", "margin_r"),
          "rivals under the first classifier": RIVAL_FEATURES}


def importances(classifier: HistGradientBoostingClassifier, features: np.ndarray, is_true: np.ndarray,
                left: np.ndarray, bound: np.ndarray, names: list[str]) -> None:
    """Fall in average precision when a group of features is shuffled together, on the pairs the classifier
    last trained (the second fold's: trained on the even left records) was not trained on, among those it gives
    0.01 or more (the others are the easy negatives), about 30,000 of them."""
    held = np.flatnonzero((left % 2 == 1) & (bound >= 0.01))
    held = held[:: max(1, len(held) // 30_000)]
    x, y = features[held], is_true[held]
    base = average_precision_score(y, classifier.predict_proba(x)[:, 1])
    shuffle = np.random.default_rng(0).permutation(len(held))
    falls = {}
    for group, members in GROUPS.items():
        columns = [names.index(m) for m in members if m in names]
        if columns:
            shuffled = x.copy()
            shuffled[:, columns] = x[shuffle][:, columns]
            falls[group] = base - average_precision_score(y, classifier.predict_proba(shuffled)[:, 1])
    print(f"importance: fall in average precision ({base:.4f}) on {len(held):,} held-out pairs scored >= 0.01 when "
          "a group of features is shuffled: " + ", ".join(f"{g} {f:.4f}" for g, f in
                                                          sorted(falls.items(), key=lambda kv: -kv[1])), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("size", type=int)
    parser.add_argument("--seed", type=int, default=2009)
    parser.add_argument("--max-train", type=int, default=800_000, help="training pairs a fold (negatives sampled)")
    parser.add_argument("--second-stage", action="store_true", help="add rivals under the first classifier")
    parser.add_argument("--memory", default="5GB", help="DuckDB's memory limit")
    parser.add_argument("--threads", type=int, default=1, help="the classifier's threads (OpenMP): on a shared "
                        "machine one thread trains several times faster than two")
    parser.add_argument("--save", help="write the pairs' features, ids and labels to this path (.npz) and stop")
    parser.add_argument("--load", help="train on features saved by --save (size must be the same)")
    parser.add_argument("--screen", type=float, default=1e-5, help="pairs the small classifier puts below this "
                        "are not given to the full one")
    parser.add_argument("--keep-per-fold", type=int, default=0, help="keep this many pairs of each half by the "
                        "screen's rank instead of its --screen cut (the two folds' screens calibrate differently)")
    parser.add_argument("--easy", type=int, default=300_000, help="screened-out pairs sampled for training a fold")
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--max-iter", type=int, default=300)
    parser.add_argument("--early-stopping", action="store_true", help="stop on 10%% held out of the training pairs")
    parser.add_argument("--blocking-only", action="store_true", help="stop after counting the candidates")
    args = parser.parse_args()
    threadpool_limits(args.threads)
    begun = time.perf_counter()
    rng = np.random.default_rng(0)
    if args.load:
        saved = np.load(args.load)
        features, names, left, right, is_true = (saved[k] for k in ("features", "names", "left", "right", "is_true"))
        names, true_pairs = list(names), args.size // 2
        print(f"loaded {len(names)} features for {len(left):,} pairs ({int(is_true.sum()):,} true) from {args.load}")
    else:
        found = comparison_vectors(args)
        if found is None:
            return
        features, names, left, right, is_true, true_pairs = found
    train(args, features, names, left, right, is_true, true_pairs, rng)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"whole process: {time.perf_counter() - begun:.0f} s, {usage.ru_utime + usage.ru_stime:.0f} s of CPU, "
          f"peak memory {usage.ru_maxrss / 2**20:.1f} GiB")


def comparison_vectors(args: argparse.Namespace) -> tuple | None:
    """Generate, normalise, block and compare: the pairs' features, names, ids, labels and the true pairs' count
    (None if asked to stop after blocking or after saving the features)."""
    started = time.perf_counter()
    partners = make_partners(args.size, args.size, args.size // 2, seed=args.seed)
    truth = pa.table({"lid": pa.array([int(a[1:]) for a, _ in partners.true_pairs], pa.int32()),
                      "rid": pa.array([int(b[1:]) for _, b in partners.true_pairs], pa.int32())})
    true_pairs = truth.num_rows
    print(f"generated {args.size} x {args.size} in {time.perf_counter() - started:.0f} s; {true_pairs} true pairs",
          flush=True)
    started = time.perf_counter()
    left_raw, right_raw = side_table(partners.left_csv, "left.csv"), side_table(partners.right_csv, "right.csv")
    del partners
    print(f"normalised both files in {time.perf_counter() - started:.0f} s", flush=True)

    started = time.perf_counter()
    folder = tempfile.TemporaryDirectory(prefix="linkage-bound-")
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{args.memory}'; SET temp_directory = '{folder.name}'; "
                "SET preserve_insertion_order = false")
    con.register("left_arrow", left_raw)
    con.register("right_arrow", right_raw)
    con.register("truth_arrow", truth)
    con.execute("CREATE TABLE L_raw AS FROM left_arrow; CREATE TABLE R_raw AS FROM right_arrow; "
                "CREATE TABLE truth AS FROM truth_arrow")
    con.unregister("left_arrow")
    con.unregister("right_arrow")
    del left_raw, right_raw
    with_counts(con, "L", "R")
    with_counts(con, "R", "L")
    con.execute("DROP TABLE L_raw; DROP TABLE R_raw; CREATE TABLE blocked (lid INT, rid INT, rule SMALLINT)")
    print("rule | blocking rule | pairs | true pairs in it\n|---:|---|---:|---:|")
    for number, rule in enumerate((*TOKEN_RULES, *EXTRA_RULES)):
        con.execute(f"INSERT INTO blocked SELECT l.id, r.id, {number} FROM L l JOIN R r ON {rule}")
        pairs, hits = con.execute(f"SELECT count(*), count(t.lid) FROM blocked b LEFT JOIN truth t "
                                  f"ON b.lid = t.lid AND b.rid = t.rid WHERE b.rule = {number}").fetchone()
        kind = "token" if number < len(TOKEN_RULES) else "extra"
        print(f"| {number} | {kind}: {rule} | {pairs:,} | {hits:,} |", flush=True)
    con.execute("CREATE TABLE candidates AS SELECT lid, rid, min(rule) AS rule, count(*) AS rules FROM blocked "
                "GROUP BY lid, rid; DROP TABLE blocked")
    alone = dict(con.execute("SELECT rule, count(*) FROM candidates c JOIN truth t USING (lid, rid) WHERE rules = 1 "
                             "GROUP BY rule").fetchall())
    print("true pairs found by one rule alone: " + ", ".join(f"rule {r}: {n}" for r, n in sorted(alone.items())))
    con.execute(f"ALTER TABLE candidates ADD COLUMN kept BOOLEAN; UPDATE candidates c SET kept = c.rule < "
                f"{len(TOKEN_RULES)} OR ({KEEP_EXTRA}) FROM L l, R r WHERE c.lid = l.id AND c.rid = r.id")
    for name, where in (("token rules", f"rule < {len(TOKEN_RULES)}"), ("all rules", "true"),
                        ("all rules, extra-only pairs filtered (kept)", "kept")):
        pairs, hits = con.execute(f"SELECT count(*), count(t.lid) FROM candidates c LEFT JOIN truth t "
                                  f"ON c.lid = t.lid AND c.rid = t.rid WHERE {where}").fetchone()
        print(f"candidates by the {name}: {pairs:,} pairs, {hits:,} true: blocking ceiling of recall "
              f"{hits / true_pairs:.4f}", flush=True)
    con.execute("DELETE FROM candidates WHERE NOT kept")
    print(f"blocked in {time.perf_counter() - started:.0f} s", flush=True)
    if args.blocking_only:
        return None

    started = time.perf_counter()
    sides = ", ".join(f"l.{c} AS l_{c}, r.{c} AS r_{c}" for c in SIDE_FEATURES)
    pairs_file = f"{folder.name}/pairs.parquet"
    con.execute(f"""COPY (
        SELECT lid, rid, is_true, COLUMNS(* EXCLUDE (lid, rid, is_true))::FLOAT
        FROM (SELECT c.lid, c.rid, t.lid IS NOT NULL AS is_true, {PAIR_FEATURES}, {sides}
              FROM candidates c JOIN L l ON c.lid = l.id JOIN R r ON c.rid = r.id
              LEFT JOIN truth t ON c.lid = t.lid AND c.rid = t.rid)
        ORDER BY lid, rid) TO '{pairs_file}' (FORMAT parquet)""")
    con.close()
    stored = pq.ParquetFile(pairs_file)
    names = [n for n in stored.schema_arrow.names if n not in ("lid", "rid", "is_true")]
    left = stored.read(["lid"]).column(0).to_numpy().astype(np.int64)
    right = stored.read(["rid"]).column(0).to_numpy().astype(np.int64)
    is_true = stored.read(["is_true"]).column(0).to_numpy(zero_copy_only=False)
    extra_names = ["candidates_l", "candidates_r", "margin_l", "margin_r"]
    features = np.empty((len(left), len(names) + len(extra_names)), dtype=np.float32)
    for i, n in enumerate(names):
        features[:, i] = stored.read([n]).column(0).to_numpy(zero_copy_only=False)
    folder.cleanup()
    score = simple_score({n: features[:, i] for i, n in enumerate(names)})
    for i, group in enumerate((left, right)):
        features[:, len(names) + i] = np.bincount(group)[group]
        features[:, len(names) + 2 + i] = margins(group, score)
    names += extra_names
    print(f"features: {len(names)} for {len(left):,} pairs in {time.perf_counter() - started:.0f} s", flush=True)
    if args.save:
        np.savez(args.save, features=features, names=np.array(names), left=left, right=right, is_true=is_true)
        return None
    return features, names, left, right, is_true, true_pairs


def train(args: argparse.Namespace, features: np.ndarray, names: list[str], left: np.ndarray, right: np.ndarray,
          is_true: np.ndarray, true_pairs: int, rng: np.random.Generator) -> None:
    started = time.perf_counter()
    bound = screen(features, is_true, left, rng)
    kept_mask = bound >= args.screen
    if args.keep_per_fold:  # each fold's screen calibrates differently: keep as many pairs of each half, by rank
        for fold in (0, 1):
            half = np.flatnonzero(left % 2 == fold)
            cut = np.partition(bound[half], len(half) - args.keep_per_fold)[len(half) - args.keep_per_fold]
            kept_mask[half] = bound[half] >= cut
    kept = np.flatnonzero(kept_mask)
    print(f"screen: {len(kept):,} of {len(left):,} pairs kept (out of fold; per half "
          f"{[int(kept_mask[left % 2 == f].sum()) for f in (0, 1)]}), holding "
          f"{int(is_true[kept].sum()):,} of the {int(is_true.sum()):,} true candidates; "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    first, classifier = fit_predict(features, is_true, left, kept_mask, args, rng)
    bound[kept] = first[kept]
    print(f"classifier trained and predicted in {time.perf_counter() - started:.0f} s", flush=True)
    sweep("bound: classifier trained on the truth over the comparison vectors", left, right, bound, is_true,
          true_pairs)
    importances(classifier, features[kept], is_true[kept], left[kept], bound[kept], names)
    if args.second_stage:
        started = time.perf_counter()
        rivals = rival_features(left, right, bound)
        stacked = np.column_stack([features, *[v.astype(np.float32) for v in rivals.values()]])
        second, classifier = fit_predict(stacked, is_true, left, kept_mask, args, rng)
        print(f"second stage trained and predicted in {time.perf_counter() - started:.0f} s", flush=True)
        final = bound.copy()
        final[kept] = second[kept]
        sweep("bound, second stage: with rivals under the first classifier", left, right, final, is_true,
              true_pairs)
        importances(classifier, stacked[kept], is_true[kept], left[kept], final[kept], [*names, *rivals])


if __name__ == "__main__":
    main()
