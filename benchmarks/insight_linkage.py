"""Linkage over keyed tokens vs Splink on the raw identifiers of the same synthetic partners.

    .venv/bin/python benchmarks/insight_linkage.py 10000          # precision / recall side by side
    nice .venv/bin/python benchmarks/insight_linkage.py 1000000 --tokens-only   # time at 1M x 1M

Both runs use the same files, the same unsupervised training (u by sampling, m by EM) and the same greedy
one-to-one assignment at the same threshold; only the comparisons differ: token agreement levels, or
Splink's own comparison library (Jaro-Winkler names, date-of-birth and postcode comparisons) on raw values.
"""

from __future__ import annotations

import argparse
import time

import pyarrow as pa
import splink.comparison_library as cl

from placespend.ingest.insight.people_files import read_records, read_tokens
from placespend.insight import linkage
from placespend.insight.people_tokens import key_from_text, new_key_text, pseudonymised_rows
from placespend.insight.synthetic_people import make_partners
from placespend.report.exports import rows_csv

RAW_COLUMNS = ("first_name", "surname", "date_of_birth", "postcode", "sex")
RAW_MODEL = linkage.LinkModel(
    comparisons=[cl.NameComparison("first_name").get_comparison("duckdb").as_dict(),
                 cl.NameComparison("surname").get_comparison("duckdb").as_dict(),
                 cl.DateOfBirthComparison("date_of_birth", input_is_string=True).get_comparison("duckdb").as_dict(),
                 cl.PostcodeComparison("postcode").get_comparison("duckdb").as_dict(),
                 cl.ExactMatch("sex").get_comparison("duckdb").as_dict()],
    blocking=('l."date_of_birth" = r."date_of_birth"', 'l."postcode" = r."postcode"',
              'l."first_name" = r."first_name" AND l."surname" = r."surname"',
              'l."surname" = r."surname" AND substr(l."date_of_birth", 1, 4) = substr(r."date_of_birth", 1, 4)'),
    training=('l."date_of_birth" = r."date_of_birth"', 'l."postcode" = r."postcode"'),
    deterministic=('l."first_name" = r."first_name" AND l."surname" = r."surname" '
                   'AND l."date_of_birth" = r."date_of_birth"',),
    columns=RAW_COLUMNS)


def raw_table(text: str) -> pa.Table:
    """The raw identifiers as Splink's tutorials prepare them: normalised text, blanks and bad dates null."""
    rows = []
    for r in read_records(text.encode(), "raw.csv").records:
        ids = r.identifiers
        rows.append({"record_id": r.record_id, "first_name": ids.first_name or None, "surname": ids.surname or None,
                     "date_of_birth": ids.date_of_birth.isoformat() if ids.date_of_birth else None,
                     "postcode": " ".join(ids.postcode) if ids.postcode else None, "sex": ids.sex or None})
    return pa.Table.from_pylist(rows, schema=pa.schema([pa.field(c, pa.string()) for c in ("record_id",
                                                                                           *RAW_COLUMNS)]))


def token_table(text: str, key: bytes) -> pa.Table:
    records = read_records(text.encode(), "raw.csv").records
    return read_tokens(rows_csv(list(pseudonymised_rows(key, records))).encode(), "tokens.csv").table


def measure(name: str, left: pa.Table, right: pa.Table, truth: set[tuple[str, str]],
            model: linkage.LinkModel) -> None:
    started = time.perf_counter()
    result = linkage.link_tables(left, right, model=model)
    seconds = time.perf_counter() - started
    found = {(x.left_id, x.right_id) for x in result.links}
    hits = len(found & truth)
    print(f"{name:8} pairs={len(found):>8} candidates={result.candidate_pairs:>9} "
          f"precision={hits / max(len(found), 1):.4f} recall={hits / len(truth):.4f} seconds={seconds:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("size", type=int)
    parser.add_argument("--seed", type=int, default=2009)
    parser.add_argument("--tokens-only", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    partners = make_partners(args.size, args.size, args.size // 2, seed=args.seed)
    key = key_from_text(new_key_text())
    left, right = token_table(partners.left_csv, key), token_table(partners.right_csv, key)
    print(f"generated and pseudonymised {args.size} x {args.size} in {time.perf_counter() - started:.1f}s; "
          f"{len(partners.true_pairs)} true pairs")
    measure("tokens", left, right, partners.true_pairs, linkage.TOKEN_MODEL)
    if not args.tokens_only:
        measure("raw", raw_table(partners.left_csv), raw_table(partners.right_csv), partners.true_pairs, RAW_MODEL)


if __name__ == "__main__":
    main()
