"""Every page of the navigation on a national ledger: are warm pages within 1 s at 10M lines?

Run: PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/web_pages.py [--lines 10000000] [--data bench-data]
     [--repeat 20]
Copies the synthetic national workspace of benchmarks/national.py (generated first if absent: about 4 minutes at
10M lines on a quiet 2-core machine) with accounts, starts `placespend serve` in its own process on 127.0.0.1,
and asks for each page once (its first view) and then `repeat` times, signed in as an analyst, over real HTTP.
Prints a Markdown table: first view, and the warm median, p95 and max.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from web_place import YEAR, print_page_timings, setup


def pages(sample: list[str]) -> dict[str, str]:
    """The navigation's pages and a place's own, for the largest place and a district of the sample."""
    largest, district = sample[0], sample[1]
    return {"/places": "places (list and map)", f"/places?year={YEAR}&measure=total": "places, map of totals",
            f"/places/{largest}?year={YEAR}": f"place page ({largest}, the largest)",
            f"/places/{district}?year={YEAR}": f"place page ({district})",
            f"/places/{district}/others?year={YEAR}": "other places (htmx)",
            f"/places/{district}/lines?year={YEAR}&cofog=07": "lines behind a figure (COFOG 07)",
            f"/compare?year={YEAR}": "compare (Table 1, every place)",
            f"/analyses?year={YEAR}&place={largest}&place={district}": "analyses, two places",
            f"/analyses?year={YEAR}": "analyses, default places", "/reports": "board reports",
            "/deepdives": "deep dives", f"/deepdives/themes?place={district}&year={YEAR}": "deep-dive themes",
            "/bodies": "bodies register", "/insight": "insight", "/assets": "assets", "/suppliers": "suppliers",
            "/submissions": "submissions", "/imports": "imports", "/account": "account"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--data", type=Path, default=Path("bench-data"))
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    db, _, sample, _ = setup(args.data, args.lines)
    print_page_timings(db, pages(sample), args.repeat, username="analyst")


if __name__ == "__main__":
    main()
