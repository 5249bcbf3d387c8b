"""Writing returns into the ledger, all or nothing, and reading back what validation needs to know."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from placespend.domain.ledger_lines import MONEY, SHARE, ColumnarExport, ExportedPart, FlowLine, lines_table
from placespend.engine import accounts_store
from placespend.engine.accounts_store import AuditEntry
from placespend.engine.memory_caps import memory_limit_lowered
from placespend.engine.slices_store import rank_sql
from placespend.engine.workspace import Workspace

__all__ = ["MONEY", "SHARE", "Batch", "NewSubmission", "record_submission", "record_submissions"]

MIN_MEMORY = 256 * 1024**2  # the least the workspace keeps while a return streams in (see _streamed)


@dataclass(frozen=True)
class NewSubmission:
    content_hash: str
    file_name: str
    source: Path
    submitter: str
    status: str
    warning_count: int
    file_hash: str | None = None  # the stored file's hash when one file holds several submissions
    coverage: str | None = None  # the dates covered, when the submitter's files add up (ReferenceBatch.coverage)

    @property
    def slice_key(self) -> str:
        """Whose earlier lines this return may supersede: the submitter's, or its file of the same dates."""
        return f"{self.submitter}#{self.coverage}" if self.coverage else self.submitter


# A submission's lines: FlowLines from the row-by-row readers, a validated columnar return exported as Parquet, or
# one spender's part of an exported columnar return that holds several bodies' returns.
Lines = list[FlowLine] | ColumnarExport | ExportedPart
Bodies = dict[str, tuple[str | None, str | None]]
Batch = tuple[NewSubmission, Lines, Bodies]


@dataclass
class _Parts:
    """The submissions of one columnar file of several bodies' returns, loaded together in a few statements
    (one per submission would take an hour for a national file of 60,000 bodies)."""

    export: ColumnarExport
    news: list[NewSubmission]
    spenders: list[str]


def find_by_hash(ws: Workspace, content_hash: str) -> int | None:
    if not ws.exists:
        return None
    with ws.read() as con:
        if "submissions" not in con.list_tables():
            return None
        # A file of several bodies' returns is stored as one submission each, hashed `<file hash>#<submitter>`.
        row = con.con.execute("SELECT min(submission_id) FROM submissions WHERE content_hash = ? "
                              "OR starts_with(content_hash, ? || '#')", [content_hash, content_hash]).fetchone()
    return row[0] if row else None


def record_submission(ws: Workspace, new: NewSubmission, lines: Lines,
                      bodies: dict[str, tuple[str | None, str | None]]) -> int:
    """Store the file unchanged, then load its lines and supersede older slices in one transaction."""
    return record_submissions(ws, [(new, lines, bodies)])[0]


def record_submissions(ws: Workspace, batches: list[Batch]) -> list[int]:
    """Several submissions in one transaction: every body's return in one file (a national return, a
    partnership's flows CSV), or every file of one `ingest`. Each file is stored once, unchanged, while the
    write is held (Workspace.keeping says why)."""
    loads = _exported(batches)
    stored = {new.source: (new.file_hash or new.content_hash) + new.source.suffix.lower() for new, _, _ in batches}
    with ws.write() as con, ExitStack() as kept:
        for source, name in stored.items():
            kept.enter_context(ws.keeping(source, name))
        raw = con.con
        raw.execute("BEGIN TRANSACTION")
        try:
            ids = []
            for load in loads:
                if isinstance(load, _Parts):
                    ids += _insert_parts(raw, load, stored[load.news[0].source])
                else:
                    ids.append(_insert(raw, load[0], stored[load[0].source], load[1], load[2]))
            raw.execute("COMMIT")
        except Exception:
            raw.execute("ROLLBACK")
            raise
        return ids


def _exported(batches: list[Batch]) -> list[tuple[NewSubmission, list[FlowLine] | ColumnarExport, Bodies] | _Parts]:
    """The parts of one exported file of several bodies' returns grouped, to load in a few statements."""
    loads: list[tuple[NewSubmission, list[FlowLine] | ColumnarExport, Bodies] | _Parts] = []
    groups: dict[int, _Parts] = {}
    for new, lines, bodies in batches:
        if isinstance(lines, ExportedPart):
            group = groups.get(id(lines.export))
            if group is None:
                group = groups[id(lines.export)] = _Parts(lines.export, [], [])
                loads.append(group)
            group.news.append(new)
            group.spenders.append(lines.spender)
        else:
            loads.append((new, lines, bodies))
    return loads


def _insert(raw, new: NewSubmission, stored_name: str, lines: list[FlowLine] | ColumnarExport,
            bodies: Bodies) -> int:
    """One submission's rows; the caller holds the transaction."""
    if isinstance(lines, ColumnarExport):
        return _insert_columnar(raw, new, stored_name, lines)
    sid = _submission_row(raw, new, stored_name, len(lines), sum((line.counted_amount for line in lines), Decimal(0)))
    for place, period in sorted({(line.place, line.period) for line in lines}):
        raw.execute("INSERT INTO submission_slices VALUES (?, ?, ?, ?, NULL)", [sid, new.slice_key, place, period])
    raw.register("new_flow_lines", _lines_table(sid, lines))
    raw.execute("INSERT INTO flows SELECT * FROM new_flow_lines")
    raw.unregister("new_flow_lines")
    _upsert_bodies(raw, lines, bodies)
    if new.status == "accepted":
        _supersede(raw, [sid])
    return sid


@contextmanager
def _streamed(raw, lines: ColumnarExport) -> Iterator[None]:
    """View `new_lines` over the validated lines as they stream from the validation database, which stays open
    meanwhile: the workspace's memory limit gives up the validation database's share for that time, and the
    validation database is closed once they are in, so the refresh that follows has the whole budget."""
    with memory_limit_lowered(raw, lambda limit: max(limit - lines.held_memory, MIN_MEMORY)):
        raw.register("new_lines", lines.batches())
        try:
            yield
        finally:
            raw.unregister("new_lines")
            lines.release()


def _insert_columnar(raw, new: NewSubmission, stored_name: str, lines: ColumnarExport) -> int:
    """A columnar return: no Python object per line; the lines stream in from the validation DuckDB."""
    sid = _submission_row(raw, new, stored_name, lines.count, lines.total)
    raw.register("new_slices", lines.slices)
    raw.execute("INSERT INTO submission_slices SELECT DISTINCT ?, ?, place, period, NULL FROM new_slices",
                [sid, new.slice_key])
    raw.unregister("new_slices")
    with _streamed(raw, lines):
        raw.execute("INSERT INTO flows SELECT ?::INTEGER, * FROM new_lines", [sid])
    _upsert_new_bodies(raw, lines.bodies)
    if new.status == "accepted":
        _supersede(raw, [sid])
    return sid


def _insert_parts(raw, parts: _Parts, stored_name: str) -> list[int]:
    """Each spender's lines of one columnar file as its own submission, all in a handful of statements."""
    first = raw.execute("SELECT coalesce(max(submission_id), 0) + 1 FROM submissions").fetchone()[0]
    sids = list(range(first, first + len(parts.news)))
    totals: dict[str, tuple[int, Decimal]] = {}
    for row in parts.export.slices.to_pylist():
        lines, total = totals.get(row["spender"], (0, Decimal(0)))
        totals[row["spender"]] = (lines + row["lines"], total + row["total"])
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    raw.register("new_parts", pa.table({
        "submission_id": sids, "content_hash": [n.content_hash for n in parts.news],
        "file_name": [n.file_name for n in parts.news], "stored_name": [stored_name] * len(sids),
        "submitter": [n.submitter for n in parts.news], "loaded_at": [now] * len(sids),
        "status": [n.status for n in parts.news], "line_count": [totals[s][0] for s in parts.spenders],
        "total_amount": pa.array([totals[s][1] for s in parts.spenders], MONEY),
        "warning_count": [n.warning_count for n in parts.news], "spender": parts.spenders}))
    raw.register("new_slices", parts.export.slices)
    try:
        raw.execute("INSERT INTO submissions SELECT * EXCLUDE (spender) FROM new_parts")
        raw.execute("INSERT INTO submission_slices SELECT p.submission_id, p.submitter, s.place, s.period, NULL "
                    "FROM new_slices s JOIN new_parts p USING (spender)")
        with _streamed(raw, parts.export):
            raw.execute("INSERT INTO flows SELECT p.submission_id, f.* FROM new_lines f "
                        "JOIN new_parts p ON p.spender = f.spender")
    finally:
        raw.unregister("new_slices")
        raw.unregister("new_parts")
    _upsert_new_bodies(raw, parts.export.bodies)
    accepted = [sid for sid, new in zip(sids, parts.news, strict=True) if new.status == "accepted"]
    if accepted:
        _supersede(raw, accepted)  # one submission per submitter: none supersedes another of the same file
    return sids


def _upsert_new_bodies(raw, bodies: pa.Table) -> None:
    raw.register("new_bodies", bodies)
    raw.execute("INSERT INTO bodies SELECT body, name, kind FROM new_bodies ON CONFLICT (body) DO UPDATE SET "
                "name = coalesce(excluded.name, bodies.name), "
                "body_type = coalesce(bodies.body_type, excluded.body_type)")
    raw.unregister("new_bodies")


def _submission_row(raw, new: NewSubmission, stored_name: str, count: int, total: Decimal) -> int:
    sid = raw.execute("SELECT coalesce(max(submission_id), 0) + 1 FROM submissions").fetchone()[0]
    raw.execute("INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [sid, new.content_hash, new.file_name, stored_name, new.submitter,
                 dt.datetime.now(dt.UTC).replace(tzinfo=None), new.status, count, total, new.warning_count])
    return sid


# Outturn outranks an estimate, which outranks a budget (vocabulary.BASIS_RANK): a council's budget return loaded
# after its outturn must not replace the outturn in the count (seed 000 §4.3: budget mixed with outturn). Among
# equals, the newer submission wins.
# Only the submitter's own slices can supersede or be superseded by its return, so only they are ranked: on a
# national ledger ranking every slice meant joining all of `flows` (8 s at 10M lines) for each acceptance.
_SLICE_RANK = f"""
    CREATE OR REPLACE TEMP TABLE slice_rank AS
    WITH new AS (SELECT submitter, place, period FROM submission_slices WHERE list_contains($sids, submission_id)),
    mine AS (SELECT sl.* FROM submission_slices sl
             SEMI JOIN new ON new.submitter = sl.submitter AND new.place = sl.place AND new.period = sl.period)
    SELECT mine.submission_id, mine.submitter, mine.place, mine.period, mine.superseded_by, s.status,
           coalesce(max({rank_sql("f.basis")}), 1) AS r
    FROM mine JOIN submissions s USING (submission_id)
    LEFT JOIN flows f ON f.submission_id = mine.submission_id AND f.place = mine.place AND f.period = mine.period
    GROUP BY ALL
"""
_BEATS = "(a.r > b.r OR (a.r = b.r AND a.submission_id > b.submission_id))"


def _supersede(raw, sids: list[int]) -> None:
    """Settle which accepted return of a submitter is live for each place and period these submissions cover.

    The submissions must be of different submitters (one file's parts, or one), so none of them competes with
    another for a slice."""
    raw.execute(_SLICE_RANK, {"sids": sids})
    raw.execute(f"""
        UPDATE submission_slices AS t SET superseded_by = a.submission_id
        FROM slice_rank AS a, slice_rank AS b
        WHERE list_contains(?, a.submission_id) AND b.submission_id <> a.submission_id AND b.status = 'accepted'
          AND b.superseded_by IS NULL AND b.submitter = a.submitter AND b.place = a.place AND b.period = a.period
          AND {_BEATS} AND t.submission_id = b.submission_id AND t.place = b.place AND t.period = b.period
    """, [sids])
    raw.execute(f"""
        UPDATE submission_slices AS t SET superseded_by = (
            SELECT max(a.submission_id) FROM slice_rank AS a, slice_rank AS b
            WHERE b.submission_id = t.submission_id AND b.place = t.place AND b.period = t.period
              AND a.submission_id <> b.submission_id AND a.status = 'accepted' AND a.superseded_by IS NULL
              AND a.submitter = b.submitter AND a.place = b.place AND a.period = b.period AND {_BEATS})
        WHERE list_contains(?, t.submission_id) AND t.superseded_by IS NULL AND EXISTS (
            SELECT 1 FROM slice_rank AS a, slice_rank AS b
            WHERE b.submission_id = t.submission_id AND b.place = t.place AND b.period = t.period
              AND a.submission_id <> b.submission_id AND a.status = 'accepted' AND a.superseded_by IS NULL
              AND a.submitter = b.submitter AND a.place = b.place AND a.period = b.period AND {_BEATS})
    """, [sids])
    raw.execute("DROP TABLE slice_rank")


def set_status(ws: Workspace, sid: int, status: str, audit: AuditEntry | None = None) -> None:
    """Move a submission through the workflow; accepting it puts it in the count, supersedes older ones and
    closes its queries. One transaction with its audit entry: a process killed half way leaves the
    submission as it was, never accepted without its record or with its queries closed but not accepted."""
    with ws.write() as con:
        raw = con.con
        raw.execute("BEGIN TRANSACTION")
        try:
            raw.execute("UPDATE submissions SET status = ? WHERE submission_id = ?", [status, sid])
            if status == "accepted":
                raw.execute("UPDATE line_queries SET resolved_at = ? WHERE submission_id = ? AND resolved_at IS NULL",
                            [accounts_store.now(), sid])
                _supersede(raw, [sid])
            if audit is not None:
                accounts_store.insert_audit(raw, audit)
            raw.execute("COMMIT")
        except Exception:
            raw.execute("ROLLBACK")
            raise


def _lines_table(sid: int, lines: list[FlowLine]) -> pa.Table:
    table = lines_table(lines)
    return table.add_column(0, "submission_id", pa.array([sid] * len(lines), pa.int32()))


def _upsert_bodies(raw, lines: list[FlowLine], bodies: dict[str, tuple[str | None, str | None]]) -> None:
    found: dict[str, tuple[str | None, str | None]] = {}
    for line in lines:
        found.setdefault(line.spender, (line.spender_name, line.spender_type))
        if line.recipient:
            found.setdefault(line.recipient, (line.recipient_name, line.recipient_type))
        if line.funder:
            found.setdefault(line.funder, (line.funder_name, line.funder_type))
    found.update({body: info for body, info in bodies.items() if info[0] or info[1]})
    for body, (name, kind) in sorted(found.items()):
        raw.execute("INSERT INTO bodies VALUES (?, ?, ?) ON CONFLICT (body) DO UPDATE SET "
                    "name = coalesce(excluded.name, bodies.name), "
                    "body_type = coalesce(bodies.body_type, excluded.body_type)", [body, name, kind])
