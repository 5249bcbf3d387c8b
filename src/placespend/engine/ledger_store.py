"""Writing returns into the ledger, all or nothing, and reading back what validation needs to know."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from placespend.domain import vocabulary as v
from placespend.engine.workspace import Workspace
from placespend.ingest.flows import FlowLine

MONEY = pa.decimal128(18, 2)
SHARE = pa.decimal128(9, 8)


@dataclass(frozen=True)
class NewSubmission:
    content_hash: str
    file_name: str
    source: Path
    submitter: str
    status: str
    warning_count: int
    file_hash: str | None = None  # the stored file's hash when one file holds several submissions


Batch = tuple[NewSubmission, list[FlowLine], dict[str, tuple[str | None, str | None]]]


def find_by_hash(ws: Workspace, content_hash: str) -> int | None:
    if not ws.exists:
        return None
    with ws.read() as con:
        if "submissions" not in con.list_tables():
            return None
        row = con.con.execute("SELECT submission_id FROM submissions WHERE content_hash = ?",
                              [content_hash]).fetchone()
    return row[0] if row else None


def record_submission(ws: Workspace, new: NewSubmission, lines: list[FlowLine],
                      bodies: dict[str, tuple[str | None, str | None]]) -> int:
    """Store the file unchanged, then load its lines and supersede older slices in one transaction."""
    return record_submissions(ws, [(new, lines, bodies)])[0]


def record_submissions(ws: Workspace, batches: list[Batch]) -> list[int]:
    """Several submissions from one file (e.g. every council of a national return) in one transaction."""
    first = batches[0][0]
    stored_name = (first.file_hash or first.content_hash) + first.source.suffix.lower()
    target = ws.stored_file(stored_name)
    created = not target.exists()
    if created:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(first.source, target)
    try:
        with ws.write() as con:
            raw = con.con
            raw.execute("BEGIN TRANSACTION")
            try:
                ids = [_insert(raw, new, stored_name, lines, bodies) for new, lines, bodies in batches]
                raw.execute("COMMIT")
            except Exception:
                raw.execute("ROLLBACK")
                raise
            return ids
    except Exception:
        if created:
            target.unlink(missing_ok=True)
        raise


def _insert(raw, new: NewSubmission, stored_name: str, lines: list[FlowLine],
            bodies: dict[str, tuple[str | None, str | None]]) -> int:
    """One submission's rows; the caller holds the transaction."""
    sid = raw.execute("SELECT coalesce(max(submission_id), 0) + 1 FROM submissions").fetchone()[0]
    total = sum((line.counted_amount for line in lines), Decimal(0))
    raw.execute("INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [sid, new.content_hash, new.file_name, stored_name, new.submitter,
                 dt.datetime.now(dt.UTC).replace(tzinfo=None), new.status, len(lines), total, new.warning_count])
    for place, period in sorted({(line.place, line.period) for line in lines}):
        raw.execute("INSERT INTO submission_slices VALUES (?, ?, ?, ?, NULL)", [sid, new.submitter, place, period])
    raw.register("new_flow_lines", _lines_table(sid, lines))
    raw.execute("INSERT INTO flows SELECT * FROM new_flow_lines")
    raw.unregister("new_flow_lines")
    _upsert_bodies(raw, lines, bodies)
    if new.status == "accepted":
        _supersede(raw, sid)
    return sid


# Outturn outranks an estimate, which outranks a budget: a council's budget return loaded after its outturn
# must not replace the outturn in the count (seed 000 §4.3: budget mixed with outturn). Among equals, the
# newer submission wins.
_SLICE_RANK = """
    CREATE OR REPLACE TEMP VIEW slice_rank AS
    SELECT sl.submission_id, sl.submitter, sl.place, sl.period, sl.superseded_by, s.status,
           coalesce(max(CASE f.basis WHEN 'outturn' THEN 3 WHEN 'estimate' THEN 2 ELSE 1 END), 1) AS r
    FROM submission_slices sl JOIN submissions s USING (submission_id)
    LEFT JOIN flows f ON f.submission_id = sl.submission_id AND f.place = sl.place AND f.period = sl.period
    GROUP BY ALL
"""
_BEATS = "(a.r > b.r OR (a.r = b.r AND a.submission_id > b.submission_id))"


def _supersede(raw, sid: int) -> None:
    """Settle which accepted return of a submitter is live for each place and period it covers."""
    raw.execute(_SLICE_RANK)
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
    raw.execute("DROP VIEW slice_rank")


def set_status(ws: Workspace, sid: int, status: str) -> None:
    """Move a submission through the workflow; accepting it puts it in the count and supersedes older ones."""
    with ws.write() as con:
        raw = con.con
        raw.execute("BEGIN TRANSACTION")
        try:
            raw.execute("UPDATE submissions SET status = ? WHERE submission_id = ?", [status, sid])
            if status == "accepted":
                _supersede(raw, sid)
            raw.execute("COMMIT")
        except Exception:
            raw.execute("ROLLBACK")
            raise


def _lines_table(sid: int, lines: list[FlowLine]) -> pa.Table:
    def col(name: str) -> list[object]:
        return [getattr(line, name) for line in lines]

    return pa.table({
        "submission_id": pa.array([sid] * len(lines), pa.int32()),
        "source_sheet": pa.array(col("sheet"), pa.string()),
        "source_row": pa.array(col("row"), pa.int32()),
        **{name: pa.array(col(name), pa.string()) for name in ("period", "place", "spender", "spender_type", "flow")},
        "amount": pa.array(col("amount"), MONEY),
        "place_share": pa.array(col("place_share"), SHARE),
        "counted_amount": pa.array(col("counted_amount"), MONEY),
        **{name: pa.array(col(name), pa.string()) for name in (
            "cofog", "cofog_division", "cofog_source", "recipient", "recipient_type", "funder", "funder_type",
            "spender_name", "recipient_name", "funder_name", "service_scheme", "service_code", "capital_revenue",
            "basis", "recurrence", "apportionment")},
        "method": pa.array([v.method_of(line.apportionment, line.basis) for line in lines], pa.string()),
        "ring_fenced": pa.array(col("ring_fenced"), pa.bool_()),
        "statutory": pa.array(col("statutory"), pa.bool_()),
        **{name: pa.array(col(name), pa.string()) for name in ("funding_stream", "theme", "line_id", "notes")},
        "extra": pa.array([json.dumps(line.extra) if line.extra else None for line in lines], pa.string()),
    })


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
