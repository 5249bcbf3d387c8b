"""CLI start-up: `placespend --help` and a count of one place at 1M lines, as whole processes, beside the bare
DuckDB query of the same count in the same run (these machines are noisy, so the ratio is the figure to read).

Each measurement is a fresh process, timed from start to exit; runs are interleaved (one of each, repeated) so
that a busy moment of the machine falls on all of them alike. The ledger is the national benchmark's
(`placespend bench generate --lines N --seed 1`, kept in --data as `ledger-<N>.duckdb`, made if missing), the
place its biggest. `--before SRC` times another source tree too (e.g. `git archive` of an earlier commit), in
the same run, on a ledger it generates itself with the same seed (`ledger-<N>-before.duckdb`).

Run: .venv/bin/python benchmarks/startup.py [--lines 1000000] [--data bench-data] [--repeats 5] [--before SRC]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from national import PERIOD, biggest_place
from national_impls import COUNT_ONE_SQL

from placespend.count.every_place_count import fold_cells

SRC = Path(__file__).resolve().parents[1] / "src"
# The bare DuckDB count as its own program: connect, the one query, print the cells and the seconds they took.
# With a fifth argument the values are written into the SQL instead of bound as parameters: DuckDB's binding of
# any Python value imports pandas and pyarrow (0.4-0.6 s), which the quick count avoids the same way.
BARE = """
import json, sys, time
started = time.perf_counter()
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
values = {"period": sys.argv[3], "place": sys.argv[4]}
if len(sys.argv) > 5:
    sql = sys.argv[2]
    for name, value in values.items():
        sql = sql.replace("$" + name, "'" + value.replace("'", "''") + "'")
    rows = con.execute(sql).fetchall()
else:
    rows = con.execute(sys.argv[2], values).fetchall()
print(json.dumps({"seconds": time.perf_counter() - started, "rows": [[*r[:3], str(r[3]), r[4]] for r in rows]}))
"""


def timed(command: list[str], src: Path | None = None) -> tuple[float, float, str]:
    """Wall seconds of `command` as a whole process, the CPU seconds it used (user + system: less swayed by
    the other work of a busy machine than the wall time, though DuckDB's threads can make it exceed it), and
    its stdout."""
    env = {**os.environ, "PYTHONPATH": str(src)} if src else dict(os.environ)
    env.pop("PLACESPEND_DB", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return seconds, cpu, done.stdout


def ledger_of(data: Path, lines: int, label: str, src: Path) -> Path:
    """The ledger a source tree counts: the benchmark's own for this tree, and for another tree one it generated
    itself with the same seed (the same lines), since a newer placespend migrates a workspace it opens beyond
    what an older one can read."""
    if label == "after":
        return (data / f"ledger-{lines}.duckdb").resolve()
    path = (data / f"ledger-{lines}-{label}.duckdb").resolve()
    if not path.exists():
        subprocess.run([sys.executable, "-m", "placespend.cli.main", "bench", "generate", "--lines", str(lines),
                        "--seed", "1", "--out", str(path)], env={**os.environ, "PYTHONPATH": str(src)}, check=True)
    return path


TYPER = [sys.executable, "-m", "placespend.cli.main"]


def program(src: Path) -> list[str]:
    """The `placespend` program of a source tree as the installed command runs it (`python -m placespend`,
    cli.program); trees older than that module had only the Typer entry."""
    return [sys.executable, "-m", "placespend"] if (src / "placespend" / "__main__.py").is_file() else TYPER


def measure(data: Path, lines: int, place: str, repeats: int, trees: dict[str, Path]) -> dict[str, Any]:
    ws = (data / f"ledger-{lines}.duckdb").resolve()
    tasks: dict[str, tuple[list[str], Path | None]] = {"python -c pass": ([sys.executable, "-c", "pass"], None)}
    for label, src in trees.items():
        ledger = ledger_of(data, lines, label, src)
        count = ["--db", str(ledger), "count", "--place", place, "--year", PERIOD, "--format", "json"]
        tasks[f"{label}: placespend --help"] = ([*program(src), "--help"], src)
        tasks[f"{label}: placespend count"] = ([*program(src), *count], src)
        if program(src) != TYPER:  # the same count through Typer's parser, as before the program's quick count
            tasks[f"{label}: placespend count, through Typer"] = ([*TYPER, *count], src)
    bare = [sys.executable, "-c", BARE, str(ws), COUNT_ONE_SQL, PERIOD, place]
    inline = [*bare, "inline"]
    tasks["bare DuckDB count (process)"] = (bare, None)
    tasks["bare DuckDB count, values in the SQL (process)"] = (inline, None)
    runs: dict[str, list[float]] = {name: [] for name in tasks}
    cpu: dict[str, list[float]] = {name: [] for name in tasks}
    sql: list[float] = []
    sql_inline: list[float] = []
    outputs: dict[str, str] = {}
    for _ in range(repeats):
        for name, (command, src) in tasks.items():
            seconds, used, out = timed(command, src)
            runs[name].append(seconds)
            cpu[name].append(used)
            outputs[name] = out
            if command is bare:
                sql.append(json.loads(out)["seconds"])
            if command is inline:
                sql_inline.append(json.loads(out)["seconds"])
    runs["bare DuckDB count, values in the SQL (connect + query, in process)"] = sql_inline
    runs["bare DuckDB count (connect + query, in process)"] = sql
    cells = [{"scope_place": place, "status": s, "cofog_division": d, "counted_type": t, "amount": Decimal(a),
              "lines": n} for s, d, t, a, n in json.loads(outputs["bare DuckDB count (process)"])["rows"]]
    expected = fold_cells(cells, PERIOD)[place]
    equal = {}
    for label in trees:
        got = json.loads(outputs[f"{label}: placespend count"], parse_float=Decimal)
        equal[label] = got["total"] == expected.total and got["lines"] == expected.lines
    return {"place": place, "repeats": repeats, "runs": runs, "cpu": cpu, "counts_equal_to_sql": equal,
            "best": {name: min(times) for name, times in runs.items()},
            "median": {name: statistics.median(times) for name, times in runs.items()},
            "best_cpu": {name: min(times) for name, times in cpu.items()}}


def table(report: dict[str, Any]) -> str:
    base = report["best"]["bare DuckDB count (connect + query, in process)"]
    lines = [f"| measurement | wall, best of {report['repeats']} | median | best / bare SQL | CPU (user + sys), best |",
             "|---|---:|---:|---:|---:|"]
    for name, best in report["best"].items():
        used = report["best_cpu"].get(name)
        lines.append(f"| {name} | {best:.3f} s | {report['median'][name]:.3f} s | {best / base:.2f}x | "
                     + (f"{used:.3f} s |" if used is not None else "n/a |"))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=Path("bench-data"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--before", type=Path, help="another source tree (its src/ folder) to time beside this one")
    args = parser.parse_args()
    ws = args.data / f"ledger-{args.lines}.duckdb"
    if not ws.exists():
        from placespend.app.bench.generate import generate_workspace

        args.data.mkdir(parents=True, exist_ok=True)
        generate_workspace(ws, args.lines, 1)
    trees = {"after": SRC} if args.before is None else {"before": args.before.resolve(), "after": SRC}
    report = measure(args.data, args.lines, biggest_place(args.data, args.lines), args.repeats, trees)
    report.update(lines=args.lines, python=sys.version.split()[0], date=time.strftime("%Y-%m-%d %H:%M UTC",
                                                                                    time.gmtime()))
    (args.data / f"startup-{args.lines}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"{args.lines:,} lines, place {report['place']}, counts equal to the SQL: {report['counts_equal_to_sql']}")
    print(table(report))


if __name__ == "__main__":
    main()
