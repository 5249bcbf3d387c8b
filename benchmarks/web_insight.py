"""Insight pages on Lewisham's real open data: are warm pages under 200 ms at the 95th percentile?

Run: PYTHONPATH=src:benchmarks .venv/bin/python benchmarks/web_insight.py [--data bench-data] [--repeat 20]
Imports IoD 2019 File 2, ONS LSOA population, the LSOA -> ward 2019 lookup and Lewisham's LSOA boundaries from
../shared/data, stores a segments run, starts `placespend serve` in its own process on 127.0.0.1 and asks for
each insight page `repeat` times after a first view over real HTTP. Prints a Markdown table (median, p95, max
per page). The LSOA map page carries its 169 boundaries inline (about 1.2 MB). Loopback only.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from web_place import PASSWORD, print_page_timings

from placespend.app import accounts
from placespend.app.workspace import open_workspace

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
LEWISHAM = "E09000023"
FILES = ["imd2019-lsoa/File_2_-_IoD2019_Domains_of_Deprivation.csv.gz",
         "population-demographr/population19_lsoa11.csv.gz",
         "lookups-ons-jtrim/135_lsoa11_to_ward2019_EW.csv.gz",
         f"lookups-drkane/boundaries_lsoa11_{LEWISHAM}.geojson"]


def _cli(db: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "placespend.cli.main", "--db", str(db), *args], check=True,
                   stdout=subprocess.DEVNULL)


def setup(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    db = folder / "insight.duckdb"
    _cli(db, "import", *[str(SHARED / f) for f in FILES])
    _cli(db, "insight", "segments", "--place", LEWISHAM, "--k", "5", "--seed", "0", "--runs", "3")
    ws = open_workspace(db)
    accounts.add_user(ws, "bench", PASSWORD, "analyst", None)
    ws.close()
    return db


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("bench-data"))
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    db = setup(args.data / "insight")
    pages = {f"/insight?place={LEWISHAM}": "LSOAs by segment (map + profiles)",
             f"/insight?place={LEWISHAM}&level=ward&column=population": "wards (profiles, no ward boundaries)",
             "/insight/hotspots": "hotspots form", "/insight/surveys": "surveys form",
             "/insight/overlap": "overlap runs"}
    print_page_timings(db, pages, args.repeat)


if __name__ == "__main__":
    main()
