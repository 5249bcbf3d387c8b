"""The partner's side of people-level insight (DESIGN.md §7): a key for one sharing agreement, and a file of
raw case records pseudonymised with it. Both run on the partner's own machine and never open a workspace, so
the key and the raw records never come near the hub; the owner's proof (the raw records and the key reproduce
a pseudonymised file exactly) is checked the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from placespend.domain.person_identifiers import FINGERPRINT_COLUMN, TOKEN_COLUMNS
from placespend.domain.problems import Report
from placespend.ingest.insight.people_files import TokenFile, read_records, read_tokens
from placespend.insight.people_tokens import BadKey, key_from_text, new_key_text, pseudonymised_rows

__all__ = ["BadKey", "Pseudonymised", "TokenFile", "key_from_text", "new_key_text", "owner_reproduces",
           "pseudonymise", "read_tokens"]

PROOF_COLUMNS = ("record_id", FINGERPRINT_COLUMN, *TOKEN_COLUMNS)  # what the owner's proof compares


@dataclass
class Pseudonymised:
    """The records file's report and, when it is clean, the output's columns and rows (computed as written)."""

    report: Report
    fields: list[str] = field(default_factory=list)
    rows: Iterable[dict[str, str]] = ()
    records: int = 0


def pseudonymise(data: bytes, name: str, secret: bytes) -> Pseudonymised:
    """Every identifier of a records file replaced by keyed tokens; record_id and x_ columns pass through.
    A file with errors gives its report and no rows (nothing is written from half a file)."""
    read = read_records(data, name)
    if not read.report.ok:
        return Pseudonymised(read.report)
    fields = [*PROOF_COLUMNS, *read.attribute_columns]
    return Pseudonymised(read.report, fields, pseudonymised_rows(secret, read.records), len(read.records))


def owner_reproduces(tokens: TokenFile, data: bytes, name: str, secret: bytes) -> tuple[Report, bool]:
    """Whether the raw records file `data` with `secret` reproduces `tokens` exactly (row order aside): the proof
    that the caller owns the records behind a pseudonymised file. False too when the records file has errors."""
    read = read_records(data, name)
    if not read.report.ok:
        return read.report, False
    made = sorted(tuple(row[f] or "" for f in PROOF_COLUMNS) for row in pseudonymised_rows(secret, read.records))
    given = sorted(tuple(v or "" for v in row) for row in zip(*(tokens.table.column(f).to_pylist()
                                                               for f in PROOF_COLUMNS), strict=True))
    return read.report, made == given
