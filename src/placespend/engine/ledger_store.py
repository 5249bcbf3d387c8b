"""Writing returns into the ledger, all or nothing, and reading back what validation needs to know."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from placespend.engine import accounts_store
from placespend.engine.accounts_store import AuditEntry
from placespend.engine.workspace import Workspace
from placespend.ingest.columnar_flows import ColumnarLines
from placespend.ingest.columnar_layout import MONEY, SHARE, lines_table
from placespend.ingest.flows import FlowLine

__all__ = ["MONEY", "SHARE", "Batch", "NewSubmission", "record_submission", "record_submissions"]


@dataclass(frozen=True)
class NewSubmission:
    content_hash: str
    file_name: str
    source: Path
    submitter: str
    status: str
    warning_count: int
    file_hash: str | None = None  # the stored file's hash when one file holds several submissions


# A submission's lines: FlowLines from the row-by-row readers, or a validated columnar return held in DuckDB.
Lines = list[FlowLine] | ColumnarLines
Batch = tuple[NewSubmission, Lines, dict[str, tuple[str | None, str | None]]]


def find_by_hash(ws: Workspace, content_hash: str) -> int | None:
    if not ws.exists:
        return None
    with ws.read() as con:
        if "submissions" not in con.list_tables():
            return None
        row = con.con.execute("SELECT submission_id FROM submissions WHERE content_hash = ?",
                              [content_hash]).fetchone()
    return row[0] if row else None


def record_submission(ws: Workspace, new: NewSubmission, lines: Lines,
                      bodies: dict[str, tuple[str | None, str | None]]) -> int:
    """Store the file unchanged, then load its lines and supersede older slices in one transaction."""
    return record_submissions(ws, [(new, lines, bodies)])[0]


def record_submissions(ws: Workspace, batches: list[Batch]) -> list[int]:
    """Several submissions from one file (e.g. every council of a national return) in one transaction."""
    first = batches[0][0]
    stored_name = (first.file_hash or first.content_hash) + first.source.suffix.lower()
    with ws.write() as con, ws.keeping(first.source, stored_name):
        raw = con.con
        raw.execute("BEGIN TRANSACTION")
        try:
            ids = [_insert(raw, new, stored_name, lines, bodies) for new, lines, bodies in batches]
            raw.execute("COMMIT")
        except Exception:
            raw.execute("ROLLBACK")
            raise
        return ids


def _insert(raw, new: NewSubmission, stored_name: str, lines: Lines,
            bodies: dict[str, tuple[str | None, str | None]]) -> int:
    """One submission's rows; the caller holds the transaction."""
    if isinstance(lines, ColumnarLines):
        return _insert_columnar(raw, new, stored_name, lines)
    sid = _submission_row(raw, new, stored_name, len(lines), sum((line.counted_amount for line in lines), Decimal(0)))
    for place, period in sorted({(line.place, line.period) for line in lines}):
        raw.execute("INSERT INTO submission_slices VALUES (?, ?, ?, ?, NULL)", [sid, new.submitter, place, period])
    raw.register("new_flow_lines", _lines_table(sid, lines))
    raw.execute("INSERT INTO flows SELECT * FROM new_flow_lines")
    raw.unregister("new_flow_lines")
    _upsert_bodies(raw, lines, bodies)
    if new.status == "accepted":
        _supersede(raw, sid)
    return sid


def _insert_columnar(raw, new: NewSubmission, stored_name: str, lines: ColumnarLines) -> int:
    """A columnar return: no Python object per line; the lines come from the validation DuckDB as Parquet."""
    slices, bodies, exported = lines.slices(), lines.bodies(), lines.export()
    lines.release()
    sid = _submission_row(raw, new, stored_name, lines.count, lines.total)
    raw.register("new_slices", slices)
    raw.execute("INSERT INTO submission_slices SELECT ?, ?, place, period, NULL FROM new_slices", [sid, new.submitter])
    raw.unregister("new_slices")
    raw.execute("INSERT INTO flows SELECT ?::INTEGER, * FROM read_parquet(?)", [sid, str(exported)])
    raw.register("new_bodies", bodies)
    raw.execute("INSERT INTO bodies SELECT body, name, kind FROM new_bodies ON CONFLICT (body) DO UPDATE SET "
                "name = coalesce(excluded.name, bodies.name), "
                "body_type = coalesce(bodies.body_type, excluded.body_type)")
    raw.unregister("new_bodies")
    if new.status == "accepted":
        _supersede(raw, sid)
    return sid


def _submission_row(raw, new: NewSubmission, stored_name: str, count: int, total: Decimal) -> int:
    sid = raw.execute("SELECT coalesce(max(submission_id), 0) + 1 FROM submissions").fetchone()[0]
    raw.execute("INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [sid, new.content_hash, new.file_name, stored_name, new.submitter,
                 dt.datetime.now(dt.UTC).replace(tzinfo=None), new.status, count, total, new.warning_count])
    return sid


# Outturn outranks an estimate, which outranks a budget: a council's budget return loaded after its outturn
# must not replace the outturn in the count (seed 000 §4.3: budget mixed with outturn). Among equals, the
# newer submission wins.
# Only the submitter's own slices can supersede or be superseded by its return, so only they are ranked: on a
# national ledger ranking every slice meant joining all of `flows` (8 s at 10M lines) for each acceptance.
_SLICE_RANK = """
    CREATE OR REPLACE TEMP TABLE slice_rank AS
    WITH mine AS (SELECT sl.* FROM submission_slices sl
                  WHERE sl.submitter = (SELECT submitter FROM submissions WHERE submission_id = $sid)
                    AND (sl.place, sl.period) IN (SELECT (place, period) FROM submission_slices
                                                  WHERE submission_id = $sid))
    SELECT mine.submission_id, mine.submitter, mine.place, mine.period, mine.superseded_by, s.status,
           coalesce(max(CASE f.basis WHEN 'outturn' THEN 3 WHEN 'estimate' THEN 2 ELSE 1 END), 1) AS r
    FROM mine JOIN submissions s USING (submission_id)
    LEFT JOIN flows f ON f.submission_id = mine.submission_id AND f.place = mine.place AND f.period = mine.period
    GROUP BY ALL
"""
_BEATS = "(a.r > b.r OR (a.r = b.r AND a.submission_id > b.submission_id))"


def _supersede(raw, sid: int) -> None:
    """Settle which accepted return of a submitter is live for each place and period it covers."""
    raw.execute(_SLICE_RANK, {"sid": sid})
    raw.execute(f"""
        UPDATE submission_slices AS t SET superseded_by = a.submission_id
        FROM slice_rank AS a, slice_rank AS b
        WHERE a.submission_id = ? AND b.submission_id <> a.submission_id AND b.status = 'accepted'
          AND b.superseded_by IS NULL AND b.submitter = a.submitter AND b.place = a.place AND b.period = a.period
          AND {_BEATS} AND t.submission_id = b.submission_id AND t.place = b.place AND t.period = b.period
    """, [sid])
    raw.execute(f"""
        UPDATE submission_slices AS t SET superseded_by = (
            SELECT max(a.submission_id) FROM slice_rank AS a, slice_rank AS b
            WHERE b.submission_id = t.submission_id AND b.place = t.place AND b.period = t.period
              AND a.submission_id <> b.submission_id AND a.status = 'accepted' AND a.superseded_by IS NULL
              AND a.submitter = b.submitter AND a.place = b.place AND a.period = b.period AND {_BEATS})
        WHERE t.submission_id = ? AND t.superseded_by IS NULL AND EXISTS (
            SELECT 1 FROM slice_rank AS a, slice_rank AS b
            WHERE b.submission_id = t.submission_id AND b.place = t.place AND b.period = t.period
              AND a.submission_id <> b.submission_id AND a.status = 'accepted' AND a.superseded_by IS NULL
              AND a.submitter = b.submitter AND a.place = b.place AND a.period = b.period AND {_BEATS})
    """, [sid])
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
                _supersede(raw, sid)
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
