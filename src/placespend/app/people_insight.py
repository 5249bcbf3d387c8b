"""Use cases of people-level insight (DESIGN.md §7; seed 000's Bolton matching): link, overlap, unmatched and
services over partners' pseudonymised files.

Each one runs only under a live sharing agreement that covers the partners and every field their files carry
(the ICO data sharing code, enforced by `sharing.require_agreement`), and each run is audited with the
fingerprints of its inputs and what it published. The CLI and the API both come through here, so neither door
can skip the gate. Which fields a file carries is read from the file itself, not taken on trust: an identifier
is shared when any of its tokens is present, and every `x_` attribute column is shared as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa

from placespend.app import sharing
from placespend.domain.person_identifiers import TOKEN_COLUMNS
from placespend.domain.problems import PlacespendError, Report
from placespend.domain.vocabulary import normalise_id
from placespend.engine.linkage_backend import linkage_database
from placespend.engine.workspace import Workspace
from placespend.ingest.insight.people_files import TokenFile, read_tokens
from placespend.insight import linkage
from placespend.insight import people_overlap as po
from placespend.insight.disclosure import DEFAULT_THRESHOLD, published_threshold

MATCH_THRESHOLD = linkage.DEFAULT_THRESHOLD  # the lowest match probability of a link, unless the caller asks
OWNER_COLUMN = "x_owner"  # the body that owns a file's records: who the file is shared by, not a shared field
TOKEN_FIELDS = {"t_first": "first_name", "t_surname": "surname", "t_dob": "date_of_birth", "t_postcode": "postcode",
                "t_sector": "postcode", "t_district": "postcode", "t_sex": "sex"}


class KeysDiffer(PlacespendError):
    """Files pseudonymised under different keys: their tokens can never agree, so linking them is refused."""


@dataclass(frozen=True)
class SharedFile:
    """A pseudonymised file as handed to the hub: its name, its bytes, and the body that owns it if the caller
    says so (otherwise the file's own `x_owner` column says)."""

    name: str
    data: bytes
    owner: str | None = None


@dataclass
class Shared:
    """Files read and checked, with their owners and the agreement they run under."""

    files: list[TokenFile]
    owners: list[str]
    fingerprints: list[str]
    agreement: sharing.Agreement

    def threshold(self, asked: int) -> int:
        """The agreement's threshold is a floor: a caller may withhold more, never less."""
        return max(asked, self.agreement.threshold)


@dataclass
class Outcome:
    """The input reports and, when every input is sound, the result (people_insight never half-runs)."""

    reports: list[Report]
    result: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None


def field_of(column: str) -> str | None:
    """The record field a token column is derived from (t_first_mp -> first_name), None for other columns."""
    return next((name for prefix, name in TOKEN_FIELDS.items() if column.startswith(prefix)), None)


def shared_fields(table: pa.Table) -> set[str]:
    """The fields a pseudonymised file actually carries: identifiers with any token, and its `x_` columns."""
    found = {field_of(c) for c in TOKEN_COLUMNS if c in table.column_names and table.column(c).null_count < len(table)}
    return {f for f in found if f} | {c for c in table.column_names if c.startswith("x_") and c != OWNER_COLUMN}


def _owner(file: SharedFile, read: TokenFile) -> str:
    if file.owner:
        return file.owner.strip()
    table = read.table
    owners = ({o.strip() for o in table.column(OWNER_COLUMN).to_pylist() if o and o.strip()}
              if table is not None and OWNER_COLUMN in table.column_names else set())
    if len(owners) != 1:
        raise PlacespendError(f"{file.name}: say which body owns its records (--left-owner / --right-owner, or "
                              f"one value in an {OWNER_COLUMN} column); a sharing agreement is between bodies.")
    return owners.pop()


def open_shared(ws: Workspace, files: Sequence[SharedFile], who: str, by: str | None = None,
                agreement_id: str | None = None, member: str | None = None) -> Shared | list[Report]:
    """Read the files; refuse different keys; find the live agreement covering owners and fields.

    Returns the reports instead when a file has errors (nothing is run on half a file). A refusal for want
    of an agreement raises `sharing.Refused` and is audited. `member` is the caller's organisation when the
    caller is a partner: a partner may only run what its own organisation is party to.
    """
    read = [read_tokens(f.data, f.name) for f in files]
    if not all(r.report.ok for r in read):
        return [r.report for r in read]
    first = read[0]
    for other in read[1:]:
        if other.fingerprint != first.fingerprint:
            raise KeysDiffer(f"{first.report.file} and {other.report.file} were pseudonymised with different keys "
                             f"(key fingerprints {first.fingerprint} and {other.fingerprint}): they cannot be "
                             "linked. Both partners must use the key of one sharing agreement.")
    owners = [_owner(f, r) for f, r in zip(files, read, strict=True)]
    if member is not None and normalise_id(member) not in {normalise_id(o) for o in owners}:
        sharing.refuse(ws, who, {"parties": owners, "wanted": "counts", "member": member},
                       f"{member} is not one of the owners of these files ({', '.join(owners)})")
    fields = set().union(*(shared_fields(r.table) for r in read)) | ({by} if by else set())
    agreement = sharing.require_agreement(ws, owners, sorted(fields), who, agreement_id)
    return Shared(read, owners, [hashlib.sha256(f.data).hexdigest() for f in files], agreement)


def _links(shared: Shared, i: int, j: int, match_threshold: float, engine: str = "duckdb") -> linkage.LinkageResult:
    return linkage.link_tables(shared.files[i].table, shared.files[j].table, match_threshold,
                               database=linkage_database(engine))


def _save(ws: Workspace, shared: Shared, kind: str, who: str, published: dict[str, Any] | None = None,
          pairs: list[tuple[str, str, float]] | None = None) -> str:
    left, right = shared.files[0].table, shared.files[1].table
    return sharing.save_run(ws, shared.agreement, kind, who, shared.owners[0], "+".join(shared.owners[1:]),
                            shared.fingerprints[0], ",".join(shared.fingerprints[1:]), pairs,
                            left.num_rows, right.num_rows if len(shared.files) == 2 else None, published)


def _run_facts(shared: Shared, run_id: str) -> dict[str, Any]:
    return {"run_id": run_id, "agreement_id": shared.agreement.agreement_id}


def link(ws: Workspace, left: SharedFile, right: SharedFile, who: str,
         match_threshold: float = linkage.DEFAULT_THRESHOLD, engine: str = "duckdb",
         agreement_id: str | None = None) -> Outcome:
    """The linked pairs, for an analyst the agreement names; the run and its pairs are kept for its retention."""
    shared = open_shared(ws, [left, right], who, None, agreement_id)
    if isinstance(shared, list):
        return Outcome(shared)
    sharing.require_analyst(ws, shared.agreement, who)
    result = _links(shared, 0, 1, match_threshold, engine)
    pairs = [(x.left_id, x.right_id, x.match_probability) for x in result.links]
    run_id = _save(ws, shared, "link", who, pairs=pairs)
    return Outcome([f.report for f in shared.files], {
        **_run_facts(shared, run_id), "threshold": result.threshold, "candidate_pairs": result.candidate_pairs,
        "pairs": [{"left_id": a, "right_id": b, "match_probability": p} for a, b, p in pairs]})


def overlap(ws: Workspace, left: SharedFile, right: SharedFile, by: str, who: str,
            threshold: int = DEFAULT_THRESHOLD, match_threshold: float = linkage.DEFAULT_THRESHOLD,
            agreement_id: str | None = None, member: str | None = None) -> Outcome:
    """People known to both, left only and right only by LEFT's `by` column (DESIGN.md §7), protected."""
    published_threshold(threshold)
    shared = open_shared(ws, [left, right], who, by, agreement_id, member)
    if isinstance(shared, list):
        return Outcome(shared)
    links = _links(shared, 0, 1, match_threshold).links
    published = po.overlap(shared.files[0].table, shared.files[1].table, links, by, shared.threshold(threshold),
                           shared.agreement.rounding)
    run_id = _save(ws, shared, "overlap", who, published)
    return Outcome([f.report for f in shared.files], {**published, **_run_facts(shared, run_id)})


def unmatched(ws: Workspace, left: SharedFile, right: SharedFile, by: str, who: str,
              threshold: int = DEFAULT_THRESHOLD, match_threshold: float = linkage.DEFAULT_THRESHOLD,
              agreement_id: str | None = None, member: str | None = None, owner_proven: bool = False) -> Outcome:
    """The Bolton case: LEFT's people not found in RIGHT, as protected counts by group; and, only when the
    caller has proven it owns LEFT (`owner_proven`, checked by the CLI or the API), the record list."""
    published_threshold(threshold)
    shared = open_shared(ws, [left, right], who, by, agreement_id, member)
    if isinstance(shared, list):
        return Outcome(shared)
    links = _links(shared, 0, 1, match_threshold).links
    published = po.unmatched_by_group(shared.files[0].table, links, by, shared.threshold(threshold),
                                      shared.agreement.rounding)
    records = po.not_in_right(shared.files[0].table, links) if owner_proven else None
    audited = {**published, "record_list_to_owner": None if records is None else len(records)}
    run_id = _save(ws, shared, "unmatched", who, audited)
    return Outcome([f.report for f in shared.files], {**published, **_run_facts(shared, run_id),
                                                      **({"record_ids": records} if records is not None else {})})


def services(ws: Workspace, files: Sequence[SharedFile], by: str, who: str, threshold: int = DEFAULT_THRESHOLD,
             match_threshold: float = linkage.DEFAULT_THRESHOLD, unit_costs: Mapping[str, Decimal] | None = None,
             agreement_id: str | None = None, member: str | None = None) -> Outcome:
    """People known to 1, 2, ... N services by group and, with unit costs, the cost of their services."""
    published_threshold(threshold)
    if len(files) < 2:
        raise PlacespendError("give at least two pseudonymised files, one per service.")
    shared = open_shared(ws, files, who, by, agreement_id, member)
    if isinstance(shared, list):
        return Outcome(shared)
    partners = [po.Partner(f.name.rsplit(".", 1)[0], r.table) for f, r in zip(files, shared.files, strict=True)]
    links = {(i, j): _links(shared, i, j, match_threshold).links
             for i in range(len(partners)) for j in range(i + 1, len(partners))}
    persons = po.people(partners, links, by)
    floor = shared.threshold(threshold)
    published: dict[str, Any] = {"services": [p.name for p in partners],
                                 **po.known_to_services(persons, len(partners), floor, shared.agreement.rounding)}
    if unit_costs is not None:
        published["costs"] = po.cost_by_services(persons, po.record_costs(partners, unit_costs), len(partners), floor,
                                                 shared.agreement.rounding)
    run_id = _save(ws, shared, "services", who, published)
    return Outcome([f.report for f in shared.files], {**published, **_run_facts(shared, run_id)})
