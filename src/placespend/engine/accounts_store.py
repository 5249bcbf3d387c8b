"""Users, sessions, API tokens and the audit log, as rows; hashing and policy live in the service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from placespend.engine.workspace import Workspace

USER_COLUMNS = "user_id, username, password_hash, role, organisation, display_name"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _one(ws: Workspace, sql: str, params: list[Any]) -> dict[str, Any] | None:
    with ws.read() as con:
        cursor = con.con.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cursor.description], row, strict=True))


def _run(ws: Workspace, sql: str, params: list[Any]) -> None:
    with ws.write(changes_results=False) as con:
        con.con.execute(sql, params)


def insert_user(ws: Workspace, username: str, password_hash: str, role: str, organisation: str | None,
                display_name: str | None) -> int:
    with ws.write(changes_results=False) as con:
        raw = con.con
        user_id = raw.execute("SELECT coalesce(max(user_id), 0) + 1 FROM users").fetchone()[0]
        raw.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [user_id, username, password_hash, role, organisation, display_name, now()])
    return user_id


def update_password(ws: Workspace, user_id: int, password_hash: str) -> None:
    _run(ws, "UPDATE users SET password_hash = ? WHERE user_id = ?", [password_hash, user_id])


def user_by_name(ws: Workspace, username: str) -> dict[str, Any] | None:
    return _one(ws, f"SELECT {USER_COLUMNS} FROM users WHERE username = ?", [username])


def user_by_id(ws: Workspace, user_id: int) -> dict[str, Any] | None:
    return _one(ws, f"SELECT {USER_COLUMNS} FROM users WHERE user_id = ?", [user_id])


def all_users(ws: Workspace) -> list[dict[str, Any]]:
    return rows(ws, f"SELECT {USER_COLUMNS} FROM users ORDER BY username", [])


def insert_session(ws: Workspace, session_hash: str, user_id: int, csrf: str, expires: dt.datetime) -> None:
    _run(ws, "INSERT INTO sessions VALUES (?, ?, ?, ?)", [session_hash, user_id, csrf, expires])


def session(ws: Workspace, session_hash: str) -> dict[str, Any] | None:
    return _one(ws, "SELECT user_id, csrf_token, expires_at FROM sessions WHERE session_hash = ?", [session_hash])


def delete_session(ws: Workspace, session_hash: str) -> None:
    _run(ws, "DELETE FROM sessions WHERE session_hash = ?", [session_hash])


def rows(ws: Workspace, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with ws.read() as con:
        cursor = con.con.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def sessions_of(ws: Workspace, user_id: int) -> list[dict[str, Any]]:
    """A user's sessions not yet expired, the latest to expire (the newest) first."""
    return rows(ws, "SELECT session_hash, expires_at FROM sessions WHERE user_id = ? AND expires_at >= ? "
                    "ORDER BY expires_at DESC", [user_id, now()])


def delete_sessions_except(ws: Workspace, user_id: int, keep_hash: str | None) -> int:
    """End every session of a user but `keep_hash`; how many ended (expired ones are removed too, uncounted)."""
    with ws.write(changes_results=False) as con:
        raw = con.con
        ended = raw.execute("SELECT count(*) FROM sessions WHERE user_id = ? AND session_hash IS DISTINCT FROM ? "
                            "AND expires_at >= ?", [user_id, keep_hash, now()]).fetchone()[0]
        raw.execute("DELETE FROM sessions WHERE user_id = ? AND session_hash IS DISTINCT FROM ?", [user_id, keep_hash])
    return ended


def tokens_of(ws: Workspace, user_id: int) -> list[dict[str, Any]]:
    return rows(ws, "SELECT token_hash, label, created_at, expires_at FROM api_tokens WHERE user_id = ? "
                    "ORDER BY created_at", [user_id])


def delete_token(ws: Workspace, user_id: int, token_hash: str) -> None:
    _run(ws, "DELETE FROM api_tokens WHERE user_id = ? AND token_hash = ?", [user_id, token_hash])


def insert_token(ws: Workspace, token_hash: str, user_id: int, label: str, expires: dt.datetime) -> None:
    _run(ws, "INSERT INTO api_tokens (token_hash, user_id, label, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
         [token_hash, user_id, label, now(), expires])


def token_user_id(ws: Workspace, token_hash: str) -> int | None:
    """The owner of a token not yet expired."""
    row = _one(ws, "SELECT user_id FROM api_tokens WHERE token_hash = ? AND expires_at > ?", [token_hash, now()])
    return row["user_id"] if row else None


def totp_of(ws: Workspace, user_id: int) -> dict[str, Any] | None:
    return _one(ws, "SELECT secret, confirmed_at, last_step FROM user_totp WHERE user_id = ?", [user_id])


def start_totp(ws: Workspace, user_id: int, secret: str) -> None:
    """A new, unconfirmed secret, replacing any unconfirmed one (a confirmed one is never replaced here)."""
    with ws.write(changes_results=False) as con:
        con.con.execute("DELETE FROM user_totp WHERE user_id = ? AND confirmed_at IS NULL", [user_id])
        con.con.execute("INSERT INTO user_totp (user_id, secret, created_at) VALUES (?, ?, ?)",
                        [user_id, secret, now()])


def use_totp_step(ws: Workspace, user_id: int, step: int, confirm: bool) -> bool:
    """Record `step` as used, only if it is later than the last one used: False when the code was used already
    (ASVS 2.8.4). Confirms an enrolment when `confirm`."""
    with ws.write(changes_results=False) as con:
        raw = con.con
        last = raw.execute("SELECT last_step FROM user_totp WHERE user_id = ?", [user_id]).fetchone()
        if last is None or (last[0] is not None and step <= last[0]):
            return False
        raw.execute("UPDATE user_totp SET last_step = ?, confirmed_at = CASE WHEN ? THEN coalesce(confirmed_at, ?) "
                    "ELSE confirmed_at END WHERE user_id = ?", [step, confirm, now(), user_id])
    return True


def delete_totp(ws: Workspace, user_id: int) -> None:
    _run(ws, "DELETE FROM user_totp WHERE user_id = ?", [user_id])


def security_events(ws: Workspace, username: str, actions: tuple[str, ...], since: dt.datetime,
                    limit: int) -> list[dict[str, Any]]:
    """A user's own security events, newest first: those done as them, and failed sign-ins under their name."""
    marks = ", ".join("?" for _ in actions)
    return rows(ws, f"SELECT happened_at, action, target, detail FROM audit_log WHERE happened_at >= ? AND ("
                    f"(username = ? AND action IN ({marks})) OR (username IS NULL AND target = ? AND action = "
                    "'login.failed')) ORDER BY happened_at DESC LIMIT ?",
                [since, username, *actions, username, limit])


@dataclass(frozen=True)
class AuditEntry:
    username: str | None
    action: str
    target: str | None = None
    detail: str | None = None


def append_audit(ws: Workspace, username: str | None, action: str, target: str | None, detail: str | None) -> None:
    with ws.write(changes_results=False) as con:
        insert_audit(con.con, AuditEntry(username, action, target, detail))


def insert_audit(raw: Any, entry: AuditEntry) -> None:
    """An audit row inside the caller's transaction, so an action and its record commit together."""
    raw.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?)",
                [now(), entry.username, entry.action, entry.target, entry.detail])


def audit_entries(ws: Workspace, limit: int = 200) -> list[dict[str, Any]]:
    with ws.read() as con:
        cursor = con.con.execute("SELECT * FROM audit_log ORDER BY happened_at DESC LIMIT ?", [limit])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
