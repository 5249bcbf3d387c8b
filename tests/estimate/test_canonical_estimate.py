"""The estimate from the three canonical CSVs of DESIGN.md §6 alone, run as a user runs it: a CLI process.

A region's indicator is its own statistics row where the workspace has one, and the sum of its districts by
the LAD -> region lookup otherwise; the estimate says which it used. Numbers are checked by hand.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from conftest import write_csv

D = Decimal
PENNY = D("0.01")
PLACESPEND = Path(sys.executable).with_name("placespend")  # the console script `make setup` installs
SPEND = {"10": "1000000.00", "07": "500000.00", "09": "333333.33"}


def placespend(db: Path, *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(PLACESPEND), "--db", str(db), *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == expect, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """Place 'duo' (two London boroughs), London's spend and statistics with London's own population row."""
    folder = tmp_path_factory.mktemp("canonical")
    places = write_csv(folder / "places.csv", [{"place": "duo", "name": "Duo", "area": a, "region": "London"}
                                               for a in ("E09000001", "E09000002")])
    spend = write_csv(folder / "spend.csv", [{"period": "2008-09", "region": "London", "cofog": c, "amount": a}
                                             for c, a in SPEND.items()])
    stats = write_csv(folder / "stats.csv", [
        {"area": area, "period": "2008", "indicator": "population", "value": value}
        for area, value in (("E09000001", 8000), ("E09000002", 172000), ("E12000007", 7_600_000))])
    db = folder / "ws" / "w.duckdb"
    placespend(db, "import", str(places), str(spend), str(stats))
    return db


def by_hand(share: Decimal) -> dict[str, Decimal]:
    return {c: (D(a) * share).quantize(PENNY, ROUND_HALF_UP) for c, a in SPEND.items()}


def test_estimate_uses_the_regions_own_row(workspace):
    out = json.loads(placespend(workspace, "estimate", "--place", "duo", "--year", "2008-09",
                                "--format", "json").stdout)
    want = by_hand(D(180_000) / D(7_600_000))
    assert {k: D(str(v)) for k, v in out["by_cofog"].items() if v} == want
    assert D(str(out["total"])) == sum(want.values())
    population = out["indicators"]["population"]
    assert population["region_source"] == "region_row" and D(str(population["region"])) == 7_600_000
    assert "population of London: from the region's own statistics row (E12000007)" in out["notes"]


def test_table_output_says_which_source(workspace):
    text = " ".join(placespend(workspace, "estimate", "--place", "duo", "--year", "2008-09").stdout.split())
    assert "region's own statistics row (E12000007)" in text


def test_without_a_region_row_the_districts_sum_is_used(tmp_path):
    stats = write_csv(tmp_path / "stats.csv", [
        {"area": a, "period": "2008", "indicator": "population", "value": v}
        for a, v in (("E09000001", 8000), ("E09000002", 172000), ("E09000003", 220000))])
    lookup = write_csv(tmp_path / "lookup.csv", [{"relation": "lad_region", "child": f"E0900000{i}",
                                                  "parent": "E12000007"} for i in (1, 2, 3)])
    places = write_csv(tmp_path / "places.csv", [{"place": "duo", "name": "Duo", "area": a, "region": "London"}
                                                 for a in ("E09000001", "E09000002")])
    spend = write_csv(tmp_path / "spend.csv", [{"period": "2008-09", "region": "London", "cofog": c, "amount": a}
                                               for c, a in SPEND.items()])
    db = tmp_path / "ws" / "w.duckdb"
    placespend(db, "import", str(places), str(spend), str(stats))
    refused = placespend(db, "estimate", "--place", "duo", "--year", "2008-09", expect=2)
    message = " ".join((refused.stdout + refused.stderr).split())
    assert "No 'population' row for region London (E12000007)" in message and "Traceback" not in message
    placespend(db, "import", str(lookup))
    out = json.loads(placespend(db, "estimate", "--place", "duo", "--year", "2008-09", "--format", "json").stdout)
    assert {k: D(str(v)) for k, v in out["by_cofog"].items() if v} == by_hand(D(180_000) / D(400_000))
    assert out["indicators"]["population"]["region_source"] == "areas"
    assert "population of London: from the sum of 3 districts in London by the LAD -> region lookup" in out["notes"]
