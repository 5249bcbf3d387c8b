"""The thin service shared by the CLI and the web app: ingest validates, the engine stores.

Each function reads what validation needs from the workspace read-only first, so a rejected file leaves
the workspace byte-for-byte as it was.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

from placespend.domain import vocabulary as v
from placespend.domain.problems import Report
from placespend.engine import bodies_store, ledger_store, places_store, reference_store, tables
from placespend.engine.workspace import Workspace
from placespend.ingest import columnar_checks
from placespend.ingest.checks import WorkspaceContext, check_return
from placespend.ingest.columnar_flows import ColumnarLines, is_columnar, read_columnar_return
from placespend.ingest.flows import FlowLine, read_return
from placespend.ingest.grants.orgids import use_orgid_places
from placespend.ingest.multi_area import RELATIONS, members_from_rows, place_by_population
from placespend.ingest.places import Place, read_places
from placespend.ingest.reference import read_reference
from placespend.ingest.reference.batch import ReferenceBatch

Outcome = Literal["loaded", "unchanged", "rejected"]


@dataclass
class IngestResult:
    """One file's outcome. Its lines are FlowLines (row path: XLSX, odd CSVs) or, for CSV and Parquet
    returns, a `ColumnarLines` batch held in DuckDB; `line_count` and `total` describe either."""

    path: Path
    report: Report
    outcome: Outcome
    submission_id: int | None = None
    lines: list[FlowLine] = field(default_factory=list)
    submitter: str | None = None
    bodies: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    content_hash: str = ""
    batch: ColumnarLines | None = None

    @property
    def line_count(self) -> int:
        return self.batch.count if self.batch is not None else len(self.lines)

    @property
    def total(self) -> Decimal:
        if self.batch is not None:
            return self.batch.total
        return sum((line.counted_amount for line in self.lines), Decimal("0.00"))

    def discard(self) -> None:
        """Drop the validated lines (a rejected batch, or once they are stored)."""
        self.lines = []
        if self.batch is not None:
            self.batch.close()
            self.batch = None

    def to_dict(self) -> dict[str, object]:
        return {**self.report.to_dict(), "outcome": self.outcome, "submission_id": self.submission_id,
                "submitter": self.submitter, "lines": self.line_count, "total": self.total}


def workspace_context(ws: Workspace) -> WorkspaceContext:
    if not ws.exists:
        return WorkspaceContext()
    with ws.read() as con:
        if "flows" not in con.list_tables():
            return WorkspaceContext()
        return WorkspaceContext(tables.known_places(con), tables.body_types(con), tables.peer_divisions(con))


def validate_return(ws: Workspace, path: Path, submitter: str | None = None, display_name: str | None = None,
                    only_spender: str | None = None, columnar: bool = True) -> IngestResult:
    """Validate one return against the workspace without changing anything.

    `only_spender` is set for a partner's upload: a partner may only report its own body's money.
    CSV and Parquet returns are validated column by column (ingest.columnar_flows), other files and the few
    CSV layouts DuckDB does not read as Python's csv does row by row; both give the same report and lines.
    `columnar=False` forces the row path (the reference the columnar path is tested against).
    """
    context = workspace_context(ws)
    parsed_columns = read_columnar_return(path, context.known_places, display_name) \
        if columnar and is_columnar(path) else None
    if parsed_columns is not None:
        return _validated_columnar(path, parsed_columns.report, parsed_columns.lines, context, submitter, only_spender)
    parsed = read_return(path, context.known_places, display_name)
    if only_spender:
        for line in parsed.lines:
            if line.spender != only_spender:
                parsed.report.error("spender-not-yours", f"This line reports '{line.spender}', but you submit for "
                                    f"'{only_spender}'; send only your own body's lines.", sheet=line.sheet,
                                    row=line.row, column="spender", value=line.spender)
        if not parsed.report.ok:
            parsed.lines.clear()
    check_return(parsed.lines, parsed.report, context)
    who = _submitter(parsed.lines, parsed.report, submitter)
    if not parsed.report.ok:
        return IngestResult(path, parsed.report, "rejected", submitter=who)
    return IngestResult(path, parsed.report, "loaded", None, parsed.lines, who, parsed.bodies)


def _validated_columnar(path: Path, report: Report, lines: ColumnarLines | None, context: WorkspaceContext,
                        submitter: str | None, only_spender: str | None) -> IngestResult:
    """The columnar twin of the row path's checks above, in the same order."""
    if lines is not None and only_spender:
        columnar_checks.check_spender(lines, report, only_spender)
        if not report.ok:
            lines.close()
            lines = None
    if lines is not None:
        columnar_checks.check_lines(lines, report, context)
        who = columnar_checks.submitter_of(lines, report, submitter)
    else:
        who = v.normalise_id(submitter) if submitter else None
    if not report.ok:
        if lines is not None:
            lines.close()
        return IngestResult(path, report, "rejected", submitter=who)
    return IngestResult(path, report, "loaded", None, submitter=who, batch=lines)


def ingest_returns(ws: Workspace, paths: list[Path], submitter: str | None = None, status: str = "accepted",
                   only_spender: str | None = None, columnar: bool = True) -> list[IngestResult]:
    """Validate every file, then load them only if none has an error: a batch is all or nothing."""
    results = []
    for path in paths:
        digest = file_hash(path)
        existing = ledger_store.find_by_hash(ws, digest)
        if existing is not None:
            results.append(IngestResult(path, Report(path.name), "unchanged", existing))
            continue
        result = validate_return(ws, path, submitter, only_spender=only_spender, columnar=columnar)
        result.content_hash = digest
        results.append(result)
    if any(r.outcome == "rejected" for r in results):
        for r in results:
            if r.outcome == "loaded":
                r.outcome = "rejected"
                r.discard()
                r.report.warn("batch-rejected", "Not loaded because another file in the same batch has errors.")
        return results
    for r in results:
        if r.outcome == "loaded":
            new = ledger_store.NewSubmission(r.content_hash, r.path.name, r.path, r.submitter or "", status,
                                             len(r.report.warnings))
            try:
                r.submission_id = ledger_store.record_submission(ws, new, r.batch or r.lines, r.bodies)
            finally:
                if r.batch is not None:
                    r.batch.close()
    return results


def file_hash(path: Path) -> str:
    """SHA-256 of a file read in chunks: a national return can be larger than the memory we allow ourselves."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _submitter(lines: list[FlowLine], report: Report, given: str | None) -> str | None:
    if given:
        return v.normalise_id(given)
    spenders = sorted({line.spender for line in lines})
    if len(spenders) > 1:
        report.error("submitter-ambiguous", f"The return has lines from {len(spenders)} spenders "
                     f"({', '.join(spenders[:5])}...); say which body submits it (--submitter).")
        return None
    return spenders[0] if spenders else None


def import_places(ws: Workspace, path: Path) -> tuple[Report, int]:
    report, places = read_places(path)
    if not report.ok:
        return report, 0
    return report, places_store.save_places(ws, places)


@dataclass
class ImportResult:
    path: Path
    report: Report
    outcome: Outcome
    reader: str | None = None
    rows: dict[str, int] = field(default_factory=dict)
    import_id: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {**self.report.to_dict(), "outcome": self.outcome, "reader": self.reader, "rows": self.rows,
                "import_id": self.import_id}


def import_reference(ws: Workspace, path: Path, kind: str | None = None) -> ImportResult:
    """Recognise, read and store one reference file; the same file twice changes nothing.

    Transactions, grants and council returns arrive as ledger lines: one accepted submission per publishing
    body, all of a file's submissions in one transaction.
    """
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    existing = reference_store.find_import(ws, digest)
    if existing is not None or ledger_store.find_by_hash(ws, digest) is not None:
        return ImportResult(path, Report(path.name), "unchanged", import_id=existing)
    with use_orgid_places(bodies_store.orgid_places(ws)):
        report, reader, batches = read_reference(path, kind)
    if not report.ok or reader is None:
        return ImportResult(path, report, "rejected", reader.name if reader else None)
    rows: dict[str, int] = {}
    for batch in batches:
        rows[batch.kind] = rows.get(batch.kind, 0) + (len(batch.lines) if batch.kind == "flows" else
                                                       batch.table.num_rows)
    places = [batch for batch in batches if batch.kind == "places"]
    if places:
        places_store.save_places(ws, _places_of(places[0].table.to_pylist()))
    flows = [batch for batch in batches if batch.kind == "flows" and batch.lines]
    _place_multi_area(ws, flows, report)
    if flows:
        single = len(flows) == 1
        ledger_store.record_submissions(ws, [
            (ledger_store.NewSubmission(digest if single else f"{digest}#{batch.submitter}", path.name, path,
                                        batch.submitter or "unknown", "accepted", len(report.warnings),
                                        file_hash=digest), batch.lines, {})
            for batch in flows])
    others = [(batch.kind, batch.table) for batch in batches if batch.kind not in {"places", "flows"}]
    import_id = reference_store.save_reference(ws, digest, path.name, reader.name, others) if others else None
    return ImportResult(path, report, "loaded", reader.name, rows, import_id)


def _place_multi_area(ws: Workspace, flows: list[ReferenceBatch], report: Report) -> None:
    """Lines of authorities spanning several districts placed in them by population (ingest.multi_area), from
    the workspace's lookups and populations."""
    codes = sorted({line.place for batch in flows for line in batch.lines})
    members = members_from_rows(reference_store.multi_area_members(ws, codes, RELATIONS))
    if not members:
        return
    known = reference_store.place_and_area_codes(ws)
    for batch in flows:
        batch.lines = place_by_population(batch.lines, members, known, report)


def _places_of(rows: list[dict[str, str]]) -> list[Place]:
    places: dict[str, Place] = {}
    for row in rows:
        places.setdefault(row["place"], Place(row["place"], row["name"], row["region"])).areas.append(row["area"])
    return list(places.values())
