"""Seed 000 Table 1 rebuilt: the 13 pilots' centre-out estimates from PESA 2009 and ONS population.

The estimate for Lewisham is recomputed in the test straight from the raw files (PESA chapter 9 rows, the
ONS single-year-of-age file and the LAD -> region lookup), independently of placespend's readers.
"""

from __future__ import annotations

import csv
import gzip
from decimal import ROUND_HALF_UP, Decimal

import pytest
from pilots_support import LOOKUP, PESA, POPULATION, build_pilots


@pytest.fixture(scope="module")
def pilots(tmp_path_factory):
    return build_pilots(tmp_path_factory)


def test_lewisham_estimate_from_the_raw_files(pilots):
    cli, data = pilots
    london = {}
    with (data / PESA).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if (row["year"], row["region"], row["measure"], row["cap_cur_total"]) == ("2008-09", "London", "actual",
                                                                                      "Total") \
                    and not row["subfunction"] and row["function"] != "Total":
                london[row["function"]] = Decimal(row["value"]) * 1_000_000
    with gzip.open(data / LOOKUP, "rt", encoding="utf-8-sig") as handle:
        in_london = {r["LAD18CD"] for r in csv.DictReader(handle) if r["RGN18CD"] == "E12000007"}
    with (data / POPULATION).open(encoding="utf-8-sig") as handle:
        population = {r["ltla19_code"]: Decimal(r["total_population"]) for r in csv.DictReader(handle)}
    share = population["E09000023"] / sum(population[c] for c in in_london)
    want = sum(((amount * share).quantize(Decimal("0.01"), ROUND_HALF_UP) for amount in london.values()),
               Decimal(0))
    out = cli.json("estimate", "--place", "E09000023", "--year", "2008-09")
    assert Decimal(str(out["total"])) == want
    assert out["region"] == "London" and out["vintage"] == "pesa2009"
    assert out["indicators"]["population"]["vintage"] == "2019"


def test_compare_prints_every_pilot_beside_table1(pilots):
    cli, _ = pilots
    out = cli.json("compare", "--year", "2008-09")
    rows = {row["place"]: row for row in out["places"] if row["place"].startswith("tp-")}
    assert len(rows) == 13
    for place, row in rows.items():
        published_a = Decimal(str(row["published"]["centre_out"]))
        assert row["centre_out"], (place, row["problem"])
        assert abs(Decimal(str(row["centre_out"])) / published_a - 1) < Decimal("0.10"), place
        assert row["published"]["locally_led"] > 0
    table = cli("compare", "--year", "2008-09").stdout
    assert "seed 000 Table" in table and "Bridge for Lewisham" in table
