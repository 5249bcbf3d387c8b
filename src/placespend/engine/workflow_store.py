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


def _submission_filter(submitter: str | None, submission_id: int | None, status: str | None
                       ) -> tuple[str, list[Any]]:
    clauses, params = [], []
    for clause, value in (("submitter = ?", submitter), ("submission_id = ?", submission_id),
                          ("status = ?", status)):
        if value is not None and value != "":
            clauses.append(clause)
            params.append(value)
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


def submissions(ws: Workspace, submitter: str | None = None, submission_id: int | None = None,
                status: str | None = None, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    """Submissions, newest first, with their places, periods and whether any slice is in force. With `limit`,
    one page of them: the page is chosen before the slices are joined, so a page costs the same at 100 or
    100,000 submissions."""
    where, params = _submission_filter(submitter, submission_id, status)
    page = ""
    if limit is not None:
        page = "LIMIT ? OFFSET ?"
        params = [*params, limit, offset]
    return _rows(ws, f"""
        WITH chosen AS (SELECT * FROM submissions {where} ORDER BY submission_id DESC {page})
        SELECT s.*, list(DISTINCT sl.place) AS places, list(DISTINCT sl.period) AS periods,
               bool_or(sl.superseded_by IS NULL) AS live, max(sl.superseded_by) AS superseded_by,
               (SELECT count(*) FROM line_queries q WHERE q.submission_id = s.submission_id
                AND q.resolved_at IS NULL) AS open_queries
        FROM chosen s LEFT JOIN submission_slices sl USING (submission_id)
        GROUP BY ALL ORDER BY s.submission_id DESC""", params)


def submission_counts(ws: Workspace, submitter: str | None = None) -> dict[str, int]:
    """How many submissions are in each status (a partner: its own), for the page's filter and totals."""
    where, params = _submission_filter(submitter, None, None)
    rows = _rows(ws, f"SELECT status, count(*) AS n FROM submissions {where} GROUP BY status", params)
    return {row["status"]: int(row["n"]) for row in rows}


def partner_board(ws: Workspace) -> list[dict[str, Any]]:
    """Each partner's state from its latest upload and latest submission, in SQL: at national scale there are
    tens of thousands of submitters, and the page must not walk every submission in Python to find them."""
    return _rows(ws, """
        WITH attempt AS (
            SELECT submitter AS body, max_by(outcome, attempt_id) AS outcome,
                   max_by(happened_at, attempt_id) AS last_upload, max_by(file_name, attempt_id) AS file_name
            FROM upload_attempts GROUP BY submitter),
        latest AS (
            SELECT submitter AS body, max(submission_id) AS submission_id,
                   max_by(status, submission_id) AS status, max_by(file_name, submission_id) AS file_name
            FROM submissions GROUP BY submitter),
        everyone AS (
            SELECT organisation AS body FROM users WHERE role = 'partner' AND organisation IS NOT NULL
            UNION SELECT body FROM attempt UNION SELECT body FROM latest)
        SELECT e.body AS partner,
               CASE WHEN a.outcome = 'rejected' THEN 'errors' WHEN l.body IS NOT NULL THEN l.status
                    ELSE 'not started' END AS status,
               a.last_upload, l.submission_id,
               CASE WHEN a.body IS NOT NULL THEN a.file_name ELSE l.file_name END AS file_name
        FROM everyone e LEFT JOIN attempt a USING (body) LEFT JOIN latest l USING (body)
        ORDER BY e.body""", [])


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
