"""The OWASP ASVS 4.0.3 level 2 controls of SECURITY.md that the permission matrix (test_permissions.py) does
not already prove: password lengths, session tokens, cookies, sign-out and expiry, the audit of sign-ins and
refusals, no caching, no directory listings. Each test names the requirement it proves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_support import PASSWORD, build_workspace, sign_in

from placespend.app import accounts
from placespend.app.workspace import open_workspace
from placespend.domain.problems import PlacespendError
from placespend.engine import accounts_store
from placespend.web.app import create_app
from placespend.web.security import SESSION_COOKIE

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    application = create_app(open_workspace(build_workspace(tmp_path_factory.mktemp("security"))))
    yield application
    application.state.workspace.close()


def _audit(app, action: str) -> list[dict]:
    return [e for e in accounts_store.audit_entries(app.state.workspace, 10_000) if e["action"] == action]


def _sign_in_cookie(client: TestClient, username: str = "viewer", name: str = SESSION_COOKIE) -> tuple[str, str]:
    response = client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303
    return response.cookies[name], response.headers["set-cookie"]


def test_passwords_of_12_to_128_characters_none_truncated(app):
    """V2.1.1 (12 or more), V2.1.2 (64 allowed, more than 128 refused), V2.1.3 (no truncation)."""
    ws = app.state.workspace
    for length in (11, 129):
        with pytest.raises(PlacespendError, match="12 to 128 characters"):
            accounts.add_user(ws, f"len{length}", "x" * length, "viewer")
    accounts.add_user(ws, "len12", "y" * 12, "viewer")
    long = "a long passphrase, " * 5 + "end"  # 98 characters
    accounts.add_user(ws, "len98", long, "viewer")
    assert accounts.authenticate(ws, "len98", long) is not None
    assert accounts.authenticate(ws, "len98", long[:-1] + "E") is None  # the 98th character counts
    assert accounts.authenticate(ws, "len98", long[:72]) is None  # bcrypt would stop at 72 bytes


def test_a_new_unguessable_session_token_at_each_sign_in(app):
    """V3.2.1 (a new token at sign-in, none taken from the browser), V3.2.2 (at least 64 bits: 256 here)."""
    client = TestClient(app)
    client.cookies.set(SESSION_COOKIE, "chosen-by-an-attacker")
    assert client.get("/places", follow_redirects=False).status_code == 303  # a token not issued here: no session
    first, _ = _sign_in_cookie(client)
    second, _ = _sign_in_cookie(TestClient(app))
    assert first != second and "chosen-by-an-attacker" not in (first, second)
    assert len(first) >= 43  # 32 random bytes, base64


def test_session_cookie_is_http_only_same_site_and_secure_behind_https(tmp_path):
    """V3.4.1 (Secure, with serve --secure-cookies), V3.4.2 (HttpOnly), V3.4.3 (SameSite), V3.3.2 (8 hours)."""
    for secure in (False, True):
        application = create_app(open_workspace(build_workspace(tmp_path / str(secure))), secure_cookies=secure)
        try:
            client = TestClient(application, base_url="https://testserver" if secure else "http://testserver")
            _, header = _sign_in_cookie(client, name=f"__Host-{SESSION_COOKIE}" if secure else SESSION_COOKIE)
        finally:
            application.state.workspace.close()
        attributes = {part.strip().split("=")[0].lower() for part in header.split(";")}
        assert {"httponly", "samesite", "path"} <= attributes
        assert "samesite=lax" in header.lower() and f"max-age={8 * 3600}" in header.lower()
        assert ("secure" in attributes) is secure


def test_behind_https_the_session_cookie_is_host_only_and_a_planted_bare_one_opens_nothing(tmp_path):
    """V3.4.4: with --secure-cookies the session cookie carries the `__Host-` prefix (Secure, Path=/, no Domain),
    which a browser refuses to take from a sibling subdomain; the server reads only that name, so a cookie of
    the bare name, which such a page could plant, is not a session. Sign-in, a page and sign-out work with it."""
    application = create_app(open_workspace(build_workspace(tmp_path)), secure_cookies=True)
    try:
        client = TestClient(application, base_url="https://testserver")
        token, header = _sign_in_cookie(client, name=f"__Host-{SESSION_COOKIE}")
        attributes = [part.strip().lower() for part in header.split(";")]
        assert header.startswith(f"__Host-{SESSION_COOKIE}=") and "secure" in attributes and "path=/" in attributes
        assert not any(part.startswith("domain") for part in attributes)
        assert client.get("/places").status_code == 200
        planted = TestClient(application, base_url="https://testserver")
        planted.cookies.set(SESSION_COOKIE, token)  # a live token, under the name a sibling could set
        assert planted.get("/places", follow_redirects=False).status_code == 303
        csrf = client.get("/account").text.split('name="csrf_token" value="')[1].split('"')[0]
        signed_out = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
        dropped = signed_out.headers["set-cookie"].lower()
        assert dropped.startswith(f"__host-{SESSION_COOKIE}=") and "max-age=0" in dropped and "secure" in dropped
        replay = TestClient(application, base_url="https://testserver")
        replay.cookies.set(f"__Host-{SESSION_COOKIE}", token)
        assert replay.get("/places", follow_redirects=False).status_code == 303
    finally:
        application.state.workspace.close()


def test_sign_out_ends_the_session_on_the_server(app):
    """V3.3.1: after sign-out the old cookie, replayed, opens nothing; V8.2.3: the browser is told to drop it."""
    session = sign_in(app, "analyst")
    token = session.client.cookies[SESSION_COOKIE]
    signed_out = session.post("/logout")
    assert signed_out.status_code == 303 and "max-age=0" in signed_out.headers["set-cookie"].lower()
    replay = TestClient(app)
    replay.cookies.set(SESSION_COOKIE, token)
    assert replay.get("/places", follow_redirects=False).status_code == 303
    assert replay.get("/api/submissions").status_code == 401


def test_an_expired_session_is_refused(app):
    """V3.3.2: a session ends 8 hours after sign-in, used or not."""
    session = sign_in(app, "partner")
    assert session.get("/places").status_code == 200
    with app.state.workspace.write(changes_results=False) as con:
        con.con.execute("UPDATE sessions SET expires_at = expires_at - INTERVAL 8 HOUR - INTERVAL 1 SECOND")
    assert session.get("/places").status_code == 303


def test_no_session_token_in_a_url_or_a_page(app):
    """V3.1.1: the token travels in its cookie only, never in an address or a page."""
    client = TestClient(app)
    response = client.post("/login", data={"username": "admin", "password": PASSWORD, "next": "/places"},
                           follow_redirects=False)
    token = response.cookies[SESSION_COOKIE]
    assert token not in response.headers["location"]
    client.cookies.set(SESSION_COOKIE, token)
    for page in ("/places", "/submissions", "/admin/users", "/admin/audit"):
        assert token not in client.get(page).text


def test_sign_ins_are_audited_without_passwords_or_tokens(app):
    """V7.1.1 (no credentials in the log; tokens stored as hashes only), V7.1.3 and V7.2.1 (every sign-in
    decision logged: success, failure, throttling), V2.4.1 via test_permissions (argon2id)."""
    client = TestClient(app)
    wrong = "not the password 4711"
    client.post("/login", data={"username": "admin", "password": wrong})
    token, _ = _sign_in_cookie(client, "admin")
    assert any(e["target"] == "admin" for e in _audit(app, "login.failed"))
    assert any(e["username"] == "admin" for e in _audit(app, "login"))
    with app.state.workspace.read() as con:
        logged = str(con.con.execute("SELECT * FROM audit_log").fetchall())
        stored = str(con.con.execute("SELECT * FROM sessions").fetchall())
    assert wrong not in logged and PASSWORD not in logged and token not in logged
    assert token not in stored  # only its SHA-256 is kept


def test_every_refused_access_is_audited(app):
    """V7.2.2: a refusal by role, by partner or for a missing CSRF token is in the audit log, with who and what."""
    viewer = sign_in(app, "viewer")
    assert viewer.get("/admin/audit").status_code == 403
    partner = sign_in(app, "partner")
    submission = TestClient(app).get("/api/submissions", headers={"Authorization": "Bearer x"})
    assert submission.status_code == 401  # a bad token is refused before anyone is known: not a 403
    assert partner.client.post("/logout", follow_redirects=False).status_code == 403  # no CSRF token
    denied = {(e["username"], e["target"]) for e in _audit(app, "access.denied")}
    assert {("viewer", "GET /admin/audit"), ("partner", "POST /logout")} <= denied
    assert all(e["detail"] for e in _audit(app, "access.denied"))


def test_api_writes_with_a_session_cookie_need_the_csrf_header(app):
    """V4.2.2 and V13.2.3: the API, reached with a browser's cookie rather than a token, checks the CSRF token
    too (SameSite=Lax alone would let a top-level form post through)."""
    analyst = sign_in(app, "analyst")
    submission = analyst.get("/api/submissions").json()[0]["submission_id"]
    path = f"/api/submissions/{submission}/queries"
    body = {"message": "please check", "row": 2}
    assert analyst.client.post(path, json=body).status_code == 403
    assert analyst.client.post(path, json=body, headers={"x-csrf-token": "guessed"}).status_code == 403
    assert analyst.client.post(path, json=body, headers={"x-csrf-token": analyst.csrf}).status_code == 200


def test_answers_from_the_workspace_are_not_cached(app):
    """V8.1.1 and V8.2.1: pages, API answers and downloads say no-store; the package's own assets may be cached."""
    viewer = sign_in(app, "viewer")
    for path in ("/places", "/places/E09000023?year=2008-09", "/api/places/E09000023/count?year=2008-09",
                 "/api/places/E09000023/tables/cofog?year=2008-09&format=csv", "/login", "/docs"):
        assert viewer.get(path).headers.get("cache-control") == "no-store", path
    assert viewer.get("/static/app.css").headers.get("cache-control") != "no-store"


def test_no_folder_is_listed(app):
    """V4.3.2: the static folders serve files, never a listing of them."""
    client = TestClient(app)
    for folder in ("/static/", "/static", "/static-vendor/swagger/"):
        assert client.get(folder).status_code == 404, folder


def test_every_test_security_md_names_exists():
    """SECURITY.md's table names the test that proves each line: a renamed or deleted test fails here."""
    text = (REPO / "SECURITY.md").read_text()
    named, current = set(), None
    for found in re.finditer(r"`((?:tests/)?[\w/]*test_\w+\.py)(?:::(\w+))?`|`(test_\w+)`", text):
        if found.group(1):
            current = found.group(1) if found.group(1).startswith("tests/") else f"tests/web/{found.group(1)}"
        name = found.group(2) or found.group(3)
        if name and current:
            named.add((current, name))
    assert len(named) >= 30
    missing = [f"{path}::{name}" for path, name in sorted(named)
               if not re.search(rf"^def {name}\(", (REPO / path).read_text(), re.MULTILINE)]
    assert missing == []
