"""Every page of the navigation on a national ledger: are warm pages within 1 s at 10M lines?

Run: PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/web_pages.py [--lines 10000000] [--data bench-data]
     [--repeat 20]
Copies the synthetic national workspace of benchmarks/national.py (generated first if absent: about 4 minutes at
10M lines on a quiet 2-core machine) with accounts, starts `placespend serve` in its own process on 127.0.0.1,
and asks for each page once (its first view) and then `repeat` times, signed in as an analyst, over real HTTP.
Prints a Markdown table: first view, and the warm median, p95 and max.

With --demo, the same pages on a freshly built demo workspace (`placespend demo`): the target there is warm
pages within 200 ms p95. --only times the pages whose name has one of the given words.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from web_place import PASSWORD, YEAR, print_page_timings, setup

from placespend.app import accounts
from placespend.app.demo.build import build_demo
from placespend.app.workspace import open_workspace


def pages(sample: list[str]) -> dict[str, str]:
    """The navigation's pages and a place's own, for the largest place and a district of the sample."""
    largest, district = sample[0], sample[1]
    return {"/places": "places (list and map)", f"/places?year={YEAR}&measure=total": "places, map of totals",
            f"/places/{largest}?year={YEAR}": f"place page ({largest}, the largest)",
            f"/places/{district}?year={YEAR}": f"place page ({district})",
            f"/places/{district}/others?year={YEAR}": "other places (htmx)",
            f"/places/{district}/lines?year={YEAR}&cofog=07": "lines behind a figure (COFOG 07)",
            f"/places/{district}/lines?year={YEAR}&cofog=07&page=100": "lines behind a figure, page 100",
            f"/compare?year={YEAR}": "compare (Table 1, every place)",
            f"/analyses?year={YEAR}&place={largest}&place={district}": "analyses, two places",
            f"/analyses?year={YEAR}": "analyses, default places", "/reports": "board reports",
            "/deepdives": "deep dives", f"/deepdives/themes?place={district}&year={YEAR}": "deep-dive themes",
            "/bodies": "bodies register", "/insight": "insight", "/assets": "assets", "/suppliers": "suppliers",
            "/bodies?page=300": "bodies register, page 300", "/submissions": "submissions",
            "/submissions?page=1000&board_page=300": "submissions, page 1000 (board page 300)",
            "/imports": "imports", "/account": "account"}


def demo(data: Path) -> tuple[Path, list[str]]:
    """A fresh demo workspace with an analyst account for the benchmark; its own place (the largest) and another."""
    db = data / "web-demo.duckdb"
    db.unlink(missing_ok=True)
    Path(f"{db}.wal").unlink(missing_ok=True)
    ws = open_workspace(db)
    summary = build_demo(ws)
    accounts.add_user(ws, "analyst-bench", PASSWORD, "analyst")
    with ws.read() as con:
        other = con.con.execute("SELECT min(place) FROM places WHERE place <> ?", [summary.place]).fetchone()[0]
    ws.close()
    return db, [summary.place, other]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--data", type=Path, default=Path("bench-data"))
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--demo", action="store_true", help="the demo workspace instead of a national ledger")
    parser.add_argument("--settle", type=float, default=0, help="seconds between the server's start and the first view")
    parser.add_argument("--only", default="", help="comma-separated words: time only the pages named by one")
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    db, sample = demo(args.data) if args.demo else setup(args.data, args.lines)[::2]
    words = [w for w in args.only.split(",") if w]
    chosen = {url: name for url, name in pages(sample).items() if not words or any(w in name for w in words)}
    print_page_timings(db, chosen, args.repeat, username="analyst-bench" if args.demo else "analyst",
                       settle=args.settle)


if __name__ == "__main__":
    main()
