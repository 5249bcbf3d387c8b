"""The people API: protected overlap counts for partners and staff, the record list only for the partner whose
organisation owns LEFT (its x_owner column), and refusal of files made with different keys."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from people_support import FIELDS
from placespend.app import accounts, sharing
from placespend.app.workspace import open_workspace
from placespend.ingest.insight.people_files import read_records
from placespend.insight.people_tokens import key_from_text, new_key_text, pseudonymised_rows
from placespend.insight.synthetic_people import make_partners
from placespend.report.exports import rows_csv
from placespend.web.app import create_app

PASSWORD = "a long enough password"
USERS = {"analyst": ("analyst", None), "partner": ("partner", "lbl"), "other_partner": ("partner", "pct"),
         "analyst2": ("analyst", None), "admin": ("admin", None), "police": ("partner", "police")}


def tokens(text: str, key: bytes, owner: str) -> bytes:
    records = read_records(text.encode(), "r.csv").records
    return rows_csv([row | {"x_owner": owner} for row in pseudonymised_rows(key, records)]).encode()


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    ws = open_workspace(tmp_path_factory.mktemp("api") / "w.duckdb")
    with ws.write():  # a new, empty workspace (migrated), as `placespend user add` makes one
        pass
    for username, (role, organisation) in USERS.items():
        accounts.add_user(ws, username, PASSWORD, role, organisation)
    sharing.add_agreement(ws, "bolton", "find eligible non-claimants", "public task", ["lbl", "pct"],
                          [*FIELDS], ["analyst"], dt.date.today() + dt.timedelta(days=100), "admin",
                          retention_days=30)
    application = create_app(ws)
    tokens_by_role = {role: accounts.new_api_token(ws, accounts.authenticate(ws, role, PASSWORD), "t")
                      for role in USERS}
    yield TestClient(application), tokens_by_role
    ws.close()


@pytest.fixture(scope="module")
def files():
    partners = make_partners(300, 250, 150, seed=3, error_rate=0.0, twin_share=0.0)
    key = key_from_text(new_key_text())
    return partners, tokens(partners.left_csv, key, "lbl"), tokens(partners.right_csv, key, "pct")


def _post(client, token, path, left, right):
    return client.post(path, headers={"Authorization": f"Bearer {token}"},
                       files={"left": ("l.csv", left), "right": ("r.csv", right)})


def test_overlap_counts_are_protected_and_add_up(client, files):
    api, tokens_by_role = client
    partners, left, right = files
    body = _post(api, tokens_by_role["partner"], "/api/insight/overlap?by=x_ward", left, right).json()
    assert body["threshold"] == 10
    assert body["totals"]["both"] == len(partners.true_pairs) == 150
    assert body["totals"]["left_only"] == 150 and body["totals"]["right_only"] == 100
    assert all(g[c] is None or g[c] == 0 or g[c] >= 10 for g in body["groups"]
               for c in ("left_only", "both", "right_only"))


@pytest.mark.parametrize("path", ["overlap", "unmatched"])
def test_a_threshold_below_the_default_is_refused(client, files, path):
    api, tokens_by_role = client
    _, left, right = files
    refused = _post(api, tokens_by_role["partner"], f"/api/insight/{path}?by=x_ward&threshold=2", left, right)
    assert refused.status_code == 400
    assert "cannot be lower than 10" in refused.json()["error"]["message"] and "groups" not in refused.text


def test_record_list_only_for_the_owning_partner(client, files):
    api, tokens_by_role = client
    partners, left, right = files
    mine = _post(api, tokens_by_role["partner"], "/api/insight/unmatched/records?by=x_ward", left, right)
    assert mine.status_code == 200
    assert set(mine.json()["record_ids"]) == set(partners.left_people) - {a for a, _ in partners.true_pairs}
    theirs = _post(api, tokens_by_role["other_partner"], "/api/insight/unmatched/records?by=x_ward", left, right)
    assert theirs.status_code == 403
    staff = _post(api, tokens_by_role["analyst"], "/api/insight/unmatched/records?by=x_ward", left, right)
    assert staff.status_code == 403


def test_files_with_different_keys_are_refused(client, files):
    api, tokens_by_role = client
    partners, left, _ = files
    other = tokens(partners.right_csv, key_from_text(new_key_text()), "pct")
    response = _post(api, tokens_by_role["analyst"], "/api/insight/link", left, other)
    assert response.status_code == 422 and "different keys" in response.json()["error"]


def test_link_pairs_for_staff(client, files):
    api, tokens_by_role = client
    partners, left, right = files
    pairs = _post(api, tokens_by_role["analyst"], "/api/insight/link", left, right).json()["pairs"]
    assert {(p["left_id"], p["right_id"]) for p in pairs} == partners.true_pairs


def test_link_pairs_only_for_an_analyst_the_agreement_names(client, files):
    api, tokens_by_role = client
    _, left, right = files
    refused = _post(api, tokens_by_role["analyst2"], "/api/insight/link", left, right)
    assert refused.status_code == 403 and "only the analysts named in agreement bolton" in refused.text
    assert _post(api, tokens_by_role["admin"], "/api/insight/link", left, right).status_code == 403


def test_a_partner_outside_the_agreement_gets_no_counts(client, files):
    api, tokens_by_role = client
    _, left, right = files
    for path in ("/api/insight/overlap?by=x_ward", "/api/insight/unmatched?by=x_ward"):
        response = _post(api, tokens_by_role["police"], path, left, right)
        assert response.status_code == 403 and "police is not one of the owners" in response.text


def test_files_of_parties_without_an_agreement_are_refused(client, files):
    api, tokens_by_role = client
    _, left, right = files
    ccg = right.replace(b",pct\n", b",ccg\n")  # the same file, owned by a body the agreement does not name
    response = _post(api, tokens_by_role["analyst"], "/api/insight/overlap?by=x_ward", left, ccg)
    assert response.status_code == 403 and "no sharing agreement covers the parties ccg, lbl" in response.text


def test_every_api_run_is_audited_under_the_agreement(client, files):
    api, tokens_by_role = client
    _, left, right = files
    ws = api.app.state.workspace
    before = len(sharing.runs(ws, "bolton"))
    body = _post(api, tokens_by_role["other_partner"], "/api/insight/unmatched?by=x_ward", left, right).json()
    runs = sharing.runs(ws, "bolton")
    assert len(runs) == before + 1 and runs[-1]["run_id"] == body["run_id"]
    assert runs[-1]["run_by"] == "other_partner" and runs[-1]["kind"] == "unmatched"
    assert runs[-1]["published"]["groups"] == body["groups"]
