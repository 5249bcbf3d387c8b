"""Why true pairs are missed: each true pair the tokens' linkage does not link, by cause, on synthetic partners.

    nice .venv/bin/python benchmarks/linkage_misses.py 300000

Causes: never a candidate (no blocking rule holds), scored below the candidate floor, scored below the default
threshold, or lost in the one-to-one assignment to a competing pair. Each missed pair is also described by which
of its raw fields differ between the two files (counts only: no identifier is printed). The model's estimated
prior (lambda) is printed beside the true share of pairs that match.
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from insight_linkage import token_table

from placespend.engine.linkage_backend import linkage_database
from placespend.insight import linkage
from placespend.insight.people_tokens import key_from_text, new_key_text
from placespend.insight.synthetic_people import make_partners

FIELDS = ("first_name", "surname", "date_of_birth", "postcode")


def rows(text: str) -> dict[str, dict[str, str]]:
    return {r["record_id"]: r for r in csv.DictReader(io.StringIO(text))}


def differs(a: dict[str, str], b: dict[str, str]) -> str:
    kinds = [f"{f}:{'blank' if not a[f] or not b[f] else 'differs'}" for f in FIELDS if a[f] != b[f]]
    return " + ".join(kinds) or "identical"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("size", type=int)
    parser.add_argument("--seed", type=int, default=2009)
    parser.add_argument("--save", help="write the scored pairs and the truth to this path prefix (parquet)")
    args = parser.parse_args()
    partners = make_partners(args.size, args.size, args.size // 2, seed=args.seed)
    left_raw, right_raw, truth = rows(partners.left_csv), rows(partners.right_csv), partners.true_pairs
    with tempfile.TemporaryDirectory() as folder:
        key = key_from_text(new_key_text())
        tables = []
        for side, text in (("left", partners.left_csv), ("right", partners.right_csv)):
            path = Path(folder) / f"{side}.csv"
            path.write_text(text, encoding="utf-8")
            tables.append(token_table(path, key))
    linkage.CANDIDATE_FLOOR = 0.0
    scored, model = linkage.score_pairs(*tables, database=linkage_database())
    lam = model["probability_two_random_records_match"]
    print(f"estimated lambda {lam:.3e}; true {len(truth) / args.size**2:.3e}; candidates {scored.num_rows}")
    if args.save:
        pq.write_table(scored, args.save + ".scored.parquet")
        pq.write_table(pa.table({"left_id": [a for a, _ in truth], "right_id": [b for _, b in truth]}),
                       args.save + ".truth.parquet")
    probability = {(r["left_id"], r["right_id"]): r["match_probability"] for r in scored.to_pylist()}
    links = {(x.left_id, x.right_id) for x in linkage.one_to_one(scored, linkage.DEFAULT_THRESHOLD)}
    hits = len(links & truth)
    print(f"links {len(links)} precision {hits / len(links):.4f} recall {hits / len(truth):.4f}")
    for threshold in (0.3, 0.5, 0.6, 0.8, 0.9):
        found = {(x.left_id, x.right_id) for x in linkage.one_to_one(scored, threshold)}
        hits = len(found & truth)
        print(f"  at {threshold}: precision {hits / len(found):.4f} recall {hits / len(truth):.4f}")
    for c in model["comparisons"]:
        print(c["output_column_name"], [(lv["label_for_charts"], round(lv.get("m_probability", 0), 4),
                                         round(lv.get("u_probability", 0), 6)) for lv in c["comparison_levels"][1:]])
    causes: Counter[str] = Counter()
    fields: dict[str, Counter[str]] = {}
    for pair in truth - links:
        p = probability.get(pair)
        cause = ("never a candidate" if p is None else "below 0.01" if p < 0.01
                 else "below threshold" if p < linkage.DEFAULT_THRESHOLD else "lost in one-to-one")
        causes[cause] += 1
        fields.setdefault(cause, Counter())[differs(left_raw[pair[0]], right_raw[pair[1]])] += 1
    for cause, count in causes.most_common():
        print(f"{cause}: {count} ({count / len(truth):.4f} of true pairs)")
        for kind, n in fields[cause].most_common(12):
            print(f"    {n:6} {kind}")
    false = links - truth
    kinds = Counter(differs(left_raw[a], right_raw[b]) for a, b in false)
    print(f"false links {len(false)}:")
    for kind, n in kinds.most_common(8):
        print(f"    {n:6} {kind}")


if __name__ == "__main__":
    main()
