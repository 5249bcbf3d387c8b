"""National-scale benchmark: placespend (Ibis on DuckDB) against hand-written DuckDB SQL and pandas.

Run: .venv/bin/python benchmarks/national.py --lines 1000000 10000000 [--repeats 3] [--data bench-data]
(`make bench` runs 1M and 10M.) For each size it generates a synthetic national ledger (`placespend bench
generate`, deterministic), exports it to Parquet, then times each task with each implementation, every
measurement in a fresh child process so that its peak memory (the child's max RSS, from wait4) is its own.
The three results of a task are checked equal (a digest of the canonical result, pennies exact) before any
timing is reported. Results are written to <data>/national-<lines>.json and printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PERIOD = "2008-09"
CSV_TYPES = "{'amount': 'DECIMAL(18, 2)'}"
TASKS = {  # task -> implementations, in the order shown
    "ingest_csv": ("placespend", "sql", "pandas"),
    "ingest_parquet": ("placespend", "sql", "pandas"),
    "count_one": ("placespend", "sql", "pandas", "pandas_plain"),
    "count_all": ("placespend", "sql", "pandas", "pandas_plain"),
    "analyses_all": ("placespend", "sql", "pandas", "pandas_plain"),
    "compare_all": ("placespend", "sql", "pandas"),
}


def canonical(value: Any) -> str:
    def default(obj: Any) -> str:
        if isinstance(obj, Decimal):
            return format(obj.normalize(), "f")
        return str(obj)

    return json.dumps(value, default=default, sort_keys=True)


def run_child(task: str, impl: str, data: Path, lines: int, place: str) -> dict[str, Any]:
    """Run one measurement in a child process: wall time of the task alone, peak RSS of the whole child."""
    cmd = [sys.executable, __file__, "--child", task, impl, str(data), str(lines), place]
    path = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))  # keeps a worktree's src/
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": path})
    out, _ = proc.communicate()
    if proc.returncode != 0:
        return {"error": f"exit {proc.returncode}", "peak_mib": float("nan")}
    return json.loads(out.decode().strip().splitlines()[-1])


def child(task: str, impl: str, data: Path, lines: int, place: str) -> None:
    import national_impls as impls

    from placespend.app.workspace import open_workspace

    ws, parquet = open_workspace(data / f"ledger-{lines}.duckdb"), data / f"ledger-{lines}.parquet"
    csv_file, pq_file = data / f"flows-{lines}.csv", data / f"flows-{lines}.parquet"
    calls = {
        ("ingest_csv", "placespend"): lambda: _ingest_product(data, csv_file),
        ("ingest_csv", "sql"): lambda: _ingest_sql(data, f"read_csv('{csv_file}', types={CSV_TYPES})"),
        ("ingest_csv", "pandas"): lambda: _ingest_pandas(csv_file),
        ("ingest_parquet", "placespend"): lambda: _ingest_product(data, pq_file),
        ("ingest_parquet", "sql"): lambda: _ingest_sql(data, f"read_parquet('{pq_file}')"),
        ("ingest_parquet", "pandas"): lambda: _ingest_pandas(pq_file),
        ("count_one", "placespend"): lambda: impls.count_one_ibis(ws, PERIOD, place),
        ("count_one", "sql"): lambda: impls.count_one_sql(ws, PERIOD, place),
        ("count_one", "pandas"): lambda: impls.count_one_pandas(parquet, PERIOD, place),
        ("count_all", "placespend"): lambda: impls.count_all_ibis(ws, PERIOD),
        ("count_all", "sql"): lambda: impls.count_all_sql(ws, PERIOD),
        ("count_all", "pandas"): lambda: impls.count_all_pandas(parquet, PERIOD),
        ("analyses_all", "placespend"): lambda: impls.analyses_ibis(ws, PERIOD),
        ("analyses_all", "sql"): lambda: impls.analyses_sql(ws, PERIOD),
        ("analyses_all", "pandas"): lambda: impls.analyses_pandas(parquet, PERIOD),
        ("analyses_all", "pandas_plain"): lambda: impls.analyses_pandas(parquet, PERIOD, plain=True),
        ("count_all", "pandas_plain"): lambda: impls.count_all_pandas(parquet, PERIOD, plain=True),
        ("count_one", "pandas_plain"): lambda: impls.count_one_pandas(parquet, PERIOD, place, plain=True),
        ("compare_all", "placespend"): lambda: impls.compare_ibis(ws, PERIOD),
        ("compare_all", "sql"): lambda: impls.compare_sql(ws, PERIOD),
        ("compare_all", "pandas"): lambda: impls.compare_pandas(parquet, PERIOD),
    }
    if impl == "spark":  # start the JVM and read the Parquet footers before the clock starts
        con = impls.spark_connection(parquet)
        calls[(task, impl)] = {"count_all": lambda: impls.count_all_spark(con, PERIOD),
                               "analyses_all": lambda: impls.analyses_spark(con, PERIOD)}[task]
    started = time.perf_counter()
    value = calls[(task, impl)]()
    seconds = time.perf_counter() - started
    text = canonical(value)
    print(json.dumps({"seconds": seconds, "digest": hashlib.sha256(text.encode()).hexdigest()[:16],
                      "size": len(text), "peak_mib": _peak_mib()}))


def _peak_mib() -> float:
    """This process's own high-water RSS (VmHWM): unlike wait4's ru_maxrss it does not inherit the parent's."""
    for row in Path("/proc/self/status").read_text().splitlines():
        if row.startswith("VmHWM:"):
            return int(row.split()[1]) / 1024
    return float("nan")


def _ingest_product(data: Path, flows_file: Path) -> Any:
    """The product's own path: validated, all-or-nothing `ingest` of a flows CSV or Parquet file into a fresh
    workspace (both go through the columnar validation, ingest.flows.columnar)."""
    import shutil

    import duckdb

    from placespend.app import ingest_files
    from placespend.app.workspace import open_workspace

    ws = open_workspace(data / "ingest-product.duckdb")
    for path in (ws.path, ws.path.with_name(ws.path.name + ".wal")):
        path.unlink(missing_ok=True)
    shutil.rmtree(ws.submissions_dir, ignore_errors=True)
    results = ingest_files.ingest_returns(ws, [flows_file], submitter="national")
    assert results[0].outcome == "loaded", results[0].report.errors[:3]
    raw = duckdb.connect(str(ws.path), read_only=True)
    return raw.execute("SELECT count(*), sum(amount) FROM flows").fetchone()


def _ingest_sql(data: Path, source: str) -> Any:
    import duckdb

    target = data / "ingest-sql.duckdb"
    target.unlink(missing_ok=True)
    raw = duckdb.connect(str(target))
    raw.execute(f"CREATE TABLE flows AS SELECT * FROM {source}")
    return raw.execute("SELECT count(*), sum(amount) FROM flows").fetchone()


def _ingest_pandas(path: Path) -> Any:
    import pandas as pd

    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    pence = (frame.amount.astype(str).map(lambda s: int(Decimal(s) * 100))).sum()
    return (len(frame), Decimal(int(pence)) / 100)


def prepare(data: Path, lines: int) -> dict[str, float]:
    """Generate the ledger and the flows files once per size (kept for re-runs); returns the times taken."""
    from placespend.app.bench.generate import generate_workspace, write_file
    from placespend.app.workspace import open_workspace
    from placespend.engine.spark import export_parquet

    data.mkdir(parents=True, exist_ok=True)
    times: dict[str, float] = {}
    ws_path = data / f"ledger-{lines}.duckdb"
    steps = [(ws_path, lambda: generate_workspace(ws_path, lines, 1), "generate_workspace"),
             (data / f"ledger-{lines}.parquet", lambda: export_parquet(open_workspace(ws_path),
                                                                        data / f"ledger-{lines}.parquet"),
              "export_parquet"),
             (data / f"flows-{lines}.csv", lambda: write_file(data / f"flows-{lines}.csv", lines, 1), "write_csv"),
             (data / f"flows-{lines}.parquet", lambda: write_file(data / f"flows-{lines}.parquet", lines, 1),
              "write_parquet")]
    for target, make, name in steps:
        if not target.exists():
            started = time.perf_counter()
            make()
            times[name] = time.perf_counter() - started
    return times


def biggest_place(data: Path, lines: int) -> str:
    import duckdb

    raw = duckdb.connect(str(data / f"ledger-{lines}.duckdb"), read_only=True)
    place = raw.execute("SELECT place FROM flows WHERE period = ? GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
                        [PERIOD]).fetchone()[0]
    raw.close()
    return place


def measure(data: Path, lines: int, repeats: int, skip: set[str], product_ingest_max: int) -> dict[str, Any]:
    report: dict[str, Any] = {"lines": lines, "prepare": prepare(data, lines), "tasks": {}}
    place = biggest_place(data, lines)
    report["place"] = place
    for task, impls in TASKS.items():
        for impl in impls:
            key = f"{task}/{impl}"
            product_ingest = task.startswith("ingest") and impl == "placespend"
            if key in skip or task in skip or (product_ingest and lines > product_ingest_max):
                report["tasks"][key] = {"skipped": True}
                continue
            times = 1 if product_ingest and lines > 1_000_000 else repeats  # minutes per run: once is enough
            runs = [run_child(task, impl, data, lines, place) for _ in range(times)]
            good = [r for r in runs if "error" not in r]
            entry = {"runs": runs, "peak_mib": max(r["peak_mib"] for r in runs)}
            if good:
                entry.update(median=statistics.median(r["seconds"] for r in good), digest=good[0]["digest"])
            report["tasks"][key] = entry
            print(f"{lines:>11,} {key:<26} {entry.get('median', float('nan')):9.2f} s "
                  f"{entry['peak_mib']:8.0f} MiB {entry.get('digest', runs[0].get('error'))}", flush=True)
    return report


def markdown(report: dict[str, Any]) -> str:
    """One row per task. pandas = the tuned analyst (needed columns of the period only); plain pandas = the
    whole ledger read with `pd.read_parquet(path)` and then filtered, the first thing most analysts write."""
    names = ("placespend", "sql", "pandas", "pandas_plain")
    rows = ["| lines | task | placespend | DuckDB SQL | pandas | plain pandas | placespend / SQL | "
            "pandas / placespend | plain pandas / placespend | peak MiB (placespend / SQL / pandas / plain) | "
            "results equal |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for task, impls in TASKS.items():
        cells = {i: report["tasks"].get(f"{task}/{i}", {"skipped": True}) for i in names}
        t = {i: c.get("median") for i, c in cells.items()}
        digests = {c["digest"] for i, c in cells.items() if c.get("digest") and i in impls}
        fmt = lambda v: f"{v:.2f} s" if v is not None else "n/a"  # noqa: E731
        ratio = lambda a, b: f"{a / b:.2f}x" if a and b else "n/a"  # noqa: E731
        peaks = " / ".join(f"{c['peak_mib']:.0f}" if "peak_mib" in c else "-" for c in cells.values())
        rows.append(f"| {report['lines']:,} | {task} | {fmt(t['placespend'])} | {fmt(t['sql'])} | {fmt(t['pandas'])} "
                    f"| {fmt(t['pandas_plain'])} | {ratio(t['placespend'], t['sql'])} "
                    f"| {ratio(t['pandas'], t['placespend'])} | {ratio(t['pandas_plain'], t['placespend'])} | {peaks} "
                    f"| {'yes' if len(digests) == 1 else 'NO' if digests else 'n/a'} |")
    for task in ("count_all", "analyses_all"):
        on_spark = report["tasks"].get(f"{task}/spark")
        others = {report["tasks"].get(f"{task}/{i}", {}).get("digest") for i in ("placespend", "sql", "pandas")}
        if on_spark and on_spark.get("median") is not None:
            known = others - {None}
            same = "yes" if on_spark.get("digest") in known else "NO" if known else "not compared in this run"
            rows.append(f"\nplacespend on Spark (local[*]), {task}: {on_spark['median']:.2f} s, peak "
                        f"{on_spark['peak_mib']:.0f} MiB (driver only), same result as on DuckDB: {same}")
    return "\n".join(rows)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        task, impl, data, lines, place = sys.argv[2:7]
        child(task, impl, Path(data), int(lines), place)
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data", type=Path, default=Path("bench-data"))
    parser.add_argument("--skip", nargs="*", default=[], help="tasks or task/impl to skip")
    parser.add_argument("--spark", action="store_true",
                        help="also time placespend on Spark (local mode) for count_all and analyses_all")
    parser.add_argument("--product-ingest-max", type=int, default=10_000_000,
                        help="largest size at which the product's validated ingest is timed (it is per line)")
    args = parser.parse_args()
    if args.spark:
        for task in ("count_all", "analyses_all"):
            TASKS[task] = (*TASKS[task], "spark")
    print(f"# {platform.node()} {platform.python_version()} {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
    for lines in args.lines:
        report = measure(args.data.resolve(), lines, args.repeats, set(args.skip), args.product_ingest_max)
        (args.data / f"national-{lines}.json").write_text(json.dumps(report, indent=1, default=str))
        print(markdown(report), flush=True)


if __name__ == "__main__":
    main()
