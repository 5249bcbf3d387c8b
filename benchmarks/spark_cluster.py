"""placespend on a real Spark standalone cluster (a master and two workers, separate processes on 127.0.0.1)
against placespend on DuckDB and hand-written DuckDB SQL, in the same run, with the results checked equal.

Run: .venv/bin/python benchmarks/spark_cluster.py --lines 10000000 [--data bench-data] [--repeats 1]
     [--worker-memory 2g] [--no-local]

Reuses benchmarks/national.py: the same synthetic ledger (`ledger-<lines>.duckdb` and its Parquet export in
<data>, generated if absent and shared with `make bench`), the same tasks (`count_all`: the count of every
place; `analyses_all`: composition and concentration of every place) and the same child-process measurement
(JVM start and Parquet footers before the clock starts; the digest of the canonical result, pennies exact).
The Spark children run the product's own engine pointed at the cluster by `PLACESPEND_SPARK_MASTER`, with the
executors sized through `PYSPARK_SUBMIT_ARGS`, as a user would (docs/spark-cluster.md). Each child's whole
wall time (JVM start, executors granted, the task) is reported too: it is what a user waits for. The master's
own record of each application (cores granted, duration) shows the work ran on the workers.
Results go to <data>/spark-cluster-<lines>.json and a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "engine" / "spark"))  # the cluster helper the marked test uses too

import national  # noqa: E402
from standalone_cluster import StandaloneCluster, standalone_cluster  # noqa: E402

TASKS = ("count_all", "analyses_all")


def prepare(data: Path, lines: int) -> dict[str, float]:
    """The synthetic ledger and its Parquet export (not the flows files national.py also times ingest with)."""
    from placespend.app.bench.generate import generate_workspace
    from placespend.app.workspace import open_workspace
    from placespend.engine.spark import export_parquet

    data.mkdir(parents=True, exist_ok=True)
    ws_path, parquet = data / f"ledger-{lines}.duckdb", data / f"ledger-{lines}.parquet"
    times = {}
    for target, make in ((ws_path, lambda: generate_workspace(ws_path, lines, 1)),
                         (parquet, lambda: export_parquet(open_workspace(ws_path), parquet))):
        if not target.exists():
            started = time.perf_counter()
            make()
            times[target.name] = time.perf_counter() - started
    return times


@contextmanager
def environment(**settings: str | None) -> Iterator[None]:
    """Environment variables for the children started inside (None removes one), restored afterwards."""
    saved = {name: os.environ.get(name) for name in settings}
    try:
        _set_environment(settings)
        yield
    finally:
        _set_environment(saved)


def _set_environment(settings: dict[str, str | None]) -> None:
    for name, value in settings.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def timed_runs(task: str, impl: str, data: Path, lines: int, place: str, repeats: int) -> dict[str, Any]:
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        run = national.run_child(task, impl, data, lines, place)
        run["process_seconds"] = time.perf_counter() - started
        runs.append(run)
    good = [r for r in runs if "error" not in r]
    entry: dict[str, Any] = {"runs": runs}
    if good:
        entry.update(median=statistics.median(r["seconds"] for r in good), digest=good[0]["digest"],
                     process=statistics.median(r["process_seconds"] for r in good))
    label = f"{task}/{impl}"
    print(f"{lines:>11,} {label:<28} {entry.get('median', float('nan')):8.2f} s "
          f"(process {entry.get('process', float('nan')):6.1f} s) {entry.get('digest', runs[0].get('error'))}",
          flush=True)
    return entry


def cluster_runs(cluster: StandaloneCluster, data: Path, lines: int, place: str, repeats: int,
                 executor_memory: str) -> dict[str, Any]:
    submit = (f"--conf spark.executor.memory={executor_memory} --conf spark.ui.showConsoleProgress=false "
              "pyspark-shell")
    found: dict[str, Any] = {}
    with environment(PLACESPEND_SPARK_MASTER=cluster.master_url, PYSPARK_SUBMIT_ARGS=submit,
                     SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=sys.executable):
        for task in TASKS:
            found[task] = timed_runs(task, "spark", data, lines, place, repeats)
    found["applications"] = [{k: app.get(k) for k in ("name", "cores", "memoryperexecutor", "duration", "state")}
                             for app in cluster.state().get("completedapps", [])]
    return found


def measure(data: Path, lines: int, repeats: int, worker_memory: str, local: bool) -> dict[str, Any]:
    report: dict[str, Any] = {"lines": lines, "prepare": prepare(data, lines), "tasks": {}}
    place = national.biggest_place(data, lines)
    for task in TASKS:
        for impl in ("placespend", "sql"):
            report["tasks"][f"{task}/{impl}"] = timed_runs(task, impl, data, lines, place, repeats)
    if local:
        with environment(PLACESPEND_SPARK_MASTER="local[2]", PYSPARK_SUBMIT_ARGS=None, SPARK_LOCAL_IP="127.0.0.1"):
            for task in TASKS:
                report["tasks"][f"{task}/spark_local"] = timed_runs(task, "spark", data, lines, place, repeats)
    with tempfile.TemporaryDirectory(prefix="placespend-bench-cluster-") as folder, \
            standalone_cluster(Path(folder), workers=2, worker_cores=1, worker_memory=worker_memory) as cluster:
        state = cluster.state()
        report["cluster"] = {"master": cluster.master_url, "workers": state["aliveworkers"], "cores": state["cores"],
                             "memory_mib": state["memory"]}
        found = cluster_runs(cluster, data, lines, place, repeats, worker_memory)
    report["cluster"]["applications"] = found.pop("applications")
    for task, entry in found.items():
        report["tasks"][f"{task}/spark_cluster"] = entry
    return report


def markdown(report: dict[str, Any]) -> str:
    names = ("placespend", "sql", "spark_local", "spark_cluster")
    rows = ["| lines | task | placespend on DuckDB | DuckDB SQL | Spark local[2] (process) | Spark cluster (process) "
            "| cluster / DuckDB | cluster / SQL | results equal |", "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for task in TASKS:
        cells = {i: report["tasks"].get(f"{task}/{i}", {}) for i in names}
        t = {i: c.get("median") for i, c in cells.items()}
        digests = {c["digest"] for c in cells.values() if c.get("digest")}
        complete = all(c.get("digest") for i, c in cells.items() if i != "spark_local" or c)
        fmt = lambda v: f"{v:.2f} s" if v is not None else "n/a"  # noqa: E731
        ratio = lambda a, b: f"{a / b:.1f}x" if a and b else "n/a"  # noqa: E731
        spark = {i: f"{fmt(t[i])} ({cells[i]['process']:.0f} s)" if t[i] else "n/a" for i in names[2:]}
        equal = "yes" if complete and len(digests) == 1 else "NO"
        rows.append(f"| {report['lines']:,} | {task} | {fmt(t['placespend'])} | {fmt(t['sql'])} "
                    f"| {spark['spark_local']} | {spark['spark_cluster']} "
                    f"| {ratio(t['spark_cluster'], t['placespend'])} | {ratio(t['spark_cluster'], t['sql'])} "
                    f"| {equal} |")
    cluster = report["cluster"]
    rows.append(f"\nCluster: {cluster['workers']} workers, {cluster['cores']} cores, {cluster['memory_mib']} MiB; "
                f"applications as the master recorded them: {json.dumps(cluster['applications'])}")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, nargs="+", default=[10_000_000])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--data", type=Path, default=Path("bench-data"))
    parser.add_argument("--worker-memory", default="2g", help="memory of each worker, and of its executor")
    parser.add_argument("--no-local", action="store_true", help="skip the Spark local-mode runs")
    args = parser.parse_args()
    print(f"# {platform.node()} {platform.python_version()} {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}")
    for lines in args.lines:
        report = measure(args.data.resolve(), lines, args.repeats, args.worker_memory, not args.no_local)
        (args.data / f"spark-cluster-{lines}.json").write_text(json.dumps(report, indent=1, default=str))
        print(markdown(report), flush=True)


if __name__ == "__main__":
    main()
