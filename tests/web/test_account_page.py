"""A user's own account (`/account`), through the real app: OWASP ASVS 4.0.3 V2.1.5-2.1.6 (change the password,
proving the current one), V3.3.3 (every other session ends on a change), V3.3.4 (see and end sessions), and
API tokens revoked by their owner. Each user here is made for its test, so the tests do not depend on order."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from fastapi.testclient import TestClient
from web_support import build_workspace

from placespend.app import accounts
from placespend.app.workspace import open_workspace
from placespend.domain.problems import PlacespendError
from placespend.engine import accounts_store
from placespend.web.app import create_app
from placespend.web.security import SESSION_COOKIE

OLD, NEW = "first password here", "second password, longer"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    application = create_app(open_workspace(build_workspace(tmp_path_factory.mktemp("account"))))
    yield application
    application.state.workspace.close()


def _browser(app, username: str, password: str = OLD) -> tuple[TestClient, str]:
    """A signed-in browser (its own cookie jar) and the CSRF token of its account page."""
    client = TestClient(app)
    response = client.post("/login", data={"username": username, "password": password}, follow_redirects=False)
    assert response.status_code == 303, response.text
    page = client.get("/account").text
    return client, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _new_user(app, username: str) -> None:
    accounts.add_user(app.state.workspace, username, OLD, "partner", "lbl")


def test_a_password_change_needs_the_current_one_and_ends_every_other_session(app):
    _new_user(app, "pat")
    here, csrf = _browser(app, "pat")
    elsewhere, _ = _browser(app, "pat")
    assert "this session" in here.get("/account").text and here.get("/account").text.count("<tr>") == 1 + 2

    wrong = here.post("/account/password", data={"current": "not my password", "new": NEW, "repeat": NEW,
                                                 "csrf_token": csrf})
    assert wrong.status_code == 422 and "The current password is not right." in wrong.text
    differ = here.post("/account/password", data={"current": OLD, "new": NEW, "repeat": NEW + "!",
                                                  "csrf_token": csrf})
    assert differ.status_code == 422 and "differ" in differ.text
    short = here.post("/account/password", data={"current": OLD, "new": "short", "repeat": "short",
                                                 "csrf_token": csrf})
    assert short.status_code == 422 and "12 to 128 characters" in short.text
    assert elsewhere.get("/account", follow_redirects=False).status_code == 200  # nothing changed yet

    changed = here.post("/account/password", data={"current": OLD, "new": NEW, "repeat": NEW, "csrf_token": csrf},
                        follow_redirects=False)
    assert changed.status_code == 303 and changed.headers["location"] == "/account?done=password"
    assert here.get("/account", follow_redirects=False).status_code == 200  # this session stays
    assert elsewhere.get("/account", follow_redirects=False).status_code == 303  # the other one has ended
    ws = app.state.workspace
    assert accounts.authenticate(ws, "pat", OLD) is None and accounts.authenticate(ws, "pat", NEW) is not None
    [entry] = [e for e in accounts_store.audit_entries(ws, 10_000) if e["action"] == "password.change"]
    assert entry["username"] == "pat" and entry["detail"] == "other sessions ended: 1"
    logged = str(accounts_store.audit_entries(ws, 10_000))
    assert OLD not in logged and NEW not in logged


def test_a_change_without_the_csrf_token_is_refused(app):
    _new_user(app, "csrf-less")
    here, _ = _browser(app, "csrf-less")
    refused = here.post("/account/password", data={"current": OLD, "new": NEW, "repeat": NEW})
    assert refused.status_code == 403
    assert accounts.authenticate(app.state.workspace, "csrf-less", OLD) is not None


def test_a_user_signs_out_of_every_other_session(app):
    _new_user(app, "sam")
    here, csrf = _browser(app, "sam")
    others = [_browser(app, "sam")[0] for _ in range(2)]
    page = here.post("/account/sessions/end", data={"csrf_token": csrf}).text  # redirected to the account page
    assert [c.get("/account", follow_redirects=False).status_code for c in others] == [303, 303]
    assert "Every other session has ended." in page and page.count("this session") == 1


def test_a_user_revokes_their_own_api_token_and_no_one_elses(app):
    ws = app.state.workspace
    _new_user(app, "tia")
    _new_user(app, "tom")
    token = accounts.new_api_token(ws, accounts.user_named(ws, "tia"), "nightly export")
    theirs = accounts.new_api_token(ws, accounts.user_named(ws, "tom"), "tom's script")
    api = TestClient(app)
    assert api.get("/api/places", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    here, csrf = _browser(app, "tia")
    page = here.get("/account").text
    assert "nightly export" in page and token not in page and "tom's script" not in page
    [tia_token] = accounts.tokens_of(ws, accounts.user_named(ws, "tia"))
    [tom_token] = accounts.tokens_of(ws, accounts.user_named(ws, "tom"))
    assert here.post(f"/account/tokens/{tom_token['token_id']}/revoke", data={"csrf_token": csrf}).status_code == 404
    assert api.get("/api/places", headers={"Authorization": f"Bearer {theirs}"}).status_code == 200
    revoked = here.post(f"/account/tokens/{tia_token['token_id']}/revoke", data={"csrf_token": csrf},
                        follow_redirects=False)
    assert revoked.status_code == 303
    assert api.get("/api/places", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert any(e["action"] == "token.revoke" and e["username"] == "tia"
               for e in accounts_store.audit_entries(ws, 10_000))


def test_the_account_page_needs_a_signed_in_user(app):
    response = TestClient(app).get("/account", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert TestClient(app).cookies.get(SESSION_COOKIE) is None


def _expire(ws, token: str) -> None:
    """Move a token's expiry to a second ago, as time would (the expiry itself is checked by the server)."""
    with ws.write(changes_results=False) as con:
        con.con.execute("UPDATE api_tokens SET expires_at = ? WHERE token_hash = ?",
                        [accounts_store.now() - dt.timedelta(seconds=1), hashlib.sha256(token.encode()).hexdigest()])


def test_an_api_token_expires_and_is_then_refused_like_an_unknown_one(app):
    """ASVS 3.5: a token works for 90 days unless issued for another span; an expired one is a 401, as an
    unknown one; its owner sees each token's expiry on /account."""
    ws = app.state.workspace
    _new_user(app, "ted")
    ted = accounts.user_named(ws, "ted")
    before = dt.datetime.now(dt.UTC).date()
    default, weekly = accounts.new_api_token(ws, ted, "default span"), accounts.new_api_token(ws, ted, "weekly", 7)
    for days in (0, 367):
        with pytest.raises(PlacespendError, match="1 to 366 days"):
            accounts.new_api_token(ws, ted, "bad span", days)
    here, _ = _browser(app, "ted")
    page = here.get("/account").text
    after = dt.datetime.now(dt.UTC).date()  # the tokens were issued between the two readings of the date
    for label, days in (("default span", 90), ("weekly", 7)):
        row = re.search(rf"<td>{label}</td><td>[^<]+</td><td>([^<]+)</td>", page).group(1)
        assert any(row.startswith(f"{day + dt.timedelta(days=days):%d %b %Y}") for day in {before, after}), (label, row)
    api = TestClient(app)
    assert api.get("/api/places", headers={"Authorization": f"Bearer {weekly}"}).status_code == 200
    unknown = api.get("/api/places", headers={"Authorization": "Bearer ps_not-a-token"})
    _expire(ws, weekly)
    expired = api.get("/api/places", headers={"Authorization": f"Bearer {weekly}"})
    assert expired.status_code == unknown.status_code == 401 and expired.json() == unknown.json()
    assert expired.headers["www-authenticate"] == "Bearer"
    assert api.get("/api/places", headers={"Authorization": f"Bearer {default}"}).status_code == 200
    assert "(expired)" in here.get("/account").text


@pytest.mark.parametrize("common", ["passwordpassword", "Password Password", "111111111111", "1qaz2wsx3edc"])
def test_a_common_password_is_refused_at_a_change_and_for_a_new_account(app, common):
    """ASVS 2.1.7: a password in (or a listed password repeated, spaced or capitalised in) zxcvbn's list of the
    most common leaked passwords is refused, offline, in words that never repeat it."""
    name = f"common-{abs(hash(common))}"
    _new_user(app, name)
    here, csrf = _browser(app, name)
    refused = here.post("/account/password", data={"current": OLD, "new": common, "repeat": common,
                                                   "csrf_token": csrf})
    assert refused.status_code == 422 and "most common in leaked password lists" in refused.text
    assert common not in refused.text
    assert accounts.authenticate(app.state.workspace, name, OLD) is not None
    with pytest.raises(PlacespendError, match="most common in leaked password lists") as raised:
        accounts.add_user(app.state.workspace, name + "-2", common, "viewer")
    assert common not in str(raised.value)
    assert accounts.user_named(app.state.workspace, name + "-2") is None


def test_the_account_page_shows_recent_security_events_of_this_account_only(app):
    """ASVS 2.2.3, 2.5.5: with no e-mail, the user learns of credential changes (and of attempts on their
    account) on /account, from the audit log; another user's events and those over 30 days old are not shown."""
    ws = app.state.workspace
    _new_user(app, "una")
    _new_user(app, "vic")
    assert TestClient(app).post("/login", data={"username": "una", "password": "wrong password!"}).status_code == 401
    accounts.new_api_token(ws, accounts.user_named(ws, "una"), "una's export")
    accounts.new_api_token(ws, accounts.user_named(ws, "vic"), "vic's export")
    here, csrf = _browser(app, "una")
    before = here.get("/account").text
    assert "A sign-in with a wrong password" in before and "An API token was created (una&#39;s export)" in before
    assert "vic&#39;s export" not in before and "Your password was changed" not in before
    here.post("/account/password", data={"current": OLD, "new": NEW, "repeat": NEW, "csrf_token": csrf})
    after = here.get("/account").text
    assert "Your password was changed" in after
    with ws.write(changes_results=False) as con:
        con.con.execute("UPDATE audit_log SET happened_at = happened_at - INTERVAL 31 DAY "
                        "WHERE action = 'login.failed' AND target = 'una'")
    assert "A sign-in with a wrong password" not in here.get("/account").text
