"""Resolving every supplier of the five publishers' real spend files, phase by phase.

    nice .venv/bin/python benchmarks/suppliers.py ../shared/data

Reads Trafford 2024-25 (210,068 payments), Manchester, Newcastle and Gateshead 2019-20 (12 monthly files
each) and the Cabinet Office's over GBP 25,000 files of 2010-11 and 2019-20 into a new workspace, then times
each phase of `placespend suppliers resolve` and of reading the shared suppliers afterwards: reading the files
(the spend reader, shared with `placespend import`), storing the payments, the name rules and identifiers,
the Splink name model (u by sampling 2M pairs, then scoring the blocked pairs), clustering with overrides,
and `suppliers shared`. Peak memory is the process's high-water RSS.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from placespend.app import suppliers as uc
from placespend.app.workspace import open_workspace
from placespend.engine.linkage_backend import linkage_database
from placespend.procurement import name_model, name_rules
from placespend.procurement import resolution as rs


def files(data: Path) -> list[Path]:
    odi = data / "spend-odileeds"
    found = [data / "trafford-360giving-and-spend" / "trafford-supplier-spend-2024-25.zip"]
    for folder, pattern in (("manchester_clean", "*.csv.gz"), ("newcastle_clean", "*.csv.gz"),
                            ("gateshead_clean", "*.csv.gz"), ("cabinetoffice_clean", "*.csv"),
                            ("cabinetoffice_processed", "*.csv")):
        found += sorted((odi / folder).glob(pattern))
    return found


def timed(label: str, work, results: list[tuple[str, float]]):
    started = time.perf_counter()
    value = work()
    results.append((label, time.perf_counter() - started))
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the shared data folder (../shared/data)")
    args = parser.parse_args()
    paths = files(args.data)
    phases: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        ws = open_workspace(Path(folder) / "bench.duckdb")
        read, reports = timed("read 62 files (spend reader)", lambda: uc.read_files(paths), phases)
        assert all(r.ok for r in reports)
        timed("store payments", lambda: uc.store_files(ws, read, "bench"), phases)
        payees = timed("payees from stored payments", lambda: uc.stored_payees(ws), phases)
        rules = timed("identifier and name rules",
                      lambda: rs.identifier_evidence(payees) + name_rules.name_rule_evidence(payees), phases)
        scored, _ = timed("name model (u sampling + scoring)",
                          lambda: name_model.score_names(payees, linkage_database()), phases)
        found = timed("clustering", lambda: rs.resolve(payees, rules + scored, [], name_model.DEFAULT_THRESHOLD),
                      phases)
        timed("suppliers shared (rules and clusters again, spend)", lambda: uc.shared(ws), phases)
    payments = sum(len(f.payments) for f in read)
    summary = found.summary()
    print(f"{len(paths)} files, {payments:,} payments, {summary['spellings']:,} spellings, {summary['names']:,} "
          f"names, {len(scored):,} scored pairs kept, {summary['suppliers']:,} suppliers")
    print("| phase | seconds |\n|---|---:|")
    for label, seconds in phases:
        print(f"| {label} | {seconds:.1f} |")
    resolve = sum(s for label, s in phases if not label.startswith("suppliers shared"))
    print(f"| **resolve, all phases** | **{resolve:.1f}** |")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
