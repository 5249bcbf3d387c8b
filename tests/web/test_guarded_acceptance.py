"""Guarded supersession on the web: the partner confirms large lines, the analyst sees the difference and must
confirm the replacement before the count changes (the real FastAPI app, in process)."""

from __future__ import annotations

import html
import re
import threading
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from web_support import build_workspace, sign_in

from placespend.app import accounts
from placespend.app.workspace import open_workspace
from placespend.web.app import create_app

# lbl's accepted return is 1,000.00 spend + 250.00 transferred to pct (who reports spend: eliminated);
# pct spends 400.00. The new one-line return replaces both lbl lines with 12,000.50.
NEW_RETURN = (b"period,place,spender,spender_type,flow,amount,cofog,capital_revenue\n"
              b"2008-09,E09000023,lbl,local_authority,spend,12000.50,03.2,capital\n")


@pytest.fixture
def app(tmp_path):
    application = create_app(open_workspace(build_workspace(tmp_path)))
    yield application
    for thread in threading.enumerate():  # an acceptance recomputes the place's pages in the background
        if thread.name.startswith("warm-"):
            thread.join(timeout=120)
    application.state.workspace.close()


def total(app) -> Decimal:
    ws = app.state.workspace
    token = accounts.new_api_token(ws, accounts.authenticate(ws, "viewer", "correct horse battery"), "t")
    body = TestClient(app).get("/api/places/E09000023/count?year=2008-09",
                               headers={"Authorization": f"Bearer {token}"}).json()
    return Decimal(str(body["total"]))


def upload(session, data: bytes, confirm_large: bool = False):
    fields = {"csrf_token": session.csrf} | ({"confirm_large": "yes"} if confirm_large else {})
    return session.client.post("/submissions", data=fields, files={"file": ("fire.csv", data)},
                               follow_redirects=False)


def test_the_partner_confirms_large_lines_and_the_analyst_confirms_the_replacement(app):
    before = total(app)
    assert before == Decimal("1400.00")
    partner = sign_in(app, "partner")
    page = upload(partner, NEW_RETURN)
    assert page.status_code == 200 and 'id="validation-report"' in page.text
    assert "amount-exceeds-previous-return" in page.text and "These large lines are right" in page.text

    page = upload(partner, NEW_RETURN, confirm_large=True)
    assert 'class="flash good"' in page.text and "received" in page.text
    assert "The count team will see this difference and must confirm it" in page.text
    submission_id = int(re.search(r'href="/submissions/(\d+)">\1</a>', page.text).group(1))
    assert total(app) == before, "a submission must not count before it is accepted"

    analyst = sign_in(app, "analyst")
    page = analyst.get(f"/submissions/{submission_id}")
    difference = page.text[page.text.index('id="replacement-difference"'):]
    cells = re.findall(r'<td class="num">([^<]*)</td>', difference[:difference.index("</table>")])
    assert cells == ["2", "1", "£1,250.00", "£12,000.50", "£1,650.00", "£12,400.50", "+651.5%"]
    assert 'id="confirm-replace"' in page.text

    refused = analyst.post(f"/submissions/{submission_id}/accept")
    assert refused.status_code == 409 and 'id="accept-refused"' in refused.text
    assert "lbl's new return for E09000023 2008-09 has 1 line" in html.unescape(refused.text)
    assert total(app) == before
    assert 'id="submission-status">submitted' in analyst.get(f"/submissions/{submission_id}").text

    accepted = analyst.post(f"/submissions/{submission_id}/accept", data={"confirm_replace": "yes"})
    assert accepted.status_code == 303
    # Independent arithmetic: lbl's 1,000.00 out (its 250.00 to pct was eliminated), 12,000.50 in.
    assert total(app) == before - Decimal("1000.00") + Decimal("12000.50")
    page = analyst.get(f"/submissions/{submission_id}").text
    assert 'status-accepted' in page and 'id="replacement-difference"' not in page


def test_the_api_answers_409_with_the_difference_until_confirmed(app):
    ws = app.state.workspace
    tokens = {role: accounts.new_api_token(ws, accounts.authenticate(ws, role, "correct horse battery"), "t")
              for role in ("partner", "analyst")}
    client = TestClient(app)
    partner = {"Authorization": f"Bearer {tokens['partner']}"}
    analyst = {"Authorization": f"Bearer {tokens['analyst']}"}
    refused = client.post("/api/submissions", headers=partner, files={"file": ("r.csv", NEW_RETURN)})
    assert refused.status_code == 422
    assert [e["slug"] for e in refused.json()["report"]["errors"]] == ["amount-exceeds-previous-return"]
    received = client.post("/api/submissions", headers=partner, files={"file": ("r.csv", NEW_RETURN)},
                           data={"confirm_large": "true"}).json()
    sid = received["submission_id"]
    assert received["submission_ids"] == [sid]
    answer = client.post(f"/api/submissions/{sid}/accept", headers=analyst)
    assert answer.status_code == 409
    [replaced] = answer.json()["error"]["replaces"]
    assert (replaced["previous_lines"], replaced["new_lines"], replaced["place_total_before"],
            replaced["place_total_after"]) == (2, 1, 1650.0, 12400.5)
    assert client.get(f"/api/submissions/{sid}", headers=analyst).json()["status"] == "submitted"
    done = client.post(f"/api/submissions/{sid}/accept", headers=analyst, json={"confirm_replace": True})
    assert done.status_code == 200 and done.json()["status"] == "accepted"


def test_a_multi_body_upload_by_the_count_team_is_one_submission_per_body(app):
    analyst = sign_in(app, "analyst")
    data = (b"period,place,spender,spender_type,flow,amount,cofog,capital_revenue\n"
            b"2008-09,E09000023,mpa,police,spend,300.00,03.1,capital\n"
            b"2008-09,E09000023,lfepa,fire,spend,200.00,03.2,capital\n"
            b"2008-09,E09000023,mpa,police,spend,50.00,03.1,\n")
    page = analyst.client.post("/submissions", data={"csrf_token": analyst.csrf}, files={"file": ("met.csv", data)},
                               follow_redirects=False)
    assert "one per body: lfepa, mpa" in page.text
    board = {row["partner"]: row for row in analyst.client.get(
        "/api/partners", headers={"Authorization": "Bearer " + accounts.new_api_token(
            app.state.workspace, accounts.authenticate(app.state.workspace, "analyst", "correct horse battery"),
            "t")}).json()}
    assert board["mpa"]["status"] == board["lfepa"]["status"] == "submitted"
    assert board["mpa"]["submission_id"] != board["lfepa"]["submission_id"]
