"""Every role against every route and API endpoint: allowed or refused as intended.

The matrix must cover every route the app declares, so a new route cannot ship unexamined. Refusals are
checked by status code: pages send strangers to /login (303), the API answers 401, a signed-in user who may
not do something gets 403, and a partner asking for another partner's submission gets 404 (it does not
learn that the submission exists).
"""

from __future__ import annotations

import datetime as dt
import io
from io import BytesIO

import pytest
from web_support import PASSWORD, build_workspace, sign_in

from people_support import FIELDS
from placespend.app import accounts, deepdives, imports, sharing
from placespend.app.workspace import open_workspace
from placespend.engine.workspace import Workspace
from placespend.ingest.insight.people_files import read_records
from placespend.insight.people_tokens import key_from_text, new_key_text, pseudonymised_rows
from placespend.insight.synthetic_people import make_partners
from placespend.report.exports import rows_csv
from placespend.web.app import create_app
from placespend.web.local_access import LOCAL_HEADER, LOCAL_PATH, LocalCli

# other_analyst is an analyst the sharing agreement does not name (it sees no linkage results).
ROLES = ("anonymous", "admin", "analyst", "other_analyst", "partner", "other_partner", "viewer")
ALL = {"admin", "analyst", "other_analyst", "partner", "other_partner", "viewer"}
STAFF = {"admin", "analyst", "other_analyst"}
SUBMITTERS = STAFF | {"partner", "other_partner"}
# (method, path template, roles allowed). {lbl} is the lbl partner's submission, {pct} the other partner's.
PAGES = [
    ("GET", "/", ALL | {"anonymous"}),
    ("GET", "/login", ALL | {"anonymous"}),
    ("GET", "/places", ALL),
    ("GET", "/places?year=2008-09&measure=total", ALL),
    ("GET", "/places/E09000023?year=2008-09", ALL),
    ("GET", "/places/E09000023/others?year=2008-09", ALL),
    ("GET", "/account", ALL),
    ("POST", "/account/password", ALL),  # without the current password: 422 for each signed-in role
    ("POST", "/account/sessions/end", ALL),
    ("POST", "/account/tokens/000000000000/revoke", ALL),  # no such token of the caller's: 404
    ("POST", "/account/mfa", ALL),  # a secret for sign-in codes, shown once, unconfirmed
    ("POST", "/account/mfa/confirm", ALL),  # without a code: 422
    ("GET", "/places/E09000023/lines?year=2008-09", SUBMITTERS),
    ("GET", "/compare", ALL),
    ("GET", "/analyses", ALL),
    ("GET", "/analyses?year=2008-09&place=E09000023", ALL),
    ("GET", "/bodies", ALL),
    ("GET", "/imports", STAFF),
    ("POST", "/imports", STAFF),
    ("GET", "/imports/jobs/{job}", STAFF),
    ("GET", "/imports/jobs/{job}/progress", STAFF),
    ("POST", "/bodies/merges", STAFF),
    ("POST", "/bodies/merges/1/undo", STAFF),
    ("GET", "/compare?year=2008-09", ALL),
    ("GET", "/template.xlsx", ALL),
    ("GET", "/submissions", SUBMITTERS),
    ("GET", "/submissions/{lbl}", STAFF | {"partner"}),
    ("GET", "/submissions/{pct}", STAFF | {"other_partner"}),
    ("POST", "/submissions/{lbl}/queries", STAFF),
    ("POST", "/submissions/{lbl}/accept", STAFF),
    ("GET", "/admin/users", {"admin"}),
    ("POST", "/admin/users", {"admin"}),
    ("GET", "/admin/audit", {"admin"}),
    ("GET", "/whoami", ALL | {"anonymous"}),
    ("POST", "/logout", ALL),
    ("POST", "/submissions", SUBMITTERS),
    ("GET", "/assets", ALL),
    ("GET", "/places/E09000023/assets", ALL),
    ("GET", "/suppliers", ALL),
    ("GET", "/insight", ALL),
    ("GET", "/insight?place=E09000023&level=ward", ALL),
    ("GET", "/insight/hotspots", ALL),
    ("POST", "/insight/hotspots", SUBMITTERS),  # reads only the caller's own files, like the API
    ("GET", "/insight/surveys", ALL),
    ("POST", "/insight/surveys", SUBMITTERS),
    ("GET", "/insight/overlap", ALL),  # published counts only; a partner sees the runs it was a party to
    ("GET", "/reports", ALL),
    ("GET", "/reports?place=E09000023&year=2008-09", ALL),
    ("GET", "/places/E09000023/report.pdf?year=2008-09", ALL),
    ("GET", "/places/E09000023/report.xlsx?year=2008-09", ALL),
    # {deepdive} is a savings register the partner (lbl) uploaded: staff and that partner change it.
    ("GET", "/deepdives", ALL),
    ("POST", "/deepdives/inputs", SUBMITTERS),
    ("POST", "/deepdives/examples", STAFF),
    ("GET", "/deepdives/inputs/{deepdive}", ALL),
    ("GET", "/deepdives/inputs/{deepdive}/file", ALL),
    ("GET", "/deepdives/inputs/{deepdive}/edit", STAFF | {"partner"}),
    ("POST", "/deepdives/inputs/{deepdive}/rows", STAFF | {"partner"}),
    ("POST", "/deepdives/inputs/{deepdive}/params", STAFF | {"partner"}),
    ("GET", "/deepdives/themes?place=E09000023&year=2008-09", ALL),
]
API = [
    ("GET", "/api/places", ALL),
    ("GET", "/api/places/E09000023?year=2008-09", ALL),
    ("GET", "/api/places/E09000023/count?year=2008-09", ALL),
    ("GET", "/api/places/E09000023/reconciliation?year=2008-09", ALL),
    ("GET", "/api/places/E09000023/lines?year=2008-09", SUBMITTERS),
    ("GET", "/api/compare?year=2008-09", ALL),
    ("GET", "/api/compare?year=2008-09&format=csv", ALL),
    ("GET", "/api/analyses?year=2008-09", ALL),
    ("GET", "/api/imports/jobs/{job}", STAFF),
    ("GET", "/api/places/E09000023/tables/concentration?year=2008-09", ALL),
    ("GET", "/api/places-compared?year=2008-09", ALL),
    ("GET", "/api/submissions", SUBMITTERS),
    ("GET", "/api/submissions/{lbl}", STAFF | {"partner"}),
    ("GET", "/api/submissions/{pct}", STAFF | {"other_partner"}),
    ("POST", "/api/submissions/{lbl}/accept", STAFF),
    ("POST", "/api/submissions/{lbl}/queries", STAFF),
    ("GET", "/api/partners", STAFF),
    ("POST", "/api/submissions", SUBMITTERS),
    ("GET", "/api/health", ALL | {"anonymous"}),
    ("GET", "/api/insight/agreements", STAFF),
    ("GET", "/api/insight/agreements/{agreement_id}", STAFF),
    ("GET", "/api/insight/runs", STAFF),
    ("GET", "/api/insight/runs/{run_id}/summary", ALL),
    ("GET", "/api/insight/runs/{run_id}/pairs", {"analyst"}),  # the analyst the agreement names; not admin
    ("GET", "/api/insight/runs/{run_id}/records", {"partner", "other_partner"}),  # each its own side
    # People routes get real pseudonymised files of lbl (partner) and pct (other_partner) under agreement falls.
    ("POST", "/api/insight/link", {"analyst"}),
    ("POST", "/api/insight/overlap?by=x_ward", SUBMITTERS),
    ("POST", "/api/insight/unmatched?by=x_ward", SUBMITTERS),
    ("POST", "/api/insight/unmatched/records?by=x_ward", {"partner"}),  # lbl owns LEFT; pct does not
    ("POST", "/api/insight/services?by=x_ward", SUBMITTERS),
    ("GET", "/api/insight/segments?place=E09000023", ALL),
    ("GET", "/api/insight/classifications", ALL),
    ("GET", "/api/insight/places/E09000023/profiles", ALL),
    ("GET", "/api/insight/places/E09000023/profiles/{area}", ALL),
    ("GET", "/api/insight/places/E09000023/map", ALL),
    ("POST", "/api/insight/hotspots", SUBMITTERS),
    ("POST", "/api/insight/access-points", SUBMITTERS),
    ("POST", "/api/insight/surveys", SUBMITTERS),
    ("GET", "/api/assets", ALL),
    ("GET", "/api/assets/map", ALL),
    ("GET", "/api/assets/registers", ALL),
    ("POST", "/api/assets/registers", SUBMITTERS),
    ("GET", "/api/assets/nearby?within=100", ALL),
    ("GET", "/api/assets/under-used", ALL),
    ("GET", "/api/assets/leases", ALL),
    ("GET", "/api/assets/benchmark", ALL),
    ("GET", "/api/assets/capital?place=E09000023&year=2008-09", ALL),
    ("POST", "/api/assets/scenario", ALL),
    ("GET", "/api/suppliers/shared", ALL),
    ("GET", "/api/suppliers/explain?left=Acme&right=Bolt", ALL),
    ("GET", "/api/suppliers/payments?name=Acme", ALL),
    ("GET", "/api/suppliers/savings?central=5", ALL),
    ("GET", "/api/suppliers/overrides", STAFF),
    ("POST", "/api/suppliers/link", STAFF),
    ("POST", "/api/suppliers/split", STAFF),
    ("GET", "/api/deepdives/inputs", ALL),
    ("POST", "/api/deepdives/inputs", SUBMITTERS),
    ("GET", "/api/deepdives/inputs/{deepdive}", ALL),
    ("GET", "/api/deepdives/inputs/{deepdive}/versions", ALL),
    ("GET", "/api/deepdives/inputs/{deepdive}/tables/entries", ALL),
    ("GET", "/api/deepdives/themes?place=E09000023&year=2008-09", ALL),
    ("GET", "/api/deepdives/themes/tables/themes?place=E09000023&year=2008-09", ALL),
]
# A small savings register, uploaded whole where a route takes a deep-dive input.
SAVINGS = b"id,agency,low,central,high,start_year\nS1,lbl,80,100,120,2010-11\n"
PEOPLE_UPLOADS = {"/api/insight/link", "/api/insight/overlap", "/api/insight/unmatched",
                  "/api/insight/unmatched/records", "/api/insight/services"}
# Routes that may answer 400 to an allowed caller: the partnership workspace has no small-area statistics, and
# the matrix's one request body names no site for an asset scenario, and there are no supplier payments.
NEEDS_DATA = ("/api/insight/", "/api/assets/scenario", "/api/suppliers/explain", "/api/suppliers/payments")
OPEN = {"/login", "/login/code", "/favicon.ico", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/static",
        "/static-vendor/plotly.min.js",
        "/static-vendor/swagger"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    application = _app(tmp_path_factory.mktemp("perm"))
    yield application
    application.state.workspace.close()


@pytest.fixture(scope="module")
def unchanged_app(tmp_path_factory):
    """The same workspace, untouched by the matrix's requests (which withdraw and reject returns), for the tests
    that read both partners' returns as counted."""
    application = _app(tmp_path_factory.mktemp("perm-unchanged"))
    yield application
    application.state.workspace.close()


def _app(folder):
    application = create_app(open_workspace(build_workspace(folder)))
    ws = application.state.workspace
    with ws.read() as con:
        ids = dict(con.con.execute("SELECT submitter, submission_id FROM submissions").fetchall())
    partner = accounts.authenticate(ws, "partner", PASSWORD)
    deepdive = deepdives.upload(ws, partner, "savings", "lbl savings", "E09000023", "lbl.csv", SAVINGS).input_id
    job = imports.start(ws, accounts.authenticate(ws, "admin", PASSWORD), "c_2019.csv",
                        io.BytesIO(b"area,indicator,value\nE01000001,clients,four\n"))
    application.state.ids = {"lbl": ids["lbl"], "pct": ids["pct"], "agreement_id": "falls",
                             "run_id": _linkage_run(ws), "area": "E01003189", "deepdive": deepdive,
                             "job": job.job_id}
    accounts.add_user(ws, "other_analyst", PASSWORD, "analyst", None)
    application.state.people_files = _people_files()
    application.state.tokens = {}
    for role in ROLES[1:]:
        user = accounts.authenticate(ws, role, PASSWORD)
        application.state.tokens[role] = accounts.new_api_token(ws, user, "matrix")
    return application


def _linkage_run(ws: Workspace) -> str:
    """A run between lbl and pct under an agreement naming the analyst: 3 pairs of 40 and 25 records."""
    review = dt.date.today() + dt.timedelta(days=100)
    found = sharing.add_agreement(ws, "falls", "falls prevention", "public task", ["lbl", "pct"], [*FIELDS],
                                  ["analyst"], review, "admin", retention_days=30)
    return sharing.save_run(ws, found, "link", "analyst", "lbl", "pct", "a" * 64, "b" * 64,
                            pairs=[("L1", "R1", 0.99), ("L2", "R2", 0.97), ("L3", "R3", 0.9)],
                            left_records=40, right_records=25)


def _people_files() -> dict[str, bytes]:
    """lbl's and pct's records pseudonymised with one key, each row naming its owner (x_owner)."""
    partners = make_partners(60, 50, 30, seed=8, error_rate=0.0, twin_share=0.0)
    key = key_from_text(new_key_text())
    made = {}
    for name, text, owner in (("left", partners.left_csv, "lbl"), ("right", partners.right_csv, "pct")):
        records = read_records(text.encode(), f"{name}.csv").records
        made[name] = rows_csv([row | {"x_owner": owner} for row in pseudonymised_rows(key, records)]).encode()
    return made


def _path(app, template: str) -> str:
    return template.format(**app.state.ids)


def _page_request(app, role: str, method: str, path: str):
    session = sign_in(app, None if role == "anonymous" else role)
    if method == "GET":
        return session.get(path)
    if path == "/deepdives/inputs":
        return session.client.post(path, data={"csrf_token": session.csrf or "", "kind": "savings", "name": role},
                                   files={"file": ("s.csv", SAVINGS)}, follow_redirects=False)
    if path == "/submissions":
        return session.client.post(path, data={"csrf_token": session.csrf or ""}, follow_redirects=False,
                                   files={"file": ("r.csv", b"period,place,spender,spender_type,flow,amount,cofog\n"
                                                   b"2008-09,E09000023,lbl,local_authority,spend,1.00,10\n")})
    data = {"message": "please check", "username": "newuser", "password": "long enough password", "role": "viewer"}
    return session.post(path, data=data)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "template", "allowed"), PAGES, ids=[f"{m} {p}" for m, p, _ in PAGES])
def test_page_permissions(app, role, method, template, allowed):
    path = _path(app, template)
    response = _page_request(app, role, method, path)
    if role in allowed:
        accepted = {200, 303, 422} | ({404} if path.startswith("/account/tokens/") else set())
        assert response.status_code in accepted, (role, path, response.status_code, response.text[:300])
        if response.status_code == 303:
            assert "/login" not in response.headers["location"] or path in {"/logout", "/"}
    elif role == "anonymous":
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), response.status_code
    elif method == "GET" and role in {"partner", "other_partner"} and ("{pct}" in template or "{lbl}" in template):
        assert response.status_code == 404, (role, path, response.status_code)
    else:
        assert response.status_code == 403, (role, path, response.status_code)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "template", "allowed"), API, ids=[f"{m} {p}" for m, p, _ in API])
def test_api_permissions(app, role, method, template, allowed):
    from fastapi.testclient import TestClient

    client = TestClient(app)
    headers = {} if role == "anonymous" else {"Authorization": f"Bearer {app.state.tokens[role]}"}
    path = _path(app, template)
    if method == "GET":
        response = client.get(path, headers=headers)
    elif path == "/api/deepdives/inputs":
        response = client.post(path, headers=headers, data={"kind": "savings", "name": f"api {role}"},
                               files={"file": ("s.csv", SAVINGS)})
    elif path == "/api/submissions":
        response = client.post(path, headers=headers, files={"file": ("r.csv", b"period,place\n")})
    elif path.split("?")[0] in PEOPLE_UPLOADS:
        people = app.state.people_files
        files = ([("files", ("lbl.csv", people["left"])), ("files", ("pct.csv", people["right"]))]
                 if "/services" in path else {"left": ("l.csv", people["left"]), "right": ("r.csv", people["right"])})
        response = client.post(path, headers=headers, files=files)
    else:
        response = client.post(path, headers=headers, json={"message": "check row 2", "row": 2})
    if role in allowed:
        accepted = {200, 422, 400} if path.startswith(NEEDS_DATA) else {200, 422}
        accepted = {200} if path.split("?")[0] in PEOPLE_UPLOADS else accepted
        assert response.status_code in accepted, (role, path, response.status_code, response.text[:300])
    elif role == "anonymous":
        assert response.status_code == 401, (path, response.status_code)
        assert response.json()["error"]["status"] == 401
    elif method == "GET" and ("{pct}" in template or "{lbl}" in template) and role in {"partner", "other_partner"}:
        assert response.status_code == 404, (role, path, response.status_code)
    else:
        assert response.status_code == 403, (role, path, response.status_code)


def _routes(routes):
    for route in routes:
        if hasattr(route, "original_router"):  # an included router: its routes carry the full path
            yield from _routes(route.original_router.routes)
        else:
            yield route


def test_matrix_covers_every_route(app):
    declared = {(method, route.path) for route in _routes(app.routes)
                for method in getattr(route, "methods", None) or {"GET"} if method != "HEAD"}
    assert len(declared) > 25
    listed = {(m, p.split("?")[0].replace("{lbl}", "{submission_id}").replace("{pct}", "{submission_id}")
               .replace("E09000023", "{place}").replace("/tables/concentration", "/tables/{table}")
               .replace("{deepdive}", "{input_id}").replace("/tables/entries", "/tables/{table}")
               .replace("/themes/tables/themes", "/themes/tables/{table}").replace("{job}", "{job_id}")
               .replace("/bodies/merges/1/", "/bodies/merges/{merge_id}/")
               .replace("/tokens/000000000000/", "/tokens/{token_id}/"))
              for m, p, _ in PAGES + API}
    missing = {(m, p) for m, p in declared if (m, p) not in listed and p not in OPEN and p != LOCAL_PATH}
    # POST /login and /login/code are open by nature; their throttling is tested below and in
    # test_sign_in_codes.py.
    assert not missing, f"routes without a permission expectation: {sorted(missing)}"


@pytest.mark.parametrize("role", ROLES)
def test_the_command_line_route_refuses_every_role(app, role):
    """Only the CLI on the server's machine, holding the secret `placespend serve` wrote for it, runs commands
    there (tests/cli/test_beside_the_server.py); no account of any role does, nor a wrong secret."""
    from fastapi.testclient import TestClient

    ran: list[list[str]] = []
    app.state.local_cli = LocalCli("the secret", lambda args, width: ran.append(args) or {})
    try:
        session = sign_in(app, None if role == "anonymous" else role)
        body = {"args": ["submissions", "--format", "json"], "width": 80}
        headers = {"Authorization": f"Bearer {app.state.tokens[role]}"} if role != "anonymous" else {}
        for client, extra in ((session.client, {"x-csrf-token": session.csrf or ""}), (TestClient(app), headers),
                              (TestClient(app), {LOCAL_HEADER: "a guess"}),
                              (TestClient(app), {LOCAL_HEADER: "the secret"})):  # right, but not from loopback
            response = client.post(LOCAL_PATH, json=body, headers=extra)
            assert response.status_code == 403, (role, response.status_code)
            assert "command line" in response.json()["error"]["message"]
    finally:
        app.state.local_cli = None
    assert ran == []


def test_bad_token_is_401(app):
    from fastapi.testclient import TestClient

    response = TestClient(app).get("/api/places", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401


def test_post_without_csrf_is_refused(app):
    session = sign_in(app, "analyst")
    response = session.client.post(f"/submissions/{app.state.ids['lbl']}/accept", follow_redirects=False)
    assert response.status_code == 403 and "CSRF" in response.text


def test_partner_lines_are_only_its_own(app):
    session = sign_in(app, "other_partner")
    rows = session.client.get("/api/places/E09000023/lines?year=2008-09",
                              headers={"Authorization": f"Bearer {app.state.tokens['other_partner']}"}).json()
    assert rows and {r["spender"] for r in rows} == {"pct"}


def test_login_is_rate_limited(app):
    from fastapi.testclient import TestClient

    client = TestClient(app)
    codes = [client.post("/login", data={"username": "viewer", "password": "wrong password!"},
                         follow_redirects=False).status_code for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    right = client.post("/login", data={"username": "viewer", "password": PASSWORD}, follow_redirects=False)
    assert right.status_code == 429  # still locked for the window, even with the right password


def test_public_mode_shows_results_only(tmp_path):
    from fastapi.testclient import TestClient

    application = create_app(open_workspace(build_workspace(tmp_path)), public=True)
    try:
        client = TestClient(application)
        assert client.get("/places", follow_redirects=False).status_code == 200
        assert client.get("/api/places/E09000023/count?year=2008-09").status_code == 200
        assert client.get("/submissions", follow_redirects=False).status_code == 303
        assert client.get("/api/submissions").status_code == 401
    finally:
        application.state.workspace.close()


def test_passwords_are_argon2_hashed(app):
    ws = app.state.workspace
    with ws.read() as con:
        hashes = [r[0] for r in con.con.execute("SELECT password_hash FROM users").fetchall()]
    assert all(h.startswith("$argon2id$") for h in hashes) and PASSWORD not in "".join(hashes)


@pytest.mark.parametrize("table", ["local-control", "concentration", "small-bodies", "hand-overs", "cofog",
                                   "body-types", "wards"])
def test_every_place_table_downloads_as_csv_and_xlsx(app, table):
    from io import BytesIO

    from fastapi.testclient import TestClient
    from openpyxl import load_workbook

    client = TestClient(app)
    headers = {"Authorization": f"Bearer {app.state.tokens['viewer']}"}
    rows = client.get(f"/api/places/E09000023/tables/{table}?year=2008-09", headers=headers).json()
    csv_text = client.get(f"/api/places/E09000023/tables/{table}?year=2008-09&format=csv", headers=headers).text
    book = load_workbook(BytesIO(client.get(f"/api/places/E09000023/tables/{table}?year=2008-09&format=xlsx",
                                            headers=headers).content))
    assert len(csv_text.strip().splitlines()) == (len(rows) + 1 if rows else 0)
    assert book.active.max_row == (len(rows) + 1 if rows else 1)


def test_a_partner_reads_only_its_own_side_of_a_run(app):
    from fastapi.testclient import TestClient

    client, run_id = TestClient(app), app.state.ids["run_id"]
    seen = {role: client.get(f"/api/insight/runs/{run_id}/records",
                             headers={"Authorization": f"Bearer {app.state.tokens[role]}"}).json()["record_ids"]
            for role in ("partner", "other_partner")}
    assert seen == {"partner": ["L1", "L2", "L3"], "other_partner": ["R1", "R2", "R3"]}


def test_a_partner_of_neither_side_cannot_read_a_run(app):
    """A run's counts are about the parties' people: a partner whose organisation was not a party is refused
    (as the insight page already left such runs out), and the refusal is audited for the agreement."""
    from fastapi.testclient import TestClient

    ws, run_id = app.state.workspace, app.state.ids["run_id"]
    if accounts.user_named(ws, "met-finance") is None:
        accounts.add_user(ws, "met-finance", PASSWORD, "partner", "met")
    token = accounts.new_api_token(ws, accounts.authenticate(ws, "met-finance", PASSWORD), "met")
    client = TestClient(app)
    for url in (f"/api/insight/runs/{run_id}/summary", f"/api/insight/runs/{run_id}/summary?format=csv"):
        refused = client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 403 and "both" not in refused.text
    trail = sharing.audit_trail(ws, "falls")
    assert any(e["action"] == "refused" and e["detail"].get("wanted") == "summary" for e in trail), trail


def test_a_viewer_never_sees_a_small_count(app):
    from fastapi.testclient import TestClient

    client, run_id = TestClient(app), app.state.ids["run_id"]
    headers = {"Authorization": f"Bearer {app.state.tokens['viewer']}"}
    summary = client.get(f"/api/insight/runs/{run_id}/summary", headers=headers).json()
    [group] = summary["published"]["groups"]
    # 37 left only, 3 both, 22 right only, 62 in all: 3 is withheld, and so is another, or 3 = 62 - 37 - 22.
    assert group["both"] is None and [group["left_only"], group["right_only"]].count(None) >= 1
    numbers = [value for value in group.values() if isinstance(value, int)]
    assert all(not 1 <= value < 10 for value in numbers)
    text = client.get(f"/api/insight/runs/{run_id}/summary?format=csv", headers=headers).text
    assert "37,,22" not in text and ",3," not in text
    pairs = client.get(f"/api/insight/runs/{run_id}/pairs", headers=headers)
    assert pairs.status_code == 403


@pytest.mark.parametrize(("role", "shown"), [("partner", {"lbl"}), ("other_partner", {"pct"}), ("viewer", set()),
                                             ("analyst", {"lbl", "pct"}), ("admin", {"lbl", "pct"})])
def test_a_board_report_names_only_the_files_its_reader_may_open(unchanged_app, role, shown):
    """Every reader gets every figure and every return's content hash; a return's file name and submission id
    only the count team and the partner that sent it (as /submissions/{id} answers 404 to other partners)."""
    from fastapi.testclient import TestClient
    from openpyxl import load_workbook

    client, ids = TestClient(unchanged_app), unchanged_app.state.ids
    headers = {"Authorization": f"Bearer {unchanged_app.state.tokens[role]}"}
    book = load_workbook(BytesIO(client.get("/places/E09000023/report.xlsx?year=2008-09", headers=headers).content))
    rows = [row for row in book["Sources"].iter_rows(values_only=True) if row[1] in {"lbl", "pct"}]
    assert {row[1] for row in rows} == {"lbl", "pct"}
    assert {row[1] for row in rows if row[3]} == shown
    assert {row[0] for row in rows if row[0] is not None} == {ids[body] for body in shown}
    assert all(len(row[6]) == 64 for row in rows)


def test_a_board_report_shows_people_only_through_disclosure_control(unchanged_app):
    """The report's insight highlights: the linkage run between the place's partners as its summary published it
    (the API's JSON, small counts withheld), and the latest segments as counts of areas."""
    from fastapi.testclient import TestClient
    from openpyxl import load_workbook

    from placespend.engine import area_insight_store
    from placespend.engine.area_insight_store import SegmentRun

    app = unchanged_app
    ws, client = app.state.workspace, TestClient(app)
    segments = {"E01000001": ("1", "Thriving"), "E01000002": ("2", "Stretched"), "E01000003": ("1", "Thriving")}
    area_insight_store.save_segments(ws, SegmentRun("E09000023", "lsoa", "kmeans", 2, 0, "imd_score 2019", segments))
    headers = {"Authorization": f"Bearer {app.state.tokens['viewer']}"}
    summary = client.get(f"/api/insight/runs/{app.state.ids['run_id']}/summary", headers=headers).json()
    book = load_workbook(BytesIO(client.get("/places/E09000023/report.xlsx?year=2008-09", headers=headers).content))
    rows = list(book["Insight"].iter_rows(values_only=True))
    [group] = summary["published"]["groups"]
    start = next(i for i, row in enumerate(rows) if row[:2] == ("Group", "Left only"))
    shown = rows[start + 1][:5]
    assert shown == tuple("withheld" if group[k] is None else group[k]
                          for k in ("group", "left_only", "both", "right_only", "total"))
    assert "withheld" in shown and not any(isinstance(v, int) and 1 <= v < 10 for v in shown)
    start = next(i for i, row in enumerate(rows) if row[:3] == ("Segment", "Name", "LSOAs"))
    assert rows[start + 1][:3] == ("1", "Thriving", 2) and rows[start + 2][:3] == ("2", "Stretched", 1)
