"""The submission workflow shared by the web app and API: partners submit, analysts query and accept.

Partner isolation is enforced here, where data is read, not in templates: every function that returns
submissions takes the user and filters by the user's organisation.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from placespend.app import ingest_files, place_view, supersession
from placespend.app.accounts import User, audit
from placespend.domain.paging import Page
from placespend.engine import ledger_store, workflow_store
from placespend.engine.accounts_store import AuditEntry
from placespend.engine.workspace import Workspace

STAFF = frozenset({"admin", "analyst"})
STATUSES = ("not started", "errors", "submitted", "queried", "accepted")


class Forbidden(Exception):
    """The user may not see or do this."""


class NotFound(Exception):
    """No such thing, or not one the user may know exists (partners get this for others' submissions)."""


class NeedsConfirmation(Exception):
    """Accepting would replace most of a previous return, or move a place's total by a large share: the
    analyst must see the difference and confirm (DESIGN.md §6, guarded supersession)."""

    def __init__(self, replacements: list[supersession.Replacement]) -> None:
        self.replacements = replacements
        super().__init__(" ".join(r.describe() for r in replacements)
                         + " Nothing changed: confirm the replacement to accept it.")


@dataclass
class UploadOutcome:
    outcome: str
    submission_id: int | None
    report: dict[str, Any]
    submission_ids: list[int] = field(default_factory=list)  # a file of several bodies' returns: one each


def upload_return(ws: Workspace, user: User, data: bytes, file_name: str, confirm_large: bool = False
                  ) -> UploadOutcome:
    """Validate an uploaded return; a valid one becomes a submission awaiting the analyst's acceptance.

    A partner submits its own body's lines; the count team may upload a file of several bodies' returns,
    which becomes one submission per body, each on the partners' board under its own body."""
    if user.role not in {"partner", *STAFF}:
        raise Forbidden("only partners and the count team upload returns")
    name = Path(file_name).name or "upload"
    partner = user.organisation if user.role == "partner" else None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        results = ingest_files.ingest_returns(ws, [path], submitter=partner, status="submitted", only_spender=partner,
                                         confirm_large=confirm_large)
    result = results[0]
    digest = hashlib.sha256(data).hexdigest()
    report = result.to_dict()
    parts = [(part.submitter, part.submission_id) for part in result.parts] \
        or [(who, result.submission_id) for who in result.submitters] or [(partner or "unknown", result.submission_id)]
    for submitter, submission_id in parts:
        workflow_store.record_attempt(ws, submitter or "unknown", user.username, name, digest, result.outcome,
                                      submission_id, report)
    ids = [sid for _, sid in parts if sid is not None]
    audit(ws, user, f"upload.{result.outcome}", name, f"submission={', '.join(map(str, ids)) or None}")
    return UploadOutcome(result.outcome, result.submission_id, report, ids)


def _may_see_submissions(user: User) -> None:
    if user.role not in {"partner", *STAFF}:
        raise Forbidden("submissions are seen by partners (their own) and the count team")


def visible_submissions(ws: Workspace, user: User) -> list[dict[str, Any]]:
    _may_see_submissions(user)
    return workflow_store.submissions(ws, submitter=user.organisation if user.role == "partner" else None)


def get_submission(ws: Workspace, user: User, submission_id: int) -> dict[str, Any]:
    _may_see_submissions(user)
    rows = workflow_store.submissions(ws, submission_id=submission_id,
                                      submitter=user.organisation if user.role == "partner" else None)
    if not rows:
        raise NotFound(f"no submission {submission_id}")
    row = rows[0]
    row["lines"] = workflow_store.submission_lines(ws, submission_id)
    row["queries"] = workflow_store.queries(ws, submission_id)
    pending = supersession.pending(ws, submission_id) if row["status"] != "accepted" else []
    row["replaces"] = [r.to_dict() for r in pending]  # what accepting it would replace, shown before accepting
    row["needs_confirmation"] = any(r.guarded for r in pending)
    return row


def raise_query(ws: Workspace, user: User, submission_id: int, source_row: int | None, message: str) -> int:
    _staff(user)
    get_submission(ws, user, submission_id)
    query_id = workflow_store.add_query(ws, submission_id, source_row, message.strip(), user.username)
    ledger_store.set_status(ws, submission_id, "queried", AuditEntry(user.username, "submission.query",
                                                                    str(submission_id),
                                                                    f"row={source_row}: {message[:200]}"))
    return query_id


def accept(ws: Workspace, user: User, submission_id: int, confirm_replace: bool = False) -> None:
    """Accept a submission into the count; a guarded replacement needs `confirm_replace` (NeedsConfirmation)."""
    _staff(user)
    get_submission(ws, user, submission_id)
    guarded = [r for r in supersession.pending(ws, submission_id) if r.guarded]
    if guarded and not confirm_replace:
        raise NeedsConfirmation(guarded)
    replaced = "; ".join(f"replaced submission {r.previous.submission_id} for {r.place} {r.period} as confirmed"
                         for r in guarded)
    ledger_store.set_status(ws, submission_id, "accepted", AuditEntry(user.username, "submission.accept",
                                                                      str(submission_id), replaced or None))
    place_view.warm_after_acceptance(ws, submission_id)


def partner_statuses(ws: Workspace, user: User) -> list[dict[str, Any]]:
    """Each partner's state: not started, errors, submitted, queried or accepted (from its latest upload)."""
    _staff(user)
    return workflow_store.partner_board(ws)


def submissions_page(ws: Workspace, user: User, status: str | None = None, page: int | None = None
                     ) -> tuple[list[dict[str, Any]], Page, dict[str, int]]:
    """One page of the submissions `user` may see, newest first, with how many there are in each status."""
    _may_see_submissions(user)
    own = user.organisation if user.role == "partner" else None
    counts = workflow_store.submission_counts(ws, submitter=own)
    shown = Page.of(page, counts.get(status, 0) if status else sum(counts.values()))
    rows = workflow_store.submissions(ws, submitter=own, status=status or None, limit=shown.size,
                                      offset=shown.offset)
    return rows, shown, counts


def partner_board_page(ws: Workspace, user: User, status: str | None = None, page: int | None = None
                       ) -> tuple[list[dict[str, Any]], Page, dict[str, int]]:
    """One page of the partners' board, optionally of one state, with how many partners are in each state."""
    board = partner_statuses(ws, user)
    counts = dict(Counter(row["status"] for row in board))
    chosen = [row for row in board if row["status"] == status] if status else board
    shown = Page.of(page, len(chosen))
    return shown.window(chosen), shown, counts


def _staff(user: User) -> None:
    if user.role not in STAFF:
        raise Forbidden("only the count team (analysts) may do this")

