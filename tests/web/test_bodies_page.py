"""The bodies register in the browser (DESIGN.md §8 `/bodies`): the bodies `placespend bodies list` gives, the
duplicates its rules suggest, a merge from a suggestion that makes the count take the charity's pound once (and
its undo that restores it), a refused merge that records nothing, and only the count team changing anything.

The workspace: Lewisham council spends 1,000 and grants 500 to a charity the grants file names '360g-x-cyril';
the charity reports its 500 under its company id; a second council id ('gb-lae-lew') passes it 10.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from web_support import PASSWORD, sign_in, table_cells

from placespend.app import accounts
from placespend.app.workspace import open_workspace
from placespend.web.app import create_app

from conftest import Cli, charity_spelled_two_ways

LEWISHAM = "E09000023"
COUNT = f"/api/places/{LEWISHAM}/count?year=2008-09"


@pytest.fixture
def app(tmp_path: Path):
    db = tmp_path / "ws" / "bodies.duckdb"
    ws = open_workspace(db)
    charity_spelled_two_ways(ws, tmp_path)
    for username, role, org in (("admin", "admin", None), ("analyst", "analyst", None),
                                ("partner", "partner", "e09000023"), ("viewer", "viewer", None)):
        accounts.add_user(ws, username, PASSWORD, role, org)
    ws.close()
    listed = Cli(db).json("bodies", "list")  # read before the app holds the workspace
    application = create_app(open_workspace(db))
    application.state.cli_listed = listed
    yield application
    application.state.workspace.close()



def test_the_page_lists_what_the_cli_lists_with_body_types_named(app):
    page = sign_in(app, "viewer").get("/bodies")
    assert page.status_code == 200
    rows = table_cells(page.text, "bodies-table")
    assert [r[0] for r in rows] == [b["body"] for b in app.state.cli_listed]
    assert [int(r[3].replace(",", "")) for r in rows] == [b["lines"] for b in app.state.cli_listed]
    types = {r[0]: r[2] for r in rows}
    assert types["gb-coh-07962245"] == "Voluntary and community sector" and types["e09000023"] == "Local authority"
    assert "Likely duplicates" not in page.text and "/bodies/merges" not in page.text  # a viewer only reads


def test_a_suggested_merge_counts_the_charitys_pound_once_and_undo_restores_it(app):
    analyst = sign_in(app, "analyst")
    # 1,000 spent + 500 the charity reports + 510 transferred to an id that reports nothing = 2,010.
    assert analyst.get(COUNT).json()["total"] == 2010
    page = analyst.get("/bodies").text
    suggestion = re.search(r'<div class="suggestion" data-keep="gb-coh-07962245">.*?</div>', page, re.S).group(0)
    assert "same normalised name" in suggestion and "360g-x-cyril" in suggestion
    form = dict(re.findall(r'name="(merged|into|rule|reason)" value="([^"]*)"', suggestion))
    done = analyst.post("/bodies/merges", data=form)
    assert done.status_code == 303 and done.headers["location"].startswith("/bodies?done=merge-")
    merge_id = int(re.search(r"merge-(\d+)", done.headers["location"]).group(1))
    # The 510 transferred now reach a body that reports: eliminated, and 1,000 + 500 remain.
    assert analyst.get(COUNT).json()["total"] == 1500
    page = analyst.get(done.headers["location"]).text
    charity = next(r for r in table_cells(page, "bodies-table") if r[0] == "gb-coh-07962245")
    assert charity[4] == "360g-x-cyril"
    [merge] = table_cells(page, "merges-table")
    assert merge[:4] == [str(merge_id), "360g-x-cyril", "gb-coh-07962245", "same normalised name"]
    assert merge[5] == "analyst"
    assert analyst.post(f"/bodies/merges/{merge_id}/undo", data={"reason": "checked: not the same"}).status_code == 303
    assert analyst.get(COUNT).json()["total"] == 2010
    [merge] = table_cells(analyst.get("/bodies").text, "merges-table")
    assert merge[7].startswith("by analyst")
    audit = sign_in(app, "admin").get("/admin/audit").text
    assert "bodies.merge" in audit and "bodies.undo" in audit


def test_a_refused_merge_says_why_and_records_nothing(app):
    analyst = sign_in(app, "analyst")
    refused = analyst.post("/bodies/merges", data={"merged": "gb-coh-0796224", "into": "e09000023",
                                                   "reason": "typo in the id"})
    assert refused.status_code == 422
    assert "No body &#39;gb-coh-0796224&#39; in the register. Did you mean gb-coh-07962245?" in refused.text
    assert 'value="typo in the id"' in refused.text  # the form keeps what was typed
    assert table_cells(analyst.get("/bodies").text, "merges-table") == [["No merges yet."]]
    no_reason = analyst.post("/bodies/merges", data={"merged": "gb-lae-lew", "into": "e09000023", "reason": " "})
    assert no_reason.status_code == 422 and "Say why these are the same body" in no_reason.text


@pytest.mark.parametrize("username", ["viewer", "partner"])
def test_only_the_count_team_merges(app, username):
    session = sign_in(app, username)
    assert session.post("/bodies/merges", data={"merged": "gb-lae-lew", "into": "e09000023",
                                                "reason": "same council"}).status_code == 403
    assert session.post("/bodies/merges/1/undo").status_code == 403
    assert table_cells(sign_in(app, "analyst").get("/bodies").text, "merges-table") == [["No merges yet."]]


def test_search_finds_a_body_by_its_alias(app):
    analyst = sign_in(app, "analyst")
    page = analyst.get("/bodies").text
    suggestion = re.search(r'<div class="suggestion" data-keep="e09000023">.*?</div>', page, re.S).group(0)
    analyst.post("/bodies/merges", data=dict(re.findall(r'name="(merged|into|rule|reason)" value="([^"]*)"',
                                                        suggestion)))
    rows = table_cells(analyst.get("/bodies?search=lae-lew").text, "bodies-table")
    assert [r[0] for r in rows] == ["e09000023"] and rows[0][4] == "gb-lae-lew"


def test_the_place_page_names_body_types_too(app):
    page = sign_in(app, "analyst").get(f"/places/{LEWISHAM}?year=2008-09").text
    assert '&body_type=third_sector">Voluntary and community sector</a>' in page
    assert '&body_type=local_authority">Local authority</a>' in page
