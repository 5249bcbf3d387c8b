"""Who published each source a report names and the credit its licence asks for (data/licences.csv).

Open Government Licence v3.0 asks a re-user to "acknowledge the source ... by including any attribution
statement specified by the Information Provider(s)"; a board report that prints PESA and ONS figures must
therefore carry the credit lines, with the vintage of each dataset it used.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from fnmatch import fnmatch
from functools import lru_cache
from importlib import resources
from typing import Any

SEED_000 = "published:seed-000"


@dataclass(frozen=True)
class Credit:
    publisher: str
    dataset: str
    licence: str
    licence_url: str
    attribution: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@lru_cache(maxsize=1)
def _rules() -> tuple[tuple[str, Credit], ...]:
    text = resources.files("placespend.report.data").joinpath("licences.csv").read_text("utf-8")
    return tuple((row.pop("match"), Credit(**row)) for row in csv.DictReader(io.StringIO(text)))


def _first(*keys: str) -> Credit | None:
    for key in keys:
        for pattern, credit in _rules():
            if fnmatch(key, pattern):
                return credit
    return None


def credit(key: str) -> Credit | None:
    """The credit of a fixed source, e.g. `SEED_000`."""
    return _first(key)


def credits_for_import(reader: str, kind: str, indicators: list[str]) -> list[Credit]:
    """The credits of one reference import, in order, without repeats: by its reader, or by each indicator it
    holds (a statistics file of population and deprivation credits ONS and MHCLG), or by its kind."""
    found: list[Credit] = []
    for indicator in indicators or [""]:
        by_indicator = [f"indicator:{indicator}"] if indicator else []
        chosen = _first(f"reader:{reader}", *by_indicator, f"kind:{kind}")
        if chosen is not None and chosen not in found:
            found.append(chosen)
    return found


def credit_rows(imports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (import, credit): the file, its SHA-256, what of it was used, and the credit line. A statistics
    file is credited by the indicators the report used (`used`: pairs of indicator or vintage, and year)."""
    rows = []
    for row in imports:
        indicators = sorted({name for name, _ in row["used"]}) if row["kind"] == "place_statistics" else []
        for found in credits_for_import(row["reader"], row["kind"], indicators):
            rows.append({"file_name": row["file_name"], "content_hash": row["content_hash"], "kind": row["kind"],
                         "loaded_at": row["loaded_at"], "used": row["used"], **found.to_dict()})
    return rows
