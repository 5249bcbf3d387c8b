"""Derive the demo's reference CSVs (src/placespend/app/demo/data/) from ../shared/data, reproducibly.

Run from the repository: `.venv/bin/python scripts/derive_demo_reference.py`. It imports PESA 2009 chapter 9
and ONS mid-2019 populations with placespend's own readers into a scratch workspace, so the shipped figures
are exactly what a user's import of the same files gives, then writes:

- regional_spend_pesa2009.csv: 2008-09 identifiable spend by English region and COFOG division (GBP);
- place_statistics.csv: mid-2019 population (all ages, 0-18, 65+) of every English district and of the nine
  English regions, a region's row being the sum of its districts by ../shared/data/lookups-drkane's
  la_all_codes.csv;
- lad_region_lookup.csv: that file's English districts with their region (LADCD, LADNM, RGNCD, RGNNM, the
  drkane/geo-lookups layout `placespend import` reads as the LAD -> region lookup), so an area code such as
  Lewisham's E09000023 has a name and a region, and so an estimate, without a place definition. Every code of
  that file is used, current or not: the population file carries the district codes of 2019 (Barnsley
  E08000016, the seven North Yorkshire districts), which the file marks as no longer current. The script stops
  unless every English district of the population file has a region, so no region is silently short of people.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb

DATA = Path("../shared/data")
OUT = Path("src/placespend/app/demo/data")
INDICATORS = ("population", "population_0_18", "population_65_plus")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "w.duckdb"
        subprocess.run([str(Path(sys.executable).with_name("placespend")), "--db", str(db), "import",
                        str(DATA / "pesa2009-wdmmg/pesa2009_chapter9_identifiable_by_region_function_flat.csv"),
                        str(DATA / "population-demographr/population19_ltla19.csv")], check=True)
        con = duckdb.connect(str(db), read_only=True)
        spend = con.execute("SELECT region, cofog, sum(amount) FROM regional_spend WHERE period = '2008-09' "
                            "AND coalesce(identifiable, true) AND region_code LIKE 'E12%' "
                            "GROUP BY ALL ORDER BY region, cofog").fetchall()
        stats = con.execute("SELECT area, indicator, value FROM place_statistics WHERE period = '2019' "
                            f"AND indicator IN {INDICATORS}").fetchall()
    with (OUT / "regional_spend_pesa2009.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("period", "region", "cofog", "amount"))
        writer.writerows(("2008-09", region, cofog, f"{amount:.2f}") for region, cofog, amount in spend)
    region_of, lookup = {}, []
    with (DATA / "lookups-drkane/la_all_codes.csv").open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            if row["RGNCD"].startswith("E12"):
                region_of[row["LADCD"]] = row["RGNCD"]
                lookup.append((row["LADCD"], row["LADNM"], row["RGNCD"], row["RGNNM"]))
    with (OUT / "lad_region_lookup.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("LADCD", "LADNM", "RGNCD", "RGNNM"))
        writer.writerows(sorted(set(lookup)))
    with (OUT / "pilot_places.csv").open(encoding="utf-8") as handle:
        pilot_areas = {row["area"] for row in csv.DictReader(handle)}
    unplaced = sorted({area for area, _, _ in stats if area.startswith("E0") and area not in region_of})
    if unplaced:
        raise SystemExit(f"no region for English districts {unplaced}")
    regions: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    rows = []
    for area, indicator, value in stats:
        if area in region_of:
            regions[(region_of[area], indicator)] += Decimal(value)
            rows.append((area, indicator, Decimal(value)))
    missing = pilot_areas - {area for area, _, _ in rows}
    if missing:
        raise SystemExit(f"no population for pilot districts {sorted(missing)}")
    rows += [(code, indicator, value) for (code, indicator), value in regions.items()]
    with (OUT / "place_statistics.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("area", "period", "indicator", "value"))
        writer.writerows((area, "2019", indicator, f"{value:f}".rstrip("0").rstrip("."))
                         for area, indicator, value in sorted(rows))


if __name__ == "__main__":
    main()
