"""Readers while a return is accepted, on a real server: a visitor of a page already computed is answered while
the acceptance is still writing, with the figures as they were before it (never half of it), and after it and
its recomputation every page shows the new figures.

The acceptance is held open at its last step by a derived table whose refresh waits for the test (the
workspace's own hook for tables derived from the ledger), so the order of events is fixed, not timed.
"""

from __future__ import annotations

import re
import threading
from decimal import Decimal

import httpx
import pytest
from web_support import PASSWORD, build_workspace

from placespend.app import accounts, place_view
from placespend.app.workspace import open_workspace
from placespend.web.app import create_app

from conftest import Cli, line, served, write_csv

YEAR = "2008-09"
LEWISHAM = "E09000023"
BOUND = 60  # seconds: only so that a reader stuck behind the write fails the test instead of hanging it


class HeldOpen:
    """A derived table whose refresh (the last step of a write that changes results) waits until released."""

    def __init__(self) -> None:
        self.reached, self.release = threading.Event(), threading.Event()

    def refresh(self, con) -> None:
        self.reached.set()
        self.release.wait(BOUND)

    def forget(self) -> None:
        pass


@pytest.fixture
def server(tmp_path):
    db = build_workspace(tmp_path)
    cli = Cli(db)
    cli("ingest", write_csv(tmp_path / "hackney.csv", [line(place="E09000012", spender="lbh", amount="777.00")]))
    cli("import", write_csv(tmp_path / "places.csv", [
        {"place": "inner-se", "name": "Inner south-east", "region": "London", "area": LEWISHAM}]))
    ws = open_workspace(db)
    tokens = {name: accounts.new_api_token(ws, accounts.user_named(ws, name), "test")
              for name in ("partner", "analyst")}
    app = create_app(ws)
    with served(app) as base:
        yield base, ws, tokens


def _viewer(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=BOUND)
    assert client.post("/login", data={"username": "viewer", "password": PASSWORD}).status_code == 303
    return client


def _total(client: httpx.Client, place: str) -> Decimal:
    response = client.get(f"/api/places/{place}?year={YEAR}")
    assert response.status_code == 200, response.text
    return Decimal(str(response.json()["count"]["total"]))



def _answered_while_held(read, held, acceptance: threading.Thread) -> bool:
    """Runs `read` in a thread while the acceptance is held; then lets the acceptance go. True when the reads
    finished within the bound and the acceptance was still held, unreleased, when they had."""
    reader = threading.Thread(target=read)
    reader.start()
    reader.join(BOUND)
    still_writing = not held.release.is_set() and acceptance.is_alive()
    held.release.set()
    acceptance.join(BOUND)
    return still_writing and not reader.is_alive()

def test_a_reader_during_an_acceptance_gets_the_old_figures_at_once_and_the_new_after(server, tmp_path):
    base, ws, tokens = server
    viewer = _viewer(base)
    before = {place: _total(viewer, place) for place in (LEWISHAM, "inner-se")}
    others_before = viewer.get(f"/places/{LEWISHAM}/others?year={YEAR}").text
    assert before == {LEWISHAM: Decimal("1400.00"), "inner-se": Decimal("1400.00")}  # 1,000 + 400; 250 eliminated

    def post(who: str, path: str, **kwargs) -> httpx.Response:
        return httpx.post(base + path, headers={"Authorization": f"Bearer {tokens[who]}"}, timeout=BOUND, **kwargs)

    body = write_csv(tmp_path / "new.csv", [line(amount="12000.50", cofog="03.2")]).read_bytes()
    uploaded = post("partner", "/api/submissions", files={"file": ("new.csv", body)}, data={"confirm_large": "true"})
    assert uploaded.status_code == 200, uploaded.text
    sid = uploaded.json()["submission_id"]

    held = HeldOpen()
    ws.derived = (*ws.derived, held)
    accepted: list[httpx.Response] = []
    acceptance = threading.Thread(target=lambda: accepted.append(
        post("analyst", f"/api/submissions/{sid}/accept", json={"confirm_replace": True})))
    acceptance.start()
    assert held.reached.wait(BOUND), "the acceptance reached its last step"

    # While it writes: a signed-in visitor (and one signing in now) is answered, with the figures before it.
    answered: dict[str, object] = {}

    def read() -> None:
        answered["total"] = _total(viewer, LEWISHAM)
        answered["others"] = viewer.get(f"/places/{LEWISHAM}/others?year={YEAR}").text
        answered["newcomer"] = _total(_viewer(base), "inner-se")

    assert _answered_while_held(read, held, acceptance), "the reads were answered while the acceptance was writing"
    assert answered == {"total": before[LEWISHAM], "others": others_before, "newcomer": before["inner-se"]}

    # After it: the acceptance answered, and every page shows the new figures (its recomputation waited for).
    assert accepted and accepted[0].status_code == 200, accepted
    ws.derived = ws.derived[:-1]
    for thread in [t for t in threading.enumerate() if t.name == f"warm-{sid}"]:
        thread.join(BOUND)
    moved = Decimal("12000.50") - Decimal("1000.00")  # the new return supersedes the partner's 1,000 spend
    assert _total(viewer, LEWISHAM) == before[LEWISHAM] + moved
    assert _total(viewer, "inner-se") == before["inner-se"] + moved
    others_after = viewer.get(f"/places/{LEWISHAM}/others?year={YEAR}").text
    assert "£1.40k" in others_before and "£12.4k" in others_after  # inner-se's 1,400.00, then 12,400.50
    compared = {row["place"]: Decimal(str(row["total"]))
                for row in viewer.get(f"/api/places-compared?year={YEAR}").json()}
    assert compared["inner-se"] == before["inner-se"] + moved


class HeldRefresh:
    """A refresher of results run after the server's own (`place_view.keep_fresh`): the acceptance has written
    and its pages are recomputed, but the new version is not shown yet, until the test releases it."""

    def __init__(self) -> None:
        self.reached, self.release = threading.Event(), threading.Event()

    def __call__(self) -> None:
        self.reached.set()
        self.release.wait(BOUND)


def _page_total(client: httpx.Client, place: str) -> tuple[str, bool]:
    """The place page's total to the penny, and whether the page says its figures are being updated."""
    response = client.get(f"/places/{place}?year={YEAR}")
    assert response.status_code == 200, response.text
    total = re.search(r'<span id="total-gbp">([^<]+)</span>', response.text)
    assert total, response.text
    return total.group(1), 'id="being-updated"' in response.text


def test_pages_are_recomputed_by_the_acceptance_and_shown_whole_old_or_new(server, tmp_path):
    """The acceptance recomputes the pages being read before its new version is shown: a reader during that
    recomputation gets the pages of the version before, each whole, saying they are being updated; the first
    reader after it gets the new figures from the cache, computed by the acceptance, not by the reader."""
    base, ws, tokens = server
    viewer = _viewer(base)
    before = {place: _page_total(viewer, place) for place in (LEWISHAM, "inner-se")}
    others_before = viewer.get(f"/places/{LEWISHAM}/others?year={YEAR}").text
    assert before == {LEWISHAM: ("£1,400.00", False), "inner-se": ("£1,400.00", False)}

    def post(who: str, path: str, **kwargs) -> httpx.Response:
        return httpx.post(base + path, headers={"Authorization": f"Bearer {tokens[who]}"}, timeout=BOUND, **kwargs)

    body = write_csv(tmp_path / "new.csv", [line(amount="12000.50", cofog="03.2")]).read_bytes()
    uploaded = post("partner", "/api/submissions", files={"file": ("new.csv", body)}, data={"confirm_large": "true"})
    assert uploaded.status_code == 200, uploaded.text
    assert _page_total(viewer, LEWISHAM) == before[LEWISHAM], "a return waiting for acceptance changes no page"
    sid = uploaded.json()["submission_id"]

    held = HeldRefresh()
    ws.refresh_results_with(held)
    accepted: list[httpx.Response] = []
    acceptance = threading.Thread(target=lambda: accepted.append(httpx.post(  # held meanwhile: a longer bound
        base + f"/api/submissions/{sid}/accept", headers={"Authorization": f"Bearer {tokens['analyst']}"},
        json={"confirm_replace": True}, timeout=5 * BOUND)))
    acceptance.start()
    assert held.reached.wait(BOUND), "the acceptance reached the end of its recomputation"

    # Written and recomputed, not yet shown: readers get the pages from before, saying they are being updated.
    during: dict[str, object] = {}

    def read() -> None:
        during["pages"] = {place: _page_total(viewer, place) for place in (LEWISHAM, "inner-se")}
        during["others"] = viewer.get(f"/places/{LEWISHAM}/others?year={YEAR}").text
        during["api"] = viewer.get(f"/api/places/{LEWISHAM}?year={YEAR}")

    assert _answered_while_held(read, held, acceptance), "the reads were answered while the acceptance was under way"
    assert during["pages"] == {place: (total, True) for place, (total, _) in before.items()}
    assert during["others"] == others_before
    api = during["api"]
    assert isinstance(api, httpx.Response) and "updated" in api.headers["X-Placespend-Updating"]
    assert Decimal(str(api.json()["count"]["total"])) == Decimal("1400.00")
    assert accepted and accepted[0].status_code == 200, accepted

    # The pages read before were recomputed by the acceptance: in the cache for the new version before anyone
    # asks for them (no background thread waited for), and what a reader now gets.
    key = (str(ws.path), place_view.place_stamp(ws, LEWISHAM, YEAR), "place-body", LEWISHAM, YEAR, False, (YEAR,))
    assert key in place_view._cache
    moved = Decimal("12000.50") - Decimal("1000.00")  # the new return supersedes the partner's 1,000 spend
    new = f"£{Decimal('1400.00') + moved:,}"
    assert {place: _page_total(viewer, place) for place in (LEWISHAM, "inner-se")} == {
        LEWISHAM: (new, False), "inner-se": (new, False)}
    assert "£12.4k" in viewer.get(f"/places/{LEWISHAM}/others?year={YEAR}").text
    assert "X-Placespend-Updating" not in viewer.get(f"/api/places/{LEWISHAM}?year={YEAR}").headers
