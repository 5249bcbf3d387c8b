"""Who is asking: session cookies for people (with CSRF tokens), bearer tokens for scripts."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request

from placespend.app import accounts, totp
from placespend.app.accounts import User
from placespend.app.workspace import Workspace

SESSION_COOKIE = "placespend_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Caller:
    user: User | None
    csrf: str | None
    via_token: bool = False

    @property
    def role(self) -> str:
        return self.user.role if self.user else "public"


class LoginRequired(Exception):
    """A page needs a signed-in user: pages redirect to /login, the API answers 401."""


def workspace(request: Request) -> Workspace:
    return request.app.state.workspace


def cookie_name(request: Request, name: str) -> str:
    """`name` as this server sets and reads it. Behind HTTPS (`serve --secure-cookies`) with the `__Host-`
    prefix (ASVS 3.4.4): a browser keeps such a cookie only if it is Secure, has Path=/ and no Domain, so a page
    of a sibling subdomain cannot plant or overwrite it (a session fixed by an attacker). Plain http://localhost
    use cannot send Secure cookies, so it keeps the bare name."""
    return f"__Host-{name}" if request.app.state.secure_cookies else name


def session_token(request: Request) -> str | None:
    """The session cookie's token, if the browser sent one."""
    return request.cookies.get(cookie_name(request, SESSION_COOKIE))


async def caller(request: Request) -> Caller:
    """Sync work, but microseconds once cached: running it on the event loop saves a thread hop per request.
    Kept on the request too, so a refusal raised after it can be audited under the caller's name."""
    request.state.caller = found = _caller(request)
    return found


def _caller(request: Request) -> Caller:
    ws = workspace(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = accounts.token_user(ws, header[7:].strip())
        if user is None:
            raise HTTPException(401, "invalid API token", headers={"WWW-Authenticate": "Bearer"})
        return Caller(user, None, via_token=True)
    token = session_token(request)
    found = accounts.session_user(ws, token) if token else None
    return Caller(found[0], found[1]) if found else Caller(None, None)


async def check_csrf(request: Request, who: Caller = Depends(caller)) -> Caller:
    """Cookie-authenticated writes must carry the session's CSRF token (form field or htmx header)."""
    if request.method in UNSAFE and not who.via_token and who.user is not None:
        sent = request.headers.get(CSRF_HEADER)
        if sent is None:
            form = await request.form()
            sent = str(form.get(CSRF_FIELD, ""))
        if not who.csrf or not hmac.compare_digest(sent, who.csrf):
            raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")
    return who


async def signed_in(who: Caller = Depends(check_csrf)) -> Caller:
    if who.user is None:
        raise LoginRequired()
    return who


async def results_reader(request: Request, who: Caller = Depends(check_csrf)) -> Caller:
    """Published results: every signed-in role, and the public when the app was started with --public."""
    if who.user is None and not request.app.state.public:
        raise LoginRequired()
    return who


def role_in(*roles: str):
    administrative = set(roles) == {"admin"}

    async def dependency(request: Request, who: Caller = Depends(signed_in)) -> Caller:
        if who.role not in roles:
            raise HTTPException(403, f"this needs one of these roles: {', '.join(roles)}")
        if administrative and not who.via_token and getattr(request.app.state, "require_admin_mfa", False) \
                and not totp.enrolled(workspace(request), who.user):  # type: ignore[arg-type]
            # ASVS 4.3.1: the administrative pages need a second factor where the server asks for one.
            raise HTTPException(403, "This server requires administrators to sign in with a code: set one up on "
                                     "your account page (/account), then sign in again.")
        return who

    return dependency
