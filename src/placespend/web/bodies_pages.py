"""The bodies register in the browser (`/bodies`): every body with the ids merged into it, the duplicates the rules
suggest, merges by hand, and their history with undo. A finance officer cleaning a partnership's ledger should not
need the CLI: these are the functions `placespend bodies` calls, and every change is audited.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from placespend.app import accounts
from placespend.app.bodies import register as bodies
from placespend.domain.problems import PlacespendError
from placespend.web.security import Caller, role_in, workspace
from placespend.web.templating import templates

router = APIRouter(include_in_schema=False)
READERS = accounts.ROLES
# Merging changes whose lines count as whose in every figure: the count team's decision, as accepting a return is.
EDITORS = ("admin", "analyst")


def _page(request: Request, who: Caller, search: str | None = None, page: int | None = None, status: int = 200,
          **more: Any) -> Response:
    ws = workspace(request)
    staff = who.role in EDITORS
    shown, pages = bodies.register_page(ws, search, page)
    context = {"who": who, "search": search or "", "bodies": shown, "page": pages, "staff": staff,
               "suggestions": bodies.cached_suggestions(ws) if staff else [],
               "history": bodies.history(ws) if staff else [], "refused": None, "done": None, **more}
    return templates.TemplateResponse(request, "bodies.html", context, status_code=status)


@router.get("/bodies")
def register(request: Request, search: str | None = None, done: str | None = None, page: int | None = None,
             who: Caller = Depends(role_in(*READERS))) -> Response:
    return _page(request, who, search, page, done=done)


@router.post("/bodies/merges")
def merge(request: Request, merged: Annotated[str, Form()], into: Annotated[str, Form()],
          reason: Annotated[str, Form()] = "", rule: Annotated[str, Form()] = "",
          who: Caller = Depends(role_in(*EDITORS))) -> Response:
    """One merge by hand, or one suggested group's member with the rule that found it."""
    ws = workspace(request)
    try:
        merge_id = bodies.merge(ws, merged, into, reason, who.user.username, kind="rule" if rule else "hand",
                                rule=rule or None)
    except PlacespendError as exc:
        return _page(request, who, status=422, refused=str(exc), form={"merged": merged, "into": into,
                                                                         "reason": reason})
    accounts.audit(ws, who.user, "bodies.merge", f"merge {merge_id}", f"{merged} -> {into}: {reason}")
    return RedirectResponse(f"/bodies?done=merge-{merge_id}#history", status_code=303)


@router.post("/bodies/merges/{merge_id}/undo")
def undo(request: Request, merge_id: int, reason: Annotated[str, Form()] = "",
         who: Caller = Depends(role_in(*EDITORS))) -> Response:
    ws = workspace(request)
    try:
        found = bodies.undo(ws, merge_id, who.user.username, reason)
    except PlacespendError as exc:
        return _page(request, who, status=422, refused=str(exc))
    accounts.audit(ws, who.user, "bodies.undo", f"merge {merge_id}", f"{found.merged} -> {found.into_body}")
    return RedirectResponse(f"/bodies?done=undo-{merge_id}#history", status_code=303)
