"""Deep-dive pages on the demo workspace: are warm pages under 200 ms at the 95th percentile?

Run: .venv/bin/python benchmarks/web_deepdives.py [--data bench-data] [--repeat 20]
Builds the demo workspace (`placespend demo`), stores the shipped example inputs as an analyst would, starts
`placespend serve` in its own process on 127.0.0.1 and asks for every deep-dive page and its JSON `repeat`
times with real HTTP requests. Prints a Markdown table (median, p95, max per page). Loopback only.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from web_place import PASSWORD, print_page_timings

from placespend.app import accounts, deepdives
from placespend.app.workspace import open_workspace


def setup(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    db = folder / "demo.duckdb"
    subprocess.run([sys.executable, "-m", "placespend.cli.main", "--db", str(db), "demo"], check=True,
                   stdout=subprocess.DEVNULL)
    ws = open_workspace(db)
    accounts.add_user(ws, "bench", PASSWORD, "analyst", None)
    deepdives.load_examples(ws, accounts.authenticate(ws, "bench", PASSWORD))
    return db


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("bench-data"))
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    db = setup(args.data / "deepdives")
    ws = open_workspace(db)
    listing = deepdives.listing(ws)
    place = next(p for p in deepdives.places(ws) if p["periods"])
    pages = {"/deepdives": "hub",
             f"/deepdives/themes?place={place['place']}&year={place['periods'][-1]}": "themes"}
    for kind, rows in listing.items():
        for row in rows:
            pages[f"/deepdives/inputs/{row['input_id']}"] = f"{kind}: {row['name']}"
            pages[f"/api/deepdives/inputs/{row['input_id']}"] = f"{kind}: {row['name']} (JSON)"
    print_page_timings(db, pages, args.repeat)


if __name__ == "__main__":
    main()
