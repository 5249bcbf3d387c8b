"""A signed-in user's own account (`/account`): change the password, see and end sessions, revoke API tokens.

OWASP ASVS 4.0.3 V2.1.5-2.1.6 (a user changes their password, proving the current one), V3.3.3 (other sessions
end on a change) and V3.3.4 (a user sees their sessions and can end them). Before, a forgotten or leaked
password meant asking an admin for a new account.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from placespend.app import accounts
from placespend.domain.problems import PlacespendError
from placespend.web.security import SESSION_COOKIE, Caller, signed_in, workspace
from placespend.web.templating import render

router = APIRouter(include_in_schema=False)


def _page(request: Request, who: Caller, status_code: int = 200, error: str | None = None,
          done: str | None = None) -> Response:
    ws, current = workspace(request), None if who.via_token else request.cookies.get(SESSION_COOKIE)
    return render(request, "account.html", who, status_code=status_code, error=error, done=done,
                  sessions=accounts.sessions_of(ws, who.user, current), tokens=accounts.tokens_of(ws, who.user),
                  lengths=accounts.PASSWORD_LENGTHS)


@router.get("/account")
def account(request: Request, done: str | None = None, who: Caller = Depends(signed_in)) -> Response:
    return _page(request, who, done={"password": "Your password is changed; every other session has ended.",
                                     "sessions": "Every other session has ended.",
                                     "token": "The token is revoked."}.get(done or ""))


@router.post("/account/password")
def change_password(request: Request, current: Annotated[str, Form()], new: Annotated[str, Form()],
                    repeat: Annotated[str, Form()], who: Caller = Depends(signed_in)) -> Response:
    if new != repeat:
        return _page(request, who, 422, error="The new password and its repetition differ.")
    try:
        accounts.change_password(workspace(request), who.user, current, new, request.cookies.get(SESSION_COOKIE))
    except PlacespendError as exc:
        return _page(request, who, 422, error=str(exc))
    return RedirectResponse("/account?done=password", status_code=303)


@router.post("/account/sessions/end")
def end_sessions(request: Request, who: Caller = Depends(signed_in)) -> Response:
    accounts.end_other_sessions(workspace(request), who.user, request.cookies.get(SESSION_COOKIE))
    return RedirectResponse("/account?done=sessions", status_code=303)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: str, who: Caller = Depends(signed_in)) -> Response:
    try:
        accounts.revoke_token(workspace(request), who.user, token_id)
    except PlacespendError as exc:
        return _page(request, who, 404, error=str(exc))
    return RedirectResponse("/account?done=token", status_code=303)
