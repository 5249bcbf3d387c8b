"""Every figure of the demo and the Table-1 pilots, as one JSON file: the proof that a refactoring changed none.

Why: a change of structure (modules moved, layers split) must leave every figure identical to the penny. This
builds the demo workspace plus PESA 2009 chapter 9, ONS population and the LAD -> region lookup (as
tests/estimate/pilots_support.py does), then records, through the public interfaces only (the CLI and the
served JSON API), `count` for every place and year with lines, `estimate` for every place and year, `compare`
for every year, and the API's place page, count and places-compared; then the same over a synthetic national
ledger (`placespend bench generate`, seed 1: ~400 places, three periods, transfer chains). Run it before and
after; the two files must be byte-identical (TESTING.md has the command).

    PYTHONPATH=src python scripts/figures_snapshot.py OUT.json [--work DIR] [--shared ../shared]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from placespend.cli.main import app

PESA = "pesa2009-wdmmg/pesa2009_chapter9_identifiable_by_region_function_flat.csv"
POPULATION = "population-demographr/population19_ltla19.csv"
LOOKUP = "lookups-ons-jtrim/016_lad18_to_region_England.csv.gz"
PASSWORD = "snapshot-password-1"


class Run:
    """`placespend --db DB ...` in process: each answer is its exit code, stdout and stderr."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str) -> dict[str, Any]:
        result = self.runner.invoke(app, ["--db", str(self.db), *map(str, args)])
        return {"exit": result.exit_code, "stdout": result.stdout, "stderr": result.stderr}

    def json(self, *args: str) -> Any:
        answer = self(*args, "--format", "json")
        if answer["exit"] != 0:
            raise SystemExit(f"placespend {' '.join(args)} failed: {answer}")
        return json.loads(answer["stdout"])


def build(run: Run, shared: Path) -> None:
    for args in (("demo",), ("import", shared / PESA, shared / POPULATION, shared / LOOKUP)):
        answer = run(*map(str, args))
        if answer["exit"] != 0:
            raise SystemExit(f"placespend {args[0]} failed: {answer}")


def generate(db: Path, lines: int) -> None:
    """A synthetic national ledger (~400 places, three periods, transfer chains): the count at scale."""
    answer = Run(db)("bench", "generate", "--lines", str(lines), "--seed", "1", "--out", str(db))
    if answer["exit"] != 0:
        raise SystemExit(f"placespend bench generate failed: {answer}")


def cli_figures(run: Run) -> dict[str, Any]:
    places = run.json("places")
    years = sorted({year for place in places for year in place["periods"]} | {"2008-09"})
    out: dict[str, Any] = {"places": places, "count": {}, "estimate": {}, "compare": {}}
    for place in places:
        for year in place["periods"]:
            out["count"][f"{place['place']} {year}"] = run("count", "--place", place["place"], "--year", year,
                                                           "--format", "json")
        for year in years:
            out["estimate"][f"{place['place']} {year}"] = run("estimate", "--place", place["place"], "--year", year,
                                                              "--format", "json")
    for year in years:
        out["compare"][year] = run("compare", "--year", year, "--format", "json")
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api_figures(run: Run, places: list[dict[str, Any]], pages: int | None = None) -> dict[str, Any]:
    """The served API (a real `placespend serve`), read with an analyst's bearer token."""
    os.environ["PLACESPEND_PASSWORD"] = PASSWORD
    run("user", "add", "snapshot", "--role", "analyst")
    token = run("user", "token", "snapshot")["stdout"].strip()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "placespend.cli.main", "--db", str(run.db), "serve",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"

    def get(path: str) -> Any:
        request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=600) as response:
                return {"status": response.status, "body": json.loads(response.read())}
        except urllib.error.HTTPError as exc:
            return {"status": exc.code, "body": json.loads(exc.read())}

    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/login", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        out: dict[str, Any] = {"place": {}, "count": {}, "places-compared": {}}
        for place in places[:pages]:
            for year in place["periods"]:
                key = f"{place['place']} {year}"
                out["place"][key] = get(f"/api/places/{place['place']}?year={year}")
                out["count"][key] = get(f"/api/places/{place['place']}/count?year={year}")
        for year in sorted({year for place in places for year in place["periods"]}):
            out["places-compared"][year] = get(f"/api/places-compared?year={year}")
        return out
    finally:
        server.terminate()
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--work", type=Path, help="folder for the workspace (default: a temporary one)")
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--bench-lines", type=int, default=20_000, help="lines of the synthetic national ledger")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="figures-"))
    run = Run(work / "pilots.duckdb")
    build(run, args.shared / "data")
    figures: dict[str, Any] = {"pilots": {"cli": cli_figures(run)}}
    figures["pilots"]["api"] = api_figures(run, figures["pilots"]["cli"]["places"])
    national = Run(work / "national.duckdb")
    generate(national.db, args.bench_lines)
    figures["national"] = {"cli": cli_figures(national)}
    figures["national"]["api"] = api_figures(national, figures["national"]["cli"]["places"], pages=20)
    args.out.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n")
    for name, part in figures.items():
        print(f"{name}: {len(part['cli']['count'])} counts, {len(part['cli']['estimate'])} estimates, "
              f"{len(part['cli']['compare'])} comparisons, {len(part['api']['place'])} API place pages")


if __name__ == "__main__":
    main()
