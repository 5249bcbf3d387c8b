"""The submission workflow shared by the web app and API: partners submit, analysts query and accept.

Partner isolation is enforced here, where data is read, not in templates: every function that returns
submissions takes the user and filters by the user's organisation.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from placespend import place_view, service
from placespend.accounts import User, audit
from placespend.engine import accounts_store, ledger_store, workflow_store
from placespend.engine.accounts_store import AuditEntry
from placespend.engine.workspace import Workspace

STAFF = frozenset({"admin", "analyst"})
STATUSES = ("not started", "errors", "submitted", "queried", "accepted")


class Forbidden(Exception):
    """The user may not see or do this."""


class NotFound(Exception):
    """No such thing, or not one the user may know exists (partners get this for others' submissions)."""


@dataclass
class UploadOutcome:
    outcome: str
    submission_id: int | None
    report: dict[str, Any]


def upload_return(ws: Workspace, user: User, data: bytes, file_name: str) -> UploadOutcome:
    """Validate an uploaded return; a valid one becomes a submission awaiting the analyst's acceptance."""
    if user.role not in {"partner", *STAFF}:
        raise Forbidden("only partners and the count team upload returns")
    name = Path(file_name).name or "upload"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        submitter = user.organisation if user.role == "partner" else None
        results = service.ingest_returns(ws, [path], submitter=submitter, status="submitted",
                                         only_spender=user.organisation if user.role == "partner" else None)
    result = results[0]
    digest = hashlib.sha256(data).hexdigest()
    report = result.to_dict()
    workflow_store.record_attempt(ws, result.submitter or submitter or "unknown", user.username, name, digest,
                                  result.outcome, result.submission_id, report)
    audit(ws, user, f"upload.{result.outcome}", name, f"submission={result.submission_id}")
    return UploadOutcome(result.outcome, result.submission_id, report)


def visible_submissions(ws: Workspace, user: User) -> list[dict[str, Any]]:
    if user.role in STAFF:
        return workflow_store.submissions(ws)
    if user.role == "partner":
        return workflow_store.submissions(ws, submitter=user.organisation)
    raise Forbidden("submissions are seen by partners (their own) and the count team")


def get_submission(ws: Workspace, user: User, submission_id: int) -> dict[str, Any]:
    if user.role not in {"partner", *STAFF}:
        raise Forbidden("submissions are seen by partners (their own) and the count team")
    rows = workflow_store.submissions(ws, submission_id=submission_id,
                                      submitter=user.organisation if user.role == "partner" else None)
    if not rows:
        raise NotFound(f"no submission {submission_id}")
    row = rows[0]
    row["lines"] = workflow_store.submission_lines(ws, submission_id)
    row["queries"] = workflow_store.queries(ws, submission_id)
    return row


def raise_query(ws: Workspace, user: User, submission_id: int, source_row: int | None, message: str) -> int:
    _staff(user)
    get_submission(ws, user, submission_id)
    query_id = workflow_store.add_query(ws, submission_id, source_row, message.strip(), user.username)
    ledger_store.set_status(ws, submission_id, "queried", AuditEntry(user.username, "submission.query",
                                                                    str(submission_id),
                                                                    f"row={source_row}: {message[:200]}"))
    return query_id


def accept(ws: Workspace, user: User, submission_id: int) -> None:
    _staff(user)
    get_submission(ws, user, submission_id)
    ledger_store.set_status(ws, submission_id, "accepted", AuditEntry(user.username, "submission.accept",
                                                                      str(submission_id)))
    place_view.warm_after_acceptance(ws, submission_id)


def partner_statuses(ws: Workspace, user: User) -> list[dict[str, Any]]:
    """Each partner's state: not started, errors, submitted, queried or accepted (from its latest upload)."""
    _staff(user)
    partners = {u["organisation"]: u for u in accounts_store.all_users(ws) if u["role"] == "partner"}
    latest_attempt: dict[str, dict[str, Any]] = {}
    for attempt in workflow_store.attempts(ws):
        latest_attempt.setdefault(attempt["submitter"], attempt)
    latest_submission: dict[str, dict[str, Any]] = {}
    for row in workflow_store.submissions(ws):
        latest_submission.setdefault(row["submitter"], row)
    board = []
    for body in sorted(set(partners) | set(latest_attempt) | set(latest_submission)):
        attempt, submission = latest_attempt.get(body), latest_submission.get(body)
        if attempt and attempt["outcome"] == "rejected":
            state = "errors"
        elif submission:
            state = submission["status"]
        else:
            state = "not started"
        board.append({"partner": body, "status": state, "last_upload": attempt["happened_at"] if attempt else None,
                      "submission_id": submission["submission_id"] if submission else None,
                      "file_name": (attempt or submission or {}).get("file_name")})
    return board


def _staff(user: User) -> None:
    if user.role not in STAFF:
        raise Forbidden("only the count team (analysts) may do this")

