"""Sign-in codes (TOTP, RFC 6238) through the real app: OWASP ASVS 4.0.3 V2.8 (one-time verifiers, each used
once) and V4.3.1 (administrators sign in with a second factor). Codes are made here by pyotp from the secret the
account page shows, as an authenticator app would make them."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from fastapi.testclient import TestClient
from web_support import build_workspace

from placespend.app import accounts, totp
from placespend.app.accounts import LoginThrottle
from placespend.app.workspace import open_workspace
from placespend.engine import accounts_store
from placespend.web.app import create_app
from placespend.web.security import SESSION_COOKIE

from conftest import Cli

PASSWORD = "a password of an admin"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    application = create_app(open_workspace(build_workspace(tmp_path_factory.mktemp("codes"))))
    yield application
    application.state.workspace.close()


def _signed_in(app, username: str) -> tuple[TestClient, str]:
    client = TestClient(app)
    assert client.post("/login", data={"username": username, "password": PASSWORD},
                       follow_redirects=False).status_code == 303
    return client, re.search(r'name="csrf_token" value="([^"]+)"', client.get("/account").text).group(1)


def _enrolled_admin(app, username: str) -> pyotp.TOTP:
    """An admin who set up codes on /account: the secret as the page showed it, once."""
    accounts.add_user(app.state.workspace, username, PASSWORD, "admin")
    client, csrf = _signed_in(app, username)
    assert 'id="mfa-nudge"' in client.get("/account").text
    page = client.post("/account/mfa", data={"csrf_token": csrf}).text
    secret = re.search(r'id="mfa-secret">([A-Z2-7]+)<', page).group(1)
    uri = re.search(r'id="mfa-uri">([^<]+)<', page).group(1).replace("&amp;", "&")
    assert pyotp.parse_uri(uri).secret == secret and f"otpauth://totp/placespend:{username}?" in uri
    assert "<svg" in page and "QR code" in page  # made in process: no image is fetched from anywhere
    assert client.post("/account/mfa/confirm", data={"csrf_token": csrf, "code": "000000"}).status_code == 422
    code = pyotp.TOTP(secret)
    confirmed = client.post("/account/mfa/confirm", data={"csrf_token": csrf, "code": code.now()},
                            follow_redirects=False)
    assert confirmed.status_code == 303
    page = client.get("/account").text
    assert "On: each sign-in asks for a code" in page and secret not in page and 'id="mfa-nudge"' not in page
    return code


def _password_step(app, username: str) -> TestClient:
    client = TestClient(app)
    asked = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/admin/users"},
                        follow_redirects=False)
    assert asked.status_code == 200 and 'action="/login/code"' in asked.text
    assert SESSION_COOKIE not in asked.cookies
    return client


def test_an_admin_with_codes_needs_a_code_after_the_password_and_each_code_works_once(app):
    code = _enrolled_admin(app, "ada")
    client = _password_step(app, "ada")
    assert client.get("/admin/users", follow_redirects=False).status_code == 303  # the password alone: nothing
    just_used = code.now()  # the code that confirmed the enrolment (or, if its step has passed, a code no later)
    # The previous step's code is inside the drift window but not after the step the enrolment used: refused.
    replayed = client.post("/login/code", data={"code": code.at(time.time() - 30)})
    assert replayed.status_code == 401 and "was used already" in replayed.text
    fresh = code.at(time.time() + 30)  # the next step's code, accepted for clock drift
    done = client.post("/login/code", data={"code": fresh, "next": "/admin/users"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/admin/users"
    assert client.get("/admin/users", follow_redirects=False).status_code == 200

    again = _password_step(app, "ada")  # the same code a second time, as someone who saw it typed would
    for used in (fresh, just_used):
        assert again.post("/login/code", data={"code": used}).status_code == 401
    ws = app.state.workspace
    actions = [(e["action"], e["detail"]) for e in accounts_store.audit_entries(ws, 10_000) if e["username"] == "ada"]
    assert ("mfa.enrol", None) in actions and ("login", "with a code") in actions
    assert any(action == "mfa.failed" for action, _ in actions)
    logged = str(accounts_store.audit_entries(ws, 10_000))
    assert accounts_store.totp_of(ws, accounts.user_named(ws, "ada").user_id)["secret"] not in logged


def test_wrong_codes_are_throttled_like_passwords(app):
    code = _enrolled_admin(app, "bob")
    client = _password_step(app, "bob")
    try:
        for _ in range(5):
            assert client.post("/login/code", data={"code": "000000"}).status_code == 401
        blocked = client.post("/login/code", data={"code": code.at(time.time() + 30)})
        assert blocked.status_code == 429 and SESSION_COOKIE not in blocked.cookies
        assert client.post("/login", data={"username": "bob", "password": PASSWORD}).status_code == 429
    finally:
        app.state.throttle = LoginThrottle()  # the client address's failures would block the other tests


def test_a_code_without_a_right_password_first_opens_nothing(app):
    _enrolled_admin(app, "cy")
    client = TestClient(app)
    refused = client.post("/login/code", data={"code": "000000"}, follow_redirects=False)
    assert refused.status_code == 401 and "Type your password again" in refused.text
    client.cookies.set("placespend_sign_in", "made-up-ticket")
    assert client.post("/login/code", data={"code": "000000"}).status_code == 401
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_an_admin_without_codes_still_signs_in_with_the_password_and_is_urged_to_add_them(app):
    """The demo's admin and every existing workspace keep working: codes are urged on admins, not required."""
    client = TestClient(app)
    assert client.post("/login", data={"username": "admin", "password": "correct horse battery"},
                       follow_redirects=False).status_code == 303
    assert 'id="mfa-nudge"' in client.get("/account").text
    analyst = TestClient(app)
    analyst.post("/login", data={"username": "analyst", "password": "correct horse battery"})
    assert 'id="mfa-nudge"' not in analyst.get("/account").text


def test_codes_are_turned_off_at_the_command_line_for_a_lost_phone(tmp_path):
    db = build_workspace(tmp_path)
    ws = open_workspace(db)
    admin = accounts.user_named(ws, "admin")
    secret, _ = totp.begin_enrolment(ws, admin)
    totp.confirm_enrolment(ws, admin, pyotp.TOTP(secret).now())
    assert totp.enrolled(ws, admin)
    ws.close()
    assert "Sign-in codes are off for admin" in Cli(db)("user", "mfa-off", "admin").output
    assert "no user nobody" in Cli(db)("user", "mfa-off", "nobody", expect=2).output
    assert "1 to 366 days" in Cli(db)("user", "token", "admin", "--days", "400", expect=2).output
    ws = open_workspace(db)
    try:
        assert not totp.enrolled(ws, admin)
        assert any(e["action"] == "mfa.remove" and e["target"] == "admin" for e in accounts_store.audit_entries(ws))
    finally:
        ws.close()


def test_a_server_that_requires_codes_keeps_its_administrative_pages_from_admins_without_them(tmp_path):
    """ASVS 4.3.1 as a deployer turns it on (`placespend serve --require-admin-mfa`): an admin without codes still
    signs in and reaches /account to set them up, but no administrative page, until codes are on."""
    strict = create_app(open_workspace(build_workspace(tmp_path)), require_admin_mfa=True)
    try:
        accounts.add_user(strict.state.workspace, "bea", PASSWORD, "admin")
        client, _ = _signed_in(strict, "bea")
        for page in ("/admin/users", "/admin/audit"):
            refused = client.get(page)
            assert refused.status_code == 403 and "set one up on your account page" in refused.text
        assert client.get("/account").status_code == 200
        _enrolled_admin(strict, "cyd")
        client = _password_step(strict, "cyd")
        secret = accounts_store.totp_of(strict.state.workspace, accounts.user_named(strict.state.workspace,
                                                                                    "cyd").user_id)["secret"]
        assert client.post("/login/code", data={"code": pyotp.TOTP(secret).at(time.time() + 30)},
                           follow_redirects=False).status_code == 303
        assert client.get("/admin/users").status_code == 200
    finally:
        strict.state.workspace.close()
