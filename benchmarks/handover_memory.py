"""How much memory moving validated lines from one DuckDB into another holds, by way of hand-over.

    PYTHONPATH=src .venv/bin/python benchmarks/handover_memory.py stream  DIR/flows-10000000.parquet 3
    PYTHONPATH=src .venv/bin/python benchmarks/handover_memory.py parquet DIR/flows-10000000.parquet 3

Why: the 100M-line ingest peaked at 8.3 GiB, over `PLACESPEND_MEMORY`, while its lines streamed from the
validation database into the workspace (BENCHMARKS.md, "100M lines after the five passes"). This reproduces the
hand-over alone, outside the product: the flows file read COPIES times into a source DuckDB file capped at 1 GB,
then moved into a table of a second DuckDB file capped at 3 GB. Ways: `stream` (the product's: one INSERT from
the source's Arrow reader), `unordered` (the same without insertion order in the target), `chunks` (INSERTs of 8
batches in one transaction), `parquet` (COPY to Parquet, one INSERT from read_parquet). Prints the seconds, the
process's high-water mark and its resident size every 15 s.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import pyarrow as pa

BATCH_ROWS = 122_880


def _status(field: str) -> int:
    """A /proc/self/status size in MiB."""
    return next(int(row.split()[1]) // 1024 for row in Path("/proc/self/status").read_text().splitlines()
                if row.startswith(f"{field}:"))


def _sample(marks: list[int]) -> None:
    while True:
        marks.append(_status("VmRSS"))
        time.sleep(15)


def hand_over(way: str, source: duckdb.DuckDBPyConnection, target: duckdb.DuckDBPyConnection, folder: Path) -> None:
    if way == "parquet":
        source.execute(f"COPY lines TO '{folder}/lines.parquet' (FORMAT PARQUET)")
        target.execute(f"INSERT INTO flows SELECT * FROM read_parquet('{folder}/lines.parquet')")
        return
    reader = source.execute("SELECT * FROM lines").to_arrow_reader(BATCH_ROWS)
    if way == "unordered":
        target.execute("SET preserve_insertion_order = false")
    if way != "chunks":
        target.register("new_lines", reader)
        target.execute("INSERT INTO flows SELECT * FROM new_lines")
        return
    target.execute("BEGIN")
    group: list[pa.RecordBatch] = []
    for batch in [*reader, None]:
        if batch is not None:
            group.append(batch)
        if group and (batch is None or len(group) == 8):
            target.register("new_lines", pa.Table.from_batches(group))
            target.execute("INSERT INTO flows SELECT * FROM new_lines")
            target.unregister("new_lines")
            group.clear()
    target.execute("COMMIT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("way", choices=("stream", "unordered", "chunks", "parquet"))
    parser.add_argument("flows", type=Path, help="a flows Parquet file (app.bench.generate.write_file)")
    parser.add_argument("copies", type=int, help="how many times the file is read into the source")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        source = duckdb.connect(str(folder / "source.duckdb"))
        source.execute("SET memory_limit = '1GB'")
        files = ", ".join(f"'{args.flows}'" for _ in range(args.copies))
        source.execute(f"CREATE TABLE lines AS SELECT * FROM read_parquet([{files}])")
        target = duckdb.connect(str(folder / "target.duckdb"))
        target.execute("SET memory_limit = '3GB'")
        target.execute(f"CREATE TABLE flows AS SELECT * FROM read_parquet('{args.flows}') LIMIT 0")
        marks: list[int] = []
        threading.Thread(target=_sample, args=(marks,), daemon=True).start()
        started = time.perf_counter()
        hand_over(args.way, source, target, folder)
        rows = target.execute("SELECT count(*) FROM flows").fetchone()[0]
        print(f"{args.way}: {rows:,} rows in {time.perf_counter() - started:.0f} s, high-water mark "
              f"{_status('VmHWM'):,} MiB, resident every 15 s {marks}")


if __name__ == "__main__":
    main()
