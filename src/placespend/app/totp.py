"""A second factor for signing in: time-based one-time codes (TOTP, RFC 6238) from an authenticator app.

OWASP ASVS 4.0.3 V2.8 (one-time verifiers) and V4.3.1 (administrative interfaces use multi-factor
authentication). A user enrols by being shown a new secret once and proving, with a code, that their app holds
it; from then on a password opens nothing without a code. A code is accepted in its 30-second step and the one
either side (clocks drift), and never twice (ASVS 2.8.4): the step of the last code accepted is stored.

The secret has to be readable by the server to check codes, so it is stored as it is, in the workspace, like the
data itself (see SECURITY.md, encryption at rest); it is never logged, and shown only once, at enrolment.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import threading
import time

import pyotp

from placespend.app.accounts import User
from placespend.domain.problems import PlacespendError
from placespend.engine import accounts_store as store
from placespend.engine.workspace import Workspace

ISSUER = "placespend"
DRIFT_STEPS = 1  # codes of the step before and after the current one are accepted too


def enrolled(ws: Workspace, user: User) -> bool:
    row = store.totp_of(ws, user.user_id)
    return row is not None and row["confirmed_at"] is not None


def begin_enrolment(ws: Workspace, user: User) -> tuple[str, str]:
    """A new secret for `user` (unconfirmed until `confirm_enrolment`): the secret as text and as an otpauth URI,
    for the authenticator app. Shown once: the account page never shows it again."""
    if enrolled(ws, user):
        raise PlacespendError("You already sign in with a code from an authenticator app.")
    secret = pyotp.random_base32()
    store.start_totp(ws, user.user_id, secret)
    return secret, pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def confirm_enrolment(ws: Workspace, user: User, code: str) -> None:
    row = store.totp_of(ws, user.user_id)
    if row is None or row["confirmed_at"] is not None:
        raise PlacespendError("Start again: ask for a new secret first.")
    if not _accept(ws, user, row, code, confirm=True):
        store.append_audit(ws, user.username, "mfa.failed", user.username, "enrolment code wrong")
        raise PlacespendError("That code is not right. Check the time on your device and try the next code.")
    store.append_audit(ws, user.username, "mfa.enrol", user.username, None)


def check_code(ws: Workspace, user: User, code: str) -> bool:
    """The second step of signing in: True for a right, unused code of an enrolled user."""
    row = store.totp_of(ws, user.user_id)
    return row is not None and row["confirmed_at"] is not None and _accept(ws, user, row, code, confirm=False)


def remove(ws: Workspace, user: User, by: str | None) -> None:
    """Take a user's second factor away (a lost phone): an admin's act at the command line, audited."""
    store.delete_totp(ws, user.user_id)
    store.append_audit(ws, by, "mfa.remove", user.username, None)


def _accept(ws: Workspace, user: User, row: dict, code: str, confirm: bool) -> bool:
    code = "".join(code.split())
    totp = pyotp.TOTP(row["secret"])
    now = totp.timecode(dt.datetime.now(dt.UTC))
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return store.use_totp_step(ws, user.user_id, step, confirm)
    return False


class PendingSignIns:
    """Sign-ins whose password was right and that wait for a code, by a random ticket held in a cookie. In the
    server's memory (like the login throttle) for 5 minutes: a restart only means typing the password again."""

    def __init__(self, seconds: float = 300.0) -> None:
        self.seconds = seconds
        self._waiting: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def start(self, user: User) -> str:
        ticket = secrets.token_urlsafe(32)
        with self._lock:
            self._waiting = {k: v for k, v in self._waiting.items() if v[1] > time.monotonic()}
            self._waiting[ticket] = (user.user_id, time.monotonic() + self.seconds)
        return ticket

    def user_id(self, ticket: str) -> int | None:
        with self._lock:
            found = self._waiting.get(ticket)
        return found[0] if found and found[1] > time.monotonic() else None

    def finish(self, ticket: str) -> None:
        with self._lock:
            self._waiting.pop(ticket, None)
