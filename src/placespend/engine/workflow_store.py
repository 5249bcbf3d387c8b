"""Rows of the submission workflow: upload attempts, line queries, and submissions as the web app lists them."""

from __future__ import annotations

import json
from typing import Any

from placespend.engine.accounts_store import now
from placespend.engine.workspace import Workspace


def _rows(ws: Workspace, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with ws.read() as con:
        cursor = con.con.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def record_attempt(ws: Workspace, submitter: str, username: str, file_name: str, content_hash: str, outcome: str,
                   submission_id: int | None, report: dict[str, Any]) -> int:
    with ws.write(changes_results=False) as con:
        raw = con.con
        attempt_id = raw.execute("SELECT coalesce(max(attempt_id), 0) + 1 FROM upload_attempts").fetchone()[0]
        raw.execute("INSERT INTO upload_attempts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [attempt_id, submitter, username, file_name, content_hash, now(), outcome, submission_id,
                     json.dumps(report, default=str)])
    return attempt_id


def attempts(ws: Workspace, submitter: str | None = None) -> list[dict[str, Any]]:
    where, params = ("WHERE submitter = ?", [submitter]) if submitter else ("", [])
    rows = _rows(ws, f"SELECT * FROM upload_attempts {where} ORDER BY attempt_id DESC", params)
    for row in rows:
        row["report"] = json.loads(row["report"]) if row["report"] else None
    return rows


def submissions(ws: Workspace, submitter: str | None = None, submission_id: int | None = None) -> list[dict[str, Any]]:
    clauses, params = [], []
    if submitter:
        clauses.append("s.submitter = ?")
        params.append(submitter)
    if submission_id is not None:
        clauses.append("s.submission_id = ?")
        params.append(submission_id)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return _rows(ws, f"""
        SELECT s.*, list(DISTINCT sl.place) AS places, list(DISTINCT sl.period) AS periods,
               bool_or(sl.superseded_by IS NULL) AS live, max(sl.superseded_by) AS superseded_by,
               (SELECT count(*) FROM line_queries q WHERE q.submission_id = s.submission_id
                AND q.resolved_at IS NULL) AS open_queries
        FROM submissions s LEFT JOIN submission_slices sl USING (submission_id)
        {where} GROUP BY ALL ORDER BY s.submission_id DESC""", params)


def submission_lines(ws: Workspace, submission_id: int) -> list[dict[str, Any]]:
    return _rows(ws, """SELECT source_sheet, source_row, period, place, spender, flow, recipient, cofog, amount,
                               place_share, counted_amount, apportionment, basis, notes
                        FROM flows WHERE submission_id = ? ORDER BY source_row""", [submission_id])


def add_query(ws: Workspace, submission_id: int, source_row: int | None, message: str, raised_by: str) -> int:
    with ws.write(changes_results=False) as con:
        raw = con.con
        query_id = raw.execute("SELECT coalesce(max(query_id), 0) + 1 FROM line_queries").fetchone()[0]
        raw.execute("INSERT INTO line_queries VALUES (?, ?, ?, ?, ?, ?, NULL)",
                    [query_id, submission_id, source_row, message, raised_by, now()])
    return query_id


def queries(ws: Workspace, submission_id: int) -> list[dict[str, Any]]:
    return _rows(ws, "SELECT * FROM line_queries WHERE submission_id = ? ORDER BY query_id", [submission_id])


def ledger_version(ws: Workspace) -> tuple[Any, ...]:
    """Changes whenever what the count sees changes: cached place pages are keyed by it."""
    with ws.read() as con:
        return con.con.execute("""
            SELECT (SELECT coalesce(max(submission_id), 0) FROM submissions),
                   (SELECT count(*) FROM submissions WHERE status = 'accepted'),
                   (SELECT count(*) FROM submission_slices WHERE superseded_by IS NOT NULL),
                   (SELECT coalesce(max(import_id), 0) FROM imports),
                   (SELECT count(*) FROM place_areas)""").fetchone()
