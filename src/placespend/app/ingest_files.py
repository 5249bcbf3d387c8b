"""The thin service shared by the CLI and the web app: ingest validates, the engine stores.

Each function reads what validation needs from the workspace read-only first, so a rejected file leaves
the workspace byte-for-byte as it was.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from placespend.app import supersession
from placespend.domain import vocabulary as v
from placespend.domain.ledger_lines import FlowLine
from placespend.domain.places import Place
from placespend.domain.problems import Report
from placespend.engine import bodies_store, ledger_store, places_store, reference_store, tables
from placespend.engine.workspace import Workspace
from placespend.ingest.flows import checks, columnar_checks
from placespend.ingest.flows.checks import WorkspaceContext, check_return
from placespend.ingest.flows.columnar import ColumnarLines, ColumnarPart, exported, is_columnar, read_columnar_return
from placespend.ingest.flows.rows import column_label, read_return
from placespend.ingest.grants.orgids import use_orgid_places
from placespend.ingest.multi_area import RELATIONS, members_from_rows, place_by_population
from placespend.ingest.places import read_places
from placespend.ingest.plausibility import SliceKey, SliceTotals, report_large_lines
from placespend.ingest.reference.batch import ReferenceBatch
from placespend.ingest.registry import read_reference

Outcome = Literal["loaded", "unchanged", "rejected"]
REPLACE_HINT = ("If the new return is meant to replace the whole previous one, load it again with --replace "
                "(on the web, the analyst confirms when accepting it).")
ACCEPTANCE_HINT = "The count team will see this difference and must confirm it when accepting the return."


@dataclass
class Part:
    """One body's return inside a file: the lines one submission holds. A file's lines are grouped by spender,
    unless one submitter sends the whole file for the others (DESIGN.md §6)."""

    submitter: str
    lines: list[FlowLine] | ColumnarLines | ColumnarPart
    slices: dict[tuple[str, str], SliceTotals]  # (place, period) -> its lines' totals
    submission_id: int | None = None

    @property
    def line_count(self) -> int:
        return sum(s.lines for s in self.slices.values())

    @property
    def total(self) -> Decimal:
        return sum((s.total for s in self.slices.values()), Decimal("0.00"))

    def to_dict(self) -> dict[str, object]:
        return {"submission_id": self.submission_id, "submitter": self.submitter, "lines": self.line_count,
                "total": self.total}


@dataclass
class IngestResult:
    """One file's outcome. Its lines are FlowLines (row path: XLSX, odd CSVs) or, for CSV and Parquet
    returns, a `ColumnarLines` batch held in DuckDB; `line_count` and `total` describe either. `parts` are the
    submissions the file becomes (one per spender, or one for a named submitter)."""

    path: Path
    report: Report
    outcome: Outcome
    submission_id: int | None = None
    lines: list[FlowLine] = field(default_factory=list)
    submitters: list[str] = field(default_factory=list)
    bodies: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    content_hash: str = ""
    batch: ColumnarLines | None = None
    parts: list[Part] = field(default_factory=list)
    previous: dict[SliceKey, SliceTotals] = field(default_factory=dict)  # the submitters' live returns
    replacements: list[supersession.Replacement] = field(default_factory=list)

    @property
    def submitter(self) -> str | None:
        """The body submitting the file, when one does."""
        return self.submitters[0] if len(self.submitters) == 1 else None

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
        self.parts = []
        if self.batch is not None:
            self.batch.close()
            self.batch = None

    def to_dict(self) -> dict[str, object]:
        return {**self.report.to_dict(), "outcome": self.outcome, "submission_id": self.submission_id,
                "submitter": self.submitter, "submitters": self.submitters, "lines": self.line_count,
                "total": self.total, "submissions": [part.to_dict() for part in self.parts],
                "replaces": [r.to_dict() for r in self.replacements]}


def workspace_context(ws: Workspace) -> WorkspaceContext:
    if not ws.exists:
        return WorkspaceContext()
    with ws.read() as con:
        if "flows" not in con.list_tables():
            return WorkspaceContext()
        return WorkspaceContext(tables.known_places(con), tables.body_types(con), tables.peer_divisions(con))


def validate_return(ws: Workspace, path: Path, submitter: str | None = None, display_name: str | None = None,
                    only_spender: str | None = None, columnar: bool = True,
                    confirm_large: bool = False) -> IngestResult:
    """Validate one return against the workspace without changing anything.

    `only_spender` is set for a partner's upload: a partner may only report its own body's money.
    `confirm_large` lets lines larger than the submitter's whole previous return through (plausibility).
    CSV and Parquet returns are validated column by column (ingest.flows.columnar), other files and the few
    CSV layouts DuckDB does not read as Python's csv does row by row; both give the same report and lines.
    `columnar=False` forces the row path (the reference the columnar path is tested against).
    """
    context = workspace_context(ws)
    given = v.normalise_id(submitter) if submitter else None
    parsed_columns = read_columnar_return(path, context.known_places, display_name) \
        if columnar and is_columnar(path) else None
    if parsed_columns is not None:
        return _validated_columnar(ws, path, parsed_columns.report, parsed_columns.lines, context, given,
                                   only_spender, confirm_large)
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
    if not parsed.report.ok:
        return IngestResult(path, parsed.report, "rejected", submitters=[given] if given else [])
    slices = checks.slices_of(parsed.lines, given)
    previous = _previous(ws, slices)
    report_large_lines(checks.large_lines(parsed.lines, given, previous), previous, parsed.amount_column,
                       parsed.report, confirm_large)
    submitters = _submitters(slices, given)
    if not parsed.report.ok:
        return IngestResult(path, parsed.report, "rejected", submitters=submitters)
    own = _by_submitter(slices)
    lines_of: dict[str, list[FlowLine]] = {}
    for line in parsed.lines:
        lines_of.setdefault(given or line.spender, []).append(line)
    parts = [Part(who, lines_of.get(who, []), own.get(who, {})) for who in submitters]
    return IngestResult(path, parsed.report, "loaded", lines=parsed.lines, submitters=submitters,
                        bodies=parsed.bodies, parts=parts, previous=previous)


def _validated_columnar(ws: Workspace, path: Path, report: Report, lines: ColumnarLines | None,
                        context: WorkspaceContext, given: str | None, only_spender: str | None,
                        confirm_large: bool) -> IngestResult:
    """The columnar twin of the row path's checks above, in the same order."""
    if lines is not None and only_spender:
        columnar_checks.check_spender(lines, report, only_spender)
    if lines is not None and report.ok:
        columnar_checks.check_lines(lines, report, context)
    if lines is None or not report.ok:
        if lines is not None:
            lines.close()
        return IngestResult(path, report, "rejected", submitters=[given] if given else [])
    slices = columnar_checks.slices_of(lines, given)
    previous = _previous(ws, slices)
    amount = column_label(lines.source.header, "amount")
    report_large_lines(columnar_checks.large_lines(lines, given, previous), previous, amount, report, confirm_large)
    submitters = _submitters(slices, given)
    if not report.ok:
        lines.close()
        return IngestResult(path, report, "rejected", submitters=submitters)
    own = _by_submitter(slices)
    parts = [Part(who, lines if len(submitters) == 1 else ColumnarPart(lines, who), own.get(who, {}))
             for who in submitters]
    return IngestResult(path, report, "loaded", submitters=submitters, batch=lines, parts=parts, previous=previous)


def _previous(ws: Workspace, slices: dict[SliceKey, SliceTotals]) -> dict[SliceKey, SliceTotals]:
    return supersession.previous_returns(ws, sorted({who for who, _, _ in slices}))


def _submitters(slices: dict[SliceKey, SliceTotals], given: str | None) -> list[str]:
    """Who submits: the named body, else every spender (a file with no lines is the named body's, or nobody's)."""
    return [given] if given else sorted({who for who, _, _ in slices}) or [""]


def _by_submitter(slices: dict[SliceKey, SliceTotals]) -> dict[str, dict[tuple[str, str], SliceTotals]]:
    found: dict[str, dict[tuple[str, str], SliceTotals]] = {}
    for (who, place, period), totals in slices.items():
        found.setdefault(who, {})[(place, period)] = totals
    return found


def ingest_returns(ws: Workspace, paths: list[Path], submitter: str | None = None, status: str = "accepted",
                   only_spender: str | None = None, columnar: bool = True, confirm_large: bool = False,
                   replace: bool = False) -> list[IngestResult]:
    """Validate every file, then load them only if none has an error: a batch is all or nothing, in one
    transaction, whether its files hold one body's return or several.

    A return replacing most of the submitter's previous one, or moving its place's total by a large share
    (supersession), is an error unless `replace`; one waiting for acceptance (`status` submitted) only warns,
    and the analyst confirms on accepting it."""
    results: list[IngestResult] = []
    for path in paths:
        digest = file_hash(path)
        existing = ledger_store.find_by_hash(ws, digest)
        if existing is not None or digest in {r.content_hash for r in results}:  # the same file twice: once
            results.append(IngestResult(path, Report(path.name), "unchanged", existing, content_hash=digest))
            continue
        result = validate_return(ws, path, submitter, only_spender=only_spender, columnar=columnar,
                                 confirm_large=confirm_large)
        result.content_hash = digest
        results.append(result)
    for r in results:
        if r.outcome == "loaded":
            _guard(ws, r, replace, awaiting_acceptance=status != "accepted")
    if any(r.outcome == "rejected" for r in results):
        for r in results:
            if r.outcome == "loaded":
                r.outcome = "rejected"
                r.discard()
                r.report.warn("batch-rejected", "Not loaded because another file in the same batch has errors.")
        return results
    _record(ws, results, status)
    return results


def _record(ws: Workspace, results: list[IngestResult], status: str) -> None:
    """Every part of every valid file as a submission, in one transaction; files met twice get the first's id."""
    batches: list[ledger_store.Batch] = []
    for r in results:
        for part in r.parts if r.outcome == "loaded" else []:
            single = len(r.parts) == 1
            new = ledger_store.NewSubmission(r.content_hash if single else f"{r.content_hash}#{part.submitter}",
                                             r.path.name, r.path, part.submitter, status, len(r.report.warnings),
                                             file_hash=None if single else r.content_hash)
            batches.append((new, part.lines, r.bodies))  # type: ignore[arg-type]
    try:
        if batches:
            loads = exported([lines for _, lines, _ in batches])  # type: ignore[misc]
            batches = [(new, lines, bodies) for (new, _, bodies), lines in zip(batches, loads, strict=True)]
        ids = iter(ledger_store.record_submissions(ws, batches) if batches else [])
    finally:
        for r in results:
            if r.batch is not None:
                r.batch.close()
    for r in results:
        for part in r.parts if r.outcome == "loaded" else []:
            part.submission_id = next(ids)
        r.submission_id = r.parts[0].submission_id if r.outcome == "loaded" and r.parts else r.submission_id
    first = {r.content_hash: r.submission_id for r in reversed(results) if r.outcome == "loaded"}
    for r in results:
        if r.outcome == "unchanged" and r.submission_id is None:
            r.submission_id = first.get(r.content_hash)


def _guard(ws: Workspace, result: IngestResult, replace: bool, awaiting_acceptance: bool) -> None:
    """Find what the file's returns would replace; refuse a guarded replacement that is not confirmed."""
    new = {(part.submitter, place, period): totals for part in result.parts for (place, period), totals
           in part.slices.items()}
    result.replacements = supersession.replacements(ws, new, result.previous)
    supersession.report_guarded(result.replacements, result.report, replace,
                                ACCEPTANCE_HINT if awaiting_acceptance else REPLACE_HINT, awaiting_acceptance)
    if not result.report.ok:
        result.outcome = "rejected"
        result.discard()


def submission_history(ws: Workspace) -> list[dict[str, Any]]:
    """Every submission with which of its (place, period) slices are live and what superseded the others."""
    with ws.read() as con:
        return tables.submissions(con).to_pyarrow().to_pylist()


def file_hash(path: Path) -> str:
    """SHA-256 of a file read in chunks: a national return can be larger than the memory we allow ourselves."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


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
                                        file_hash=digest, coverage=batch.coverage), batch.lines, {})
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
