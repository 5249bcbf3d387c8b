"""Linkage over keyed tokens vs Splink on the raw identifiers of the same synthetic partners.

    .venv/bin/python benchmarks/insight_linkage.py 10000          # precision / recall side by side
    nice .venv/bin/python benchmarks/insight_linkage.py 1000000 --tokens-only   # time at 1M x 1M
    nice .venv/bin/python benchmarks/insight_linkage.py 1000000 --raw-only      # Splink on the raw values alone
    .venv/bin/python benchmarks/insight_linkage.py --febrl        # the public FEBRL 4 benchmark, side by side

The partners' files are written to a temporary folder and pseudonymised from there one record at a time, as
`placespend insight pseudonymise` does, so that at a million records a side Python holds the tokens (Arrow)
and the truth, not every raw record as well. Peak memory of the process is printed at the end.

Both runs use the same files, the same unsupervised training (u by sampling, m by EM on the same two blocks:
same date of birth; same names and postcode, or same first name and surname initial where there are no
postcodes) and the same greedy one-to-one assignment, scored once and assigned at each threshold of SWEEP.
The comparisons differ: token agreement levels and Bloom-filter Dice levels, or Splink's own comparison
library on the raw values (Jaro-Winkler names, date-of-birth and postcode comparisons), with blocking rules
on the raw values as Splink's tutorials write them (same date of birth; same postcode; same names; same
surname and year). The whole process's wall and CPU time and peak memory are printed at the end.
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import splink.comparison_library as cl

from placespend.domain.person_identifiers import FINGERPRINT_COLUMN, TOKEN_COLUMNS
from placespend.engine.linkage_backend import linkage_database
from placespend.ingest.insight.people_files import read_records, read_tokens
from placespend.insight import linkage
from placespend.insight.febrl import febrl4
from placespend.insight.people_tokens import key_from_text, new_key_text, pseudonymised_rows
from placespend.insight.synthetic_people import make_partners

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
    training=('l."date_of_birth" = r."date_of_birth"',
              'l."first_name" = r."first_name" AND l."surname" = r."surname" AND l."postcode" = r."postcode"'),
    deterministic=('l."first_name" = r."first_name" AND l."surname" = r."surname" '
                   'AND l."date_of_birth" = r."date_of_birth"',),
    columns=RAW_COLUMNS)
# FEBRL has no UK postcode and no sex: Splink on the raw names and dates of birth alone, as the tokens are.
RAW_NAMES_AND_DATES = linkage.LinkModel(
    comparisons=RAW_MODEL.comparisons[:3],
    blocking=(RAW_MODEL.blocking[0], *RAW_MODEL.blocking[2:]),
    training=('l."date_of_birth" = r."date_of_birth"',
              'l."first_name" = r."first_name" AND substr(l."surname", 1, 1) = substr(r."surname", 1, 1)'),
    deterministic=RAW_MODEL.deterministic, columns=RAW_COLUMNS[:3])


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


def token_table(raw: Path, key: bytes) -> pa.Table:
    """Pseudonymise a raw file to a token file beside it, streaming, then read the tokens as Arrow."""
    read = read_records(raw.read_bytes(), raw.name)
    out = raw.with_suffix(".tokens.csv")
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["record_id", FINGERPRINT_COLUMN, *TOKEN_COLUMNS, *read.attribute_columns],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(pseudonymised_rows(key, read.records))
    del read
    return read_tokens(out.read_bytes(), out.name).table


SWEEP = (0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def measure(name: str, left: pa.Table, right: pa.Table, truth: set[tuple[str, str]],
            model: linkage.LinkModel) -> None:
    """Score once, then the one-to-one links at the default threshold and at the others of SWEEP."""
    started, cpu = time.perf_counter(), time.process_time()
    scored, _ = linkage.score_pairs(left, right, model, database=linkage_database())
    links = linkage.one_to_one(scored, linkage.DEFAULT_THRESHOLD)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{name:8} scored {scored.num_rows} candidate pairs and linked at {linkage.DEFAULT_THRESHOLD} in "
          f"{seconds:.1f} s ({cpu:.1f} s of CPU)", flush=True)
    for threshold in sorted({linkage.DEFAULT_THRESHOLD, *SWEEP}):
        chosen = links if threshold == linkage.DEFAULT_THRESHOLD else linkage.one_to_one(scored, threshold)
        found = {(x.left_id, x.right_id) for x in chosen}
        hits = len(found & truth)
        print(f"{name:8} threshold={threshold:<5} pairs={len(found):>8} precision={hits / max(len(found), 1):.4f} "
              f"recall={hits / len(truth):.4f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("size", type=int, nargs="?", default=10_000)
    parser.add_argument("--febrl", action="store_true", help="FEBRL 4 (5,000 x 5,000) instead of synthetic partners")
    parser.add_argument("--seed", type=int, default=2009)
    parser.add_argument("--tokens-only", action="store_true")
    parser.add_argument("--raw-only", action="store_true", help="Splink on the raw identifiers alone")
    args = parser.parse_args()
    begun = started = time.perf_counter()
    partners = febrl4() if args.febrl else make_partners(args.size, args.size, args.size // 2, seed=args.seed)
    truth, errors = partners.true_pairs, partners.errors
    with tempfile.TemporaryDirectory(prefix="placespend-bench-") as folder:
        raw = {side: Path(folder) / f"{side}.csv" for side in ("left", "right")}
        raw["left"].write_text(partners.left_csv, encoding="utf-8")
        raw["right"].write_text(partners.right_csv, encoding="utf-8")
        del partners
        size = "FEBRL 4, 5000 x 5000" if args.febrl else f"generated {args.size} x {args.size}"
        print(f"{size} in {time.perf_counter() - started:.1f}s; {len(truth)} true pairs", flush=True)
        for side, kinds in errors.items():
            print(f"errors in {side}: " + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())))
        if not args.raw_only:
            started = time.perf_counter()
            key = key_from_text(new_key_text())
            left, right = token_table(raw["left"], key), token_table(raw["right"], key)
            print(f"pseudonymised both files in {time.perf_counter() - started:.1f}s", flush=True)
            measure("tokens", left, right, truth, linkage.TOKEN_MODEL)
            del left, right
        if not args.tokens_only:
            measure("raw", raw_table(raw["left"].read_text()), raw_table(raw["right"].read_text()), truth,
                    RAW_NAMES_AND_DATES if args.febrl else RAW_MODEL)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"whole process: {time.perf_counter() - begun:.0f} s, {usage.ru_utime + usage.ru_stime:.0f} s of CPU, "
          f"peak memory {usage.ru_maxrss / 2**20:.1f} GiB")


if __name__ == "__main__":
    main()
