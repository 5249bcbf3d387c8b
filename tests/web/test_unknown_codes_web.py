"""The web app refuses unknown codes as the CLI does (selection.check): 404 with the plain JSON error envelope in
the API and a plain page in HTML, never a 200 with GBP 0 or every line. A corrupt upload says it is not a
valid Excel file. The real app in process, over the small partnership workspace of web_support."""

from __future__ import annotations

import os

import pytest
from web_support import build_workspace, sign_in

from placespend.app.workspace import open_workspace
from placespend.web.app import create_app

Y = "2008-09"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app(open_workspace(build_workspace(tmp_path_factory.mktemp("unknown-web"))))
    yield app
    app.state.workspace.close()


@pytest.fixture(scope="module")
def analyst(app):
    return sign_in(app, "analyst")


def envelope(response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["error"] and body["error"]["status"] == status
    return body["error"]["message"]


@pytest.mark.parametrize("url", [
    f"/api/places/nope?year={Y}", f"/api/places/nope/count?year={Y}", f"/api/places/nope/count?year={Y}&format=csv",
    f"/api/places/nope/reconciliation?year={Y}", f"/api/places/nope/tables/cofog?year={Y}",
    f"/api/places/nope/lines?year={Y}", "/api/insight/places/nope/profiles", "/api/insight/places/nope/map",
    "/api/insight/segments?place=nope",
])
def test_api_answers_404_for_an_unknown_place(analyst, url):
    assert "Unknown place 'nope'" in envelope(analyst.get(url), 404)


@pytest.mark.parametrize("url", ["/places/ZZZ999", f"/places/ZZZ999?year={Y}", f"/places/ZZZ999/lines?year={Y}",
                                 f"/places/ZZZ999/others?year={Y}"])
def test_pages_answer_a_plain_404_page_for_an_unknown_place(analyst, url):
    response = analyst.get(url)
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert "Unknown place &#39;ZZZ999&#39;" in response.text
    assert "Nothing has been counted" not in response.text and "£0.00" not in response.text


@pytest.mark.parametrize(("query", "message"), [
    ("cofog=99", "Unknown COFOG code '99'. Nearest known: 09"), ("body_type=counsil", "Unknown body type 'counsil'"),
    ("status=counted", "Unknown status 'counted'"), ("year=2008", "Unknown year '2008'"),
])
def test_lines_refuse_unknown_filters_instead_of_listing_every_line(analyst, query, message):
    year = "" if query.startswith("year") else f"year={Y}&"
    assert message in envelope(analyst.get(f"/api/places/E09000023/lines?{year}{query}"), 404)
    page = analyst.get(f"/places/E09000023/lines?{year}{query}")
    assert page.status_code == 404 and message.replace("'", "&#39;") in page.text


def test_a_known_filter_still_filters(analyst):
    rows = analyst.get(f"/api/places/E09000023/lines?year={Y}&cofog=7.3").json()
    assert [(r["spender"], r["cofog"], r["amount"]) for r in rows] == [("pct", "07.3", 400)]


def test_a_year_without_lines_is_a_zero_that_says_which_years_have_lines(analyst):
    note = "No lines for E09000023 in 2010-11; years with lines: 2008-09."
    count = analyst.get("/api/places/E09000023/count?year=2010-11")
    assert count.status_code == 200 and count.json()["total"] == 0 and count.json()["notes"] == [note]
    assert analyst.get(f"/api/places/E09000023/count?year={Y}").json()["notes"] == []
    page = analyst.get("/places/E09000023?year=2010-11")
    assert page.status_code == 200 and note in page.text


def test_a_missing_parameter_uses_the_same_envelope(analyst):
    assert "year" in envelope(analyst.get("/api/places/E09000023/count"), 422)


def test_places_compared_and_compare_refuse_a_malformed_year(analyst):
    assert "Unknown year '2008'" in envelope(analyst.get("/api/places-compared?year=2008"), 404)
    assert "Unknown year '2008'" in envelope(analyst.get("/api/compare?year=2008"), 404)


@pytest.mark.parametrize(("name", "data"), [
    ("random.xlsx", os.urandom(3000)),
    ("cut.xlsx", b"PK\x03\x04" + os.urandom(500)),
    ("renamed.xlsx", b"period,place,spender,spender_type,flow,amount,cofog\n"
                     b"2008-09,E09000023,lbl,local_authority,spend,10.00,10.2\n"),
])
def test_a_corrupt_upload_is_not_a_valid_excel_file(analyst, name, data):
    response = analyst.post("/api/submissions", files={"file": (name, data)})
    assert response.status_code == 422, response.text
    errors = response.json()["report"]["errors"]
    assert [e["slug"] for e in errors] == ["not-excel"]
    assert errors[0]["message"].startswith(f"{name} is not a valid Excel file")


@pytest.mark.parametrize(("url", "shown"), [
    (f"/api/analyses?year={Y}&place=%00", "Unknown place 'U+0000'"),
    (f"/api/analyses?year={Y}&place=E09000023&place=lew%00isham", "Unknown place 'lewU+0000isham'"),
    (f"/api/places/E090%0000023/count?year={Y}", "Unknown place 'E090U+000000023'"),
    (f"/api/places/E09000023/lines?year={Y}&cofog=07%01", "Unknown COFOG code '07U+0001'"),
])
def test_a_control_character_names_nothing_and_is_never_echoed_raw(analyst, url, shown):
    """A NUL cannot be quoted in DuckDB's SQL: it once reached a query and answered 500. It is refused like any
    unknown code, and the message shows it as U+0000."""
    message = envelope(analyst.get(url), 404)
    assert shown in message and "\x00" not in message and "\x01" not in message
