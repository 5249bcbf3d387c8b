"""Pages of the submission workflow: upload, the validation report, the analysts' board, queries, acceptance."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from placespend.app import workflow
from placespend.web.security import Caller, role_in, workspace
from placespend.web.templating import render

router = APIRouter(include_in_schema=False)
SUBMITTERS = ("admin", "analyst", "partner")


def _listing(request: Request, who: Caller, status: str | None, page: int | None, board_status: str | None,
             board_page: int | None, outcome: Any = None) -> Response:
    """The page lists one page of submissions and of the partners' board at a time: at national scale there are
    tens of thousands of each, and the downloads below the tables carry them whole."""
    ws = workspace(request)
    rows, shown, counts = workflow.submissions_page(ws, who.user, status, page)
    board = None
    if who.role in workflow.STAFF:
        board = dict(zip(("rows", "page", "counts"), workflow.partner_board_page(ws, who.user, board_status,
                                                                                  board_page), strict=True))
    return render(request, "submissions.html", who, rows=rows, page=shown, counts=counts, status=status or "",
                  board=board, board_status=board_status or "", outcome=outcome)


@router.get("/submissions")
def submissions(request: Request, status: str | None = None, page: int | None = None,
                board_status: str | None = None, board_page: int | None = None,
                who: Caller = Depends(role_in(*SUBMITTERS))) -> Response:
    return _listing(request, who, status, page, board_status, board_page)


@router.post("/submissions")
async def upload(request: Request, file: Annotated[UploadFile, File()], confirm_large: Annotated[str, Form()] = "",
                 who: Caller = Depends(role_in(*SUBMITTERS))) -> Response:
    ws = workspace(request)
    outcome = workflow.upload_return(ws, who.user, await file.read(), file.filename or "upload",
                                     confirm_large=confirm_large == "yes")
    # The page shows the validation report either way; the API answers 422 for a rejected file.
    return _listing(request, who, None, None, None, None, outcome)


@router.get("/submissions/{submission_id}")
def submission(request: Request, submission_id: int, who: Caller = Depends(role_in(*SUBMITTERS))) -> Response:
    row = workflow.get_submission(workspace(request), who.user, submission_id)
    return render(request, "submission.html", who, row=row, refused=None)


@router.post("/submissions/{submission_id}/queries")
def query(request: Request, submission_id: int, message: Annotated[str, Form()],
          row: Annotated[str, Form()] = "", who: Caller = Depends(role_in("admin", "analyst"))) -> Response:
    workflow.raise_query(workspace(request), who.user, submission_id, int(row) if row.strip() else None, message)
    return RedirectResponse(f"/submissions/{submission_id}", status_code=303)


@router.post("/submissions/{submission_id}/accept")
def accept(request: Request, submission_id: int, confirm_replace: Annotated[str, Form()] = "",
           who: Caller = Depends(role_in("admin", "analyst"))) -> Response:
    ws = workspace(request)
    try:
        workflow.accept(ws, who.user, submission_id, confirm_replace=confirm_replace == "yes")
    except workflow.NeedsConfirmation as exc:
        # The difference stays on the page with the box to tick; nothing was accepted.
        response = render(request, "submission.html", who, row=workflow.get_submission(ws, who.user, submission_id),
                          refused=str(exc))
        response.status_code = 409
        return response
    return RedirectResponse(f"/submissions/{submission_id}", status_code=303)
