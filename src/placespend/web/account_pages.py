"""A signed-in user's own account (`/account`): change the password, see and end sessions, revoke API tokens,
turn on sign-in codes, and see the recent security events of the account.

OWASP ASVS 4.0.3 V2.1.5-2.1.6 (a user changes their password, proving the current one), V3.3.3 (other sessions
end on a change) and V3.3.4 (a user sees their sessions and can end them). Before, a forgotten or leaked
password meant asking an admin for a new account. V2.8 and V4.3.1: a second factor (TOTP), which admins are
urged to turn on; V2.2.3 and V2.5.5: with no e-mail, the account's recent security events are shown here.
"""

from __future__ import annotations

from typing import Annotated

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from placespend.app import accounts, totp
from placespend.domain.problems import PlacespendError
from placespend.web.security import Caller, session_token, signed_in, workspace
from placespend.web.templating import render

router = APIRouter(include_in_schema=False)


def _page(request: Request, who: Caller, status_code: int = 200, error: str | None = None,
          done: str | None = None, enrolling: dict[str, str] | None = None) -> Response:
    ws, current = workspace(request), None if who.via_token else session_token(request)
    return render(request, "account.html", who, status_code=status_code, error=error, done=done,
                  sessions=accounts.sessions_of(ws, who.user, current), tokens=accounts.tokens_of(ws, who.user),
                  lengths=accounts.PASSWORD_LENGTHS, mfa=totp.enrolled(ws, who.user), enrolling=enrolling,
                  notices=accounts.security_notices(ws, who.user), notice_days=accounts.NOTICE_DAYS)


@router.get("/account")
def account(request: Request, done: str | None = None, who: Caller = Depends(signed_in)) -> Response:
    return _page(request, who, done={"password": "Your password is changed; every other session has ended.",
                                     "sessions": "Every other session has ended.",
                                     "token": "The token is revoked.",
                                     "mfa": "Sign-in codes are on: each sign-in now asks for one."}.get(done or ""))


@router.post("/account/password")
def change_password(request: Request, current: Annotated[str, Form()], new: Annotated[str, Form()],
                    repeat: Annotated[str, Form()], who: Caller = Depends(signed_in)) -> Response:
    if new != repeat:
        return _page(request, who, 422, error="The new password and its repetition differ.")
    try:
        accounts.change_password(workspace(request), who.user, current, new, session_token(request))
    except PlacespendError as exc:
        return _page(request, who, 422, error=str(exc))
    return RedirectResponse("/account?done=password", status_code=303)


@router.post("/account/sessions/end")
def end_sessions(request: Request, who: Caller = Depends(signed_in)) -> Response:
    accounts.end_other_sessions(workspace(request), who.user, session_token(request))
    return RedirectResponse("/account?done=sessions", status_code=303)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: str, who: Caller = Depends(signed_in)) -> Response:
    try:
        accounts.revoke_token(workspace(request), who.user, token_id)
    except PlacespendError as exc:
        return _page(request, who, 404, error=str(exc))
    return RedirectResponse("/account?done=token", status_code=303)


@router.post("/account/mfa")
def start_mfa(request: Request, who: Caller = Depends(signed_in)) -> Response:
    """A new secret, shown this once as text, as an otpauth URI and as a QR code (an SVG made here: no network)."""
    try:
        secret, uri = totp.begin_enrolment(workspace(request), who.user)
    except PlacespendError as exc:
        return _page(request, who, 409, error=str(exc))
    qr = segno.make(uri, error="m").svg_inline(scale=4, title="QR code of the sign-in code secret")
    return _page(request, who, enrolling={"secret": secret, "uri": uri, "qr": qr})


@router.post("/account/mfa/confirm")
def confirm_mfa(request: Request, code: Annotated[str, Form()], who: Caller = Depends(signed_in)) -> Response:
    try:
        totp.confirm_enrolment(workspace(request), who.user, code)
    except PlacespendError as exc:
        return _page(request, who, 422, error=str(exc))
    return RedirectResponse("/account?done=mfa", status_code=303)
