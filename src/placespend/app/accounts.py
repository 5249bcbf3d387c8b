"""Accounts for the web app and API: argon2 passwords, server-side sessions, API tokens, login throttling.

Secrets are never stored: sessions and tokens are kept as SHA-256 hashes, passwords as argon2 hashes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError, VerifyMismatchError

from placespend.app.common_passwords import is_common
from placespend.domain import vocabulary as v
from placespend.domain.problems import PlacespendError
from placespend.engine import accounts_store as store
from placespend.engine.workspace import Workspace

ROLES = ("admin", "analyst", "partner", "viewer")
SESSION_HOURS = 8
# OWASP ASVS 4.0.3 V2.1.1-2.1.2: at least 12 characters, 64 and more allowed, more than 128 refused (argon2
# hashes the whole password, so nothing is truncated); no composition rules (V2.1.9).
PASSWORD_LENGTHS = (12, 128)
# ASVS 3.5: API tokens expire; 90 days unless the one issuing a token asks for another span, up to a year.
TOKEN_DAYS, TOKEN_DAYS_LIMIT = 90, 366
# The security events of their own account a user is shown on /account (ASVS 2.2.3, 2.5.5: notify the user of
# credential changes; there is no e-mail), with how they are said.
SECURITY_EVENTS = {"password.change": "Your password was changed", "mfa.enrol": "Sign-in codes were turned on",
                   "mfa.remove": "Sign-in codes were turned off", "token.create": "An API token was created",
                   "token.revoke": "An API token was revoked", "sessions.end": "Your other sessions were ended",
                   "login.failed": "A sign-in with a wrong password", "mfa.failed": "A wrong sign-in code"}
NOTICE_DAYS = 30
TOKEN_ID_LENGTH = 12  # hex digits of a token's SHA-256 shown to name it: enough to tell a user's tokens apart
_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    user_id: int
    username: str
    role: str
    organisation: str | None
    display_name: str | None

    @property
    def label(self) -> str:
        return self.display_name or self.username


def _user(row: dict | None) -> User | None:
    if row is None:
        return None
    return User(row["user_id"], row["username"], row["role"], row["organisation"], row["display_name"])


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def add_user(ws: Workspace, username: str, password: str, role: str, organisation: str | None = None,
             display_name: str | None = None) -> User:
    """Create an account; a partner belongs to one organisation (the body id it submits returns for)."""
    if role not in ROLES:
        raise PlacespendError(f"role must be one of {', '.join(ROLES)}")
    if role == "partner" and not organisation:
        raise PlacespendError("a partner account needs --organisation (the body id it submits for)")
    check_password_policy(password)
    if store.user_by_name(ws, username):
        raise PlacespendError(f"user {username} exists already")
    org = v.normalise_id(organisation) if organisation else None
    user_id = store.insert_user(ws, username, _hasher.hash(password), role, org, display_name)
    store.append_audit(ws, None, "user.add", username, f"role={role} organisation={org or ''}")
    return User(user_id, username, role, org, display_name)


def check_password_policy(password: str) -> None:
    """OWASP ASVS 2.1.1-2.1.2: at least 12 characters (any characters, spaces included), at most 128; 2.1.7: not
    one of the passwords most common in leaked password lists (the message never repeats the password)."""
    shortest, longest = PASSWORD_LENGTHS
    if not shortest <= len(password) <= longest:
        raise PlacespendError(f"passwords need {shortest} to {longest} characters")
    if is_common(password):
        raise PlacespendError("That password is one of the most common in leaked password lists, so it would be "
                              "guessed early. Choose another: a few unrelated words are easy to remember.")


def change_password(ws: Workspace, user: User, current: str, new: str, keep_session: str | None = None) -> int:
    """A user changes their own password (ASVS 2.1.5-2.1.6), proving the current one; every other session of
    theirs ends (ASVS 3.3.3: whoever else held one is signed out), `keep_session` (the token of the session
    asking) stays. Returns how many sessions ended. API tokens stay: they are revoked one by one."""
    row = store.user_by_id(ws, user.user_id)
    if row is None:  # the account was removed while its session lived
        raise PlacespendError("This account no longer exists.")
    try:
        _hasher.verify(row["password_hash"], current)
    except (VerifyMismatchError, VerificationError):
        store.append_audit(ws, user.username, "password.change.refused", user.username, "current password wrong")
        raise PlacespendError("The current password is not right.") from None
    check_password_policy(new)
    if new == current:
        raise PlacespendError("The new password must differ from the current one.")
    store.update_password(ws, user.user_id, _hasher.hash(new))
    ended = store.delete_sessions_except(ws, user.user_id, _digest(keep_session) if keep_session else None)
    store.append_audit(ws, user.username, "password.change", user.username, f"other sessions ended: {ended}")
    return ended


def sessions_of(ws: Workspace, user: User, current: str | None) -> list[dict[str, Any]]:
    """A user's live sessions (ASVS 3.3.4): when each started and ends, and which is the one asking."""
    mine = _digest(current) if current else None
    return [{"started_at": row["expires_at"] - dt.timedelta(hours=SESSION_HOURS), "expires_at": row["expires_at"],
             "current": row["session_hash"] == mine} for row in store.sessions_of(ws, user.user_id)]


def end_other_sessions(ws: Workspace, user: User, current: str | None) -> int:
    ended = store.delete_sessions_except(ws, user.user_id, _digest(current) if current else None)
    store.append_audit(ws, user.username, "sessions.end", user.username, f"other sessions ended: {ended}")
    return ended


def tokens_of(ws: Workspace, user: User) -> list[dict[str, Any]]:
    """A user's API tokens by label, date and expiry; `token_id` is the start of the token's hash, never the
    token. Expired ones are listed (marked) until revoked, so their owner sees why a script stopped."""
    now = store.now()
    return [{"token_id": row["token_hash"][:TOKEN_ID_LENGTH], "label": row["label"], "created_at": row["created_at"],
             "expires_at": row["expires_at"], "expired": row["expires_at"] <= now}
            for row in store.tokens_of(ws, user.user_id)]


def revoke_token(ws: Workspace, user: User, token_id: str) -> None:
    """Revoke one of the user's own API tokens, named by `tokens_of`'s token_id."""
    found = [row for row in store.tokens_of(ws, user.user_id) if row["token_hash"][:TOKEN_ID_LENGTH] == token_id]
    if len(found) != 1:
        raise PlacespendError(f"You have no API token {token_id}.")
    store.delete_token(ws, user.user_id, found[0]["token_hash"])
    store.append_audit(ws, user.username, "token.revoke", found[0]["label"], token_id)


def authenticate(ws: Workspace, username: str, password: str) -> User | None:
    row = store.user_by_name(ws, username)
    if row is None:
        _hasher.hash(password)  # spend the same time as a real check, so usernames cannot be probed by timing
        return None
    try:
        _hasher.verify(row["password_hash"], password)
    except (VerifyMismatchError, VerificationError):
        return None
    if _hasher.check_needs_rehash(row["password_hash"]):
        store.update_password(ws, row["user_id"], _hasher.hash(password))
    return _user(row)


def start_session(ws: Workspace, user: User) -> tuple[str, str]:
    """A new session token (for the cookie) and its CSRF token (for forms and htmx headers)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = store.now() + dt.timedelta(hours=SESSION_HOURS)
    store.insert_session(ws, _digest(token), user.user_id, csrf, expires)
    return token, csrf


def session_user(ws: Workspace, token: str) -> tuple[User, str] | None:
    row = store.session(ws, _digest(token))
    if row is None or row["expires_at"] < store.now():
        return None
    user = _user(store.user_by_id(ws, row["user_id"]))
    return (user, row["csrf_token"]) if user else None


def end_session(ws: Workspace, token: str) -> None:
    store.delete_session(ws, _digest(token))


def new_api_token(ws: Workspace, user: User, label: str = "script", days: int = TOKEN_DAYS) -> str:
    """A token for scripts, valid for `days` (ASVS 3.5: no API secret lives for ever)."""
    if not 1 <= days <= TOKEN_DAYS_LIMIT:
        raise PlacespendError(f"a token lasts 1 to {TOKEN_DAYS_LIMIT} days, not {days}")
    token = "ps_" + secrets.token_urlsafe(32)
    expires = store.now() + dt.timedelta(days=days)
    store.insert_token(ws, _digest(token), user.user_id, label, expires)
    store.append_audit(ws, user.username, "token.create", label, f"expires {expires:%Y-%m-%d %H:%M} UTC")
    return token


def token_user(ws: Workspace, token: str) -> User | None:
    """The owner of a known token not yet expired; None for an unknown or expired one alike."""
    user_id = store.token_user_id(ws, _digest(token))
    return _user(store.user_by_id(ws, user_id)) if user_id is not None else None


def audit(ws: Workspace, user: User | None, action: str, target: str | None = None, detail: str | None = None) -> None:
    store.append_audit(ws, user.username if user else None, action, target, detail)


def security_notices(ws: Workspace, user: User) -> list[dict[str, Any]]:
    """The security events of the user's own account in the last 30 days, newest first, said in words: how a
    user learns that their password, sign-in codes, tokens or sessions changed, or that someone tried them."""
    since = store.now() - dt.timedelta(days=NOTICE_DAYS)
    found = store.security_events(ws, user.username, tuple(SECURITY_EVENTS), since, 20)
    return [{"happened_at": row["happened_at"], "what": SECURITY_EVENTS[row["action"]],
             "which": row["target"] if row["action"].startswith("token.") else None} for row in found]


def user_with_id(ws: Workspace, user_id: int) -> User | None:
    return _user(store.user_by_id(ws, user_id))


def user_named(ws: Workspace, username: str) -> User | None:
    return _user(store.user_by_name(ws, username))


def all_users(ws: Workspace) -> list[dict[str, Any]]:
    """Every account as stored (password hashes included: for the admin page, which shows none of them)."""
    return store.all_users(ws)


def audit_entries(ws: Workspace, limit: int = 200) -> list[dict[str, Any]]:
    return store.audit_entries(ws, limit)


class LoginThrottle:
    """At most `limit` failed logins per username and per client address in `window` seconds."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str) -> deque[float]:
        stamps = self._failures[key]
        while stamps and stamps[0] < time.monotonic() - self.window:
            stamps.popleft()
        return stamps

    def blocked(self, *keys: str) -> bool:
        with self._lock:
            return any(len(self._recent(k)) >= self.limit for k in keys)

    def failed(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._recent(key).append(time.monotonic())

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
