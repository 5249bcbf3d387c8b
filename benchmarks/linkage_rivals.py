"""Would a pair's rivals rescue the true pairs the pairwise score misses? Measured on scored pairs saved by
`linkage_misses.py --save PREFIX` (every candidate pair of the synthetic partners and the truth).

    nice .venv/bin/python benchmarks/linkage_misses.py 1000000 --save /tmp/s1m   # prints the estimated lambda
    nice .venv/bin/python benchmarks/linkage_rivals.py /tmp/s1m --prior 4.547e-07 --size 1000000

The pairwise probability ignores that each record has at most one partner. Given all of a record's candidate
pairs, the chance that a and b are one person is, with odds o = p / (1 - p) from the pairwise model (o is
lambda times the likelihood ratio) and share = lambda x N (the share of a file's records that have a partner
in the other, as the model itself estimates it),

    odds(a = b) = o_ab / ((1 - share_left + rivals of a) x (1 - share_right + rivals of b)),

where the rivals of a are the sum of o over a's other candidate pairs: 1 - share is the prior that a has no
partner at all, and a pair whose records have no rivals gains up to four times its odds at share 0.5, one with
a strong rival loses. No label is used. "Two rounds" recomputes the rivals from the adjusted odds once.

Printed, counts and rates only (no identifier): precision and recall of the greedy one-to-one links at each
threshold for the pairwise and the adjusted scores; the share of pairs that are true by pairwise score, for
pairs with no rival (both sides' rivals below 0.05) and the others; and an upper bound for any rule on these
features: a gradient-boosted classifier trained on the truth (two folds by left record) over the pairwise
log-odds, each side's rivals, candidates and margin to its best, assigned one to one the same way.
"""

from __future__ import annotations

import argparse
from itertools import pairwise

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sklearn.ensemble import HistGradientBoostingClassifier

from placespend.insight import linkage

SWEEP = (0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
BUCKETS = (0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01)
NO_RIVAL = 0.05


def adjusted(odds: np.ndarray, left: np.ndarray, right: np.ndarray, shares: tuple[float, float],
             rounds: int) -> np.ndarray:
    weight = odds
    for _ in range(rounds):
        rivals_left = np.maximum(np.bincount(left, weight)[left] - weight, 0)
        rivals_right = np.maximum(np.bincount(right, weight)[right] - weight, 0)
        weight = odds / ((1 - shares[0] + rivals_left) * (1 - shares[1] + rivals_right))
    return weight / (1 + weight)


def one_to_one(left: np.ndarray, right: np.ndarray, score: np.ndarray, threshold: float) -> np.ndarray:
    """linkage.one_to_one over arrays (the same order: descending score, then left and right id, which the
    codes follow), fast enough to sweep a million pairs many times."""
    chosen = np.flatnonzero(score >= threshold)
    chosen = chosen[np.lexsort((right[chosen], left[chosen], -score[chosen]))]
    used_left, used_right, links = set(), set(), []
    for i in chosen:
        if left[i] not in used_left and right[i] not in used_right:
            used_left.add(left[i])
            used_right.add(right[i])
            links.append(i)
    return np.array(links, dtype=int)


def sweep(name: str, left: np.ndarray, right: np.ndarray, score: np.ndarray, is_true: np.ndarray,
          true_pairs: int) -> None:
    for threshold in SWEEP:
        links = one_to_one(left, right, score, threshold)
        hits = int(is_true[links].sum())
        print(f"{name:24} threshold={threshold:<5} links={len(links):>8} precision={hits / max(len(links), 1):.4f} "
              f"recall={hits / true_pairs:.4f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("prefix")
    parser.add_argument("--prior", type=float, required=True, help="the model's lambda (linkage_misses prints it)")
    parser.add_argument("--size", type=int, required=True, help="records a side")
    args = parser.parse_args()
    scored = pq.read_table(args.prefix + ".scored.parquet")
    scored = scored.filter(pc.greater_equal(scored.column("match_probability"), linkage.CANDIDATE_FLOOR))
    scored = scored.sort_by([("left_id", "ascending"), ("right_id", "ascending")])
    truth_table = pq.read_table(args.prefix + ".truth.parquet")
    truth = set(zip(truth_table.column("left_id").to_pylist(), truth_table.column("right_id").to_pylist(),
                    strict=True))
    left = np.unique(scored.column("left_id").to_numpy(zero_copy_only=False), return_inverse=True)[1]
    right = np.unique(scored.column("right_id").to_numpy(zero_copy_only=False), return_inverse=True)[1]
    probability = np.minimum(scored.column("match_probability").to_numpy(), 1 - 1e-12)
    odds = probability / (1 - probability)
    is_true = np.array([pair in truth for pair in zip(scored.column("left_id").to_pylist(),
                                                       scored.column("right_id").to_pylist(), strict=True)])
    share = min(args.prior * args.size, 0.99)
    print(f"{scored.num_rows} candidate pairs at or above {linkage.CANDIDATE_FLOOR}, {is_true.sum()} of them true, "
          f"of {len(truth)} true pairs; share with a partner {share:.4f}", flush=True)
    sweep("pairwise", left, right, probability, is_true, len(truth))
    for rounds in (1, 2):
        sweep(f"with rivals, {rounds} round{'s' * (rounds > 1)}", left, right,
              adjusted(odds, left, right, (share, share), rounds), is_true, len(truth))

    rivals_left = np.maximum(np.bincount(left, odds)[left] - odds, 0)
    rivals_right = np.maximum(np.bincount(right, odds)[right] - odds, 0)
    alone = (rivals_left < NO_RIVAL) & (rivals_right < NO_RIVAL)
    print("pairwise score | pairs, share true | no rival: pairs, share true | with rivals: pairs, share true")
    for low, high in pairwise(BUCKETS):
        bucket = (probability >= low) & (probability < high)
        cells = [bucket, bucket & alone, bucket & ~alone]
        print(f"{low:.2f}-{min(high, 1):.2f} | " + " | ".join(
            f"{c.sum():7} {is_true[c].mean() if c.any() else 0:.3f}" for c in cells))

    best_left = np.zeros(left.max() + 1)
    np.maximum.at(best_left, left, odds)
    best_right = np.zeros(right.max() + 1)
    np.maximum.at(best_right, right, odds)
    features = np.column_stack([np.log(odds), np.log(rivals_left + 1e-6), np.log(rivals_right + 1e-6),
                                np.bincount(left)[left], np.bincount(right)[right],
                                np.log(odds / best_left[left]), np.log(odds / best_right[right])])
    bound = np.zeros(len(odds))
    for fold in (0, 1):
        train, test = left % 2 != fold, left % 2 == fold
        classifier = HistGradientBoostingClassifier(max_iter=200, random_state=0).fit(features[train], is_true[train])
        bound[test] = classifier.predict_proba(features[test])[:, 1]
    sweep("bound, trained on truth", left, right, bound, is_true, len(truth))


if __name__ == "__main__":
    main()
