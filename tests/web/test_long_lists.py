"""Long lists come a page at a time: the lines behind a figure, the submissions, the partners' board and the
bodies register. At national scale each runs to tens of thousands of rows (BENCHMARKS.md, every page at 10M
lines), and a page that lays out all of them takes seconds; the downloads stay whole.

The workspace: 130 bodies each spend twice on health in Lewisham (pounds and pence chosen per body, so every
line can be told apart), sent as one multi-body CSV, which ingests as one return per spender (DESIGN.md §6).
Partner accounts: b001 (sent lines), b131 (a rejected upload) and b132 (nothing yet).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from web_support import PASSWORD, sign_in, table_cells

from placespend.app import accounts
from placespend.app.workspace import open_workspace
from placespend.domain.paging import PAGE_SIZE
from placespend.web.app import create_app

from conftest import Cli, line, write_csv

LEWISHAM, YEAR = "E09000023", "2008-09"
BODIES = [f"b{n:03d}" for n in range(1, 131)]


def _amounts(n: int) -> tuple[str, str]:
    return f"{n}.{n % 100:02d}", f"{1000 + n}.07"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("long-lists")
    db = folder / "long.duckdb"
    rows = [line(spender=body, spender_type="nhs", cofog="07.1", amount=amount)
            for n, body in enumerate(BODIES, start=1) for amount in _amounts(n)]
    Cli(db)("ingest", write_csv(folder / "many-bodies.csv", rows))
    ws = open_workspace(db)
    for username, role, org in (("analyst", "analyst", None), ("b001", "partner", "b001"),
                                ("b131", "partner", "b131"), ("b132", "partner", "b132")):
        accounts.add_user(ws, username, PASSWORD, role, org)
    ws.close()
    listed = Cli(db).json("bodies", "list")  # read before the app holds the workspace
    application = create_app(open_workspace(db))
    application.state.cli_bodies = [b["body"] for b in listed]
    rejected = sign_in(application, "b131").post(
        "/submissions", files={"file": ("bad.csv", b"period,place\n2008-09,E09000023\n", "text/csv")})
    assert rejected.status_code == 200 and "was not loaded" in rejected.text
    yield application
    application.state.workspace.close()




def _pounds(text: str) -> Decimal:
    return Decimal(text.replace("£", "").replace(",", ""))


def test_the_lines_behind_a_figure_come_a_page_at_a_time_with_the_total_of_them_all(app):
    analyst = sign_in(app, "analyst")
    url = f"/places/{LEWISHAM}/lines?year={YEAR}&cofog=07"
    pages = [analyst.get(f"{url}&page={n}") for n in (1, 2, 3)]
    assert all(p.status_code == 200 for p in pages)
    shown = [table_cells(p.text) for p in pages]
    assert [len(rows) for rows in shown] == [PAGE_SIZE, PAGE_SIZE, 260 - 2 * PAGE_SIZE]
    written = sorted((body, Decimal(a)) for n, body in enumerate(BODIES, start=1) for a in _amounts(n))
    listed = sorted((row[3], _pounds(row[9])) for rows in shown for row in rows)
    assert listed == written  # every line once, none twice, across the pages
    total = sum(amount for _, amount in written)
    for page in pages:
        assert f"260 lines, £{total:,.2f} counted" in page.text  # the total of every line, on every page
    api = analyst.get(f"/api/places/{LEWISHAM}/lines?year={YEAR}&cofog=07").json()
    api_rows = api["lines"] if isinstance(api, dict) else api
    assert [(r[3], _pounds(r[9])) for rows in shown for r in rows] == [
        (r["spender"], Decimal(str(r["amount"]))) for r in api_rows]  # the page's order is the download's
    assert 'rel="next"' in pages[0].text and 'rel="prev"' not in pages[0].text
    assert 'rel="prev"' in pages[2].text and 'rel="next"' not in pages[2].text
    assert "Rows 201–260 of 260" in pages[2].text
    past_the_end = analyst.get(f"{url}&page=99")
    assert table_cells(past_the_end.text) == shown[2]  # a link kept from a longer list lands on the last page


def test_a_partner_pages_through_its_own_lines_only(app):
    partner = sign_in(app, "b001").get(f"/places/{LEWISHAM}/lines?year={YEAR}&cofog=07")
    rows = table_cells(partner.text)
    assert sorted(_pounds(r[9]) for r in rows) == sorted(Decimal(a) for a in _amounts(1))
    assert {r[3] for r in rows} == {"b001"} and 'rel="next"' not in partner.text
    assert f"2 lines, £{sum(Decimal(a) for a in _amounts(1)):,.2f} counted" in partner.text


def test_the_submissions_come_newest_first_a_page_at_a_time_as_the_download_lists_them(app):
    analyst = sign_in(app, "analyst")
    whole = [s["submission_id"] for s in analyst.get("/api/submissions").json()]
    assert len(whole) == 130
    first, second = (analyst.get(f"/submissions?page={n}") for n in (1, 2))
    ids = [int(r[0]) for r in table_cells(first.text, "submissions") + table_cells(second.text, "submissions")]
    assert ids == sorted(whole, reverse=True)
    assert len(table_cells(first.text, "submissions")) == PAGE_SIZE
    statuses = {s["status"] for s in analyst.get("/api/submissions").json()}
    [status] = statuses  # one status for all 130 here: the filter keeps them all, and a different one none
    assert f'<option value="{status}">{status} (130)</option>' in first.text
    assert [int(r[0]) for r in table_cells(analyst.get(f"/submissions?status={status}&page=2").text, "submissions")
            ] == ids[PAGE_SIZE:]
    none = analyst.get("/submissions?status=queried")
    assert table_cells(none.text, "submissions") == [["No submission is queried."]]
    own = sign_in(app, "b001").get("/submissions")
    assert [r[2] for r in table_cells(own.text, "submissions")] == ["b001"] and "partner-board" not in own.text


def test_the_partners_board_pages_and_filters_by_state_as_the_download_lists_it(app):
    analyst = sign_in(app, "analyst")
    whole = analyst.get("/api/partners").json()
    states = {row["partner"]: row["status"] for row in whole}
    assert states["b131"] == "errors" and states["b132"] == "not started" and states["b001"] == states["b130"]
    assert len(states) == 132  # the 130 who sent lines and the two accounts that have not
    pages = [analyst.get(f"/submissions?board_page={n}") for n in (1, 2)]
    board = [r for p in pages for r in table_cells(p.text, "partner-board")]
    assert [(r[0], r[1]) for r in board] == sorted(states.items())
    stuck = analyst.get("/submissions?board_status=errors")
    assert [r[0] for r in table_cells(stuck.text, "partner-board")] == ["b131"]
    assert '<option value="not started">not started (1)</option>' in stuck.text


def test_the_bodies_register_pages_through_what_the_cli_lists(app):
    reader = sign_in(app, "analyst")
    listed = app.state.cli_bodies
    assert set(BODIES) <= set(listed) and PAGE_SIZE < len(listed) <= 2 * PAGE_SIZE
    pages = [reader.get(f"/bodies?page={n}") for n in (1, 2)]
    assert [r[0] for p in pages for r in table_cells(p.text, "bodies-table")] == listed
    assert f"{len(listed)} bodies" in pages[0].text and 'rel="next"' in pages[0].text
    found = reader.get("/bodies?search=b12")
    assert [r[0] for r in table_cells(found.text, "bodies-table")] == [f"b{n}" for n in range(120, 130)]
    assert "10 bodies matching" in found.text and 'rel="next"' not in found.text
