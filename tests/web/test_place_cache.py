"""Place pages are cached per place: accepting a return recomputes the places it touches (in the background),
leaves every other place's cached page as it was, and never shows old figures for a touched place."""

from __future__ import annotations

import re
import threading
from decimal import Decimal

import pytest
from web_support import build_workspace, sign_in

from placespend.analysis.composition import composition
from placespend.analysis.concentration import concentration
from placespend.analysis.funding_routes import funding_routes
from placespend.analysis.local_control import local_control
from placespend.app import place_view, warm_start
from placespend.app.workspace import open_workspace
from placespend.domain.places import Place
from placespend.engine import page_store, places_store
from placespend.engine.ledger import ledger_of
from placespend.web.app import create_app

from conftest import Cli, line, write_csv

YEAR = "2008-09"
HACKNEY = "E09000012"


@pytest.fixture
def app(tmp_path):
    db = build_workspace(tmp_path)
    cli = Cli(db)
    cli("ingest", write_csv(tmp_path / "hackney.csv", [line(place=HACKNEY, spender="lbh", amount="777.00")]))
    cli("import", write_csv(tmp_path / "places.csv", [
        {"place": "inner-se", "name": "Inner south-east", "region": "London", "area": "E09000023"}]))
    application = create_app(open_workspace(db))
    yield application
    application.state.workspace.close()


def _total(session, place: str) -> Decimal:
    response = session.get(f"/api/places/{place}?year={YEAR}")
    assert response.status_code == 200, response.text
    return Decimal(str(response.json()["count"]["total"]))


def _upload(app, tmp_path, amount: str, partner=None) -> int:
    """The partner's return of one line, uploaded and waiting for acceptance: its submission id."""
    partner = partner or sign_in(app, "partner")
    body = write_csv(tmp_path / "new.csv", [line(amount=amount, cofog="03.2")]).read_bytes()
    # The new line outweighs the partner's whole previous return and replaces it: both confirmed.
    response = partner.client.post("/submissions", data={"csrf_token": partner.csrf, "confirm_large": "yes"},
                                   files={"file": ("new.csv", body)}, follow_redirects=False)
    assert response.status_code in {200, 303} and "was received" in response.text, response.text
    ws = app.state.workspace
    with ws.read() as con:
        (sid,) = con.con.execute("SELECT max(submission_id) FROM submissions").fetchone()
    return sid


def _upload_and_accept(app, tmp_path, amount: str) -> int:
    sid = _upload(app, tmp_path, amount)
    analyst = sign_in(app, "analyst")
    assert analyst.post(f"/submissions/{sid}/accept", data={"confirm_replace": "yes"}).status_code == 303
    return sid


def test_an_upload_waiting_for_acceptance_recomputes_nothing(app, tmp_path):
    """A return waiting for acceptance changes no figure: the write that stores it keeps every page and list
    (at 10M lines recomputing the lists took the 10 s bound of every upload). Accepting it then changes them."""
    ws = app.state.workspace
    viewer = sign_in(app, "viewer")
    for url in ("/places", f"/places/E09000023?year={YEAR}", f"/places/E09000023/others?year={YEAR}",
                f"/compare?year={YEAR}", f"/analyses?year={YEAR}"):
        assert viewer.get(url).status_code == 200, url
    lists = place_view.places(ws), place_view.others(ws, YEAR), place_view.comparison(ws, YEAR)
    stamp, version, kept = place_view.results_stamp(ws), ws.generation, set(place_view._cache)

    _upload(app, tmp_path, "12000.50")
    assert ws.generation > version, "the upload was a write"
    assert place_view.results_stamp(ws) == stamp
    made = set(place_view._cache) - kept
    assert {key[2] for key in made} == {"results"}, f"recomputed after an upload: {sorted(k[2] for k in made)}"
    assert all(now is before for now, before in zip(
        (place_view.places(ws), place_view.others(ws, YEAR), place_view.comparison(ws, YEAR)), lists, strict=True))
    assert _total(viewer, "E09000023") == Decimal("1400.00")

    analyst = sign_in(app, "analyst")
    with ws.read() as con:
        (sid,) = con.con.execute("SELECT max(submission_id) FROM submissions").fetchone()
    assert analyst.post(f"/submissions/{sid}/accept", data={"confirm_replace": "yes"}).status_code == 303
    assert place_view.results_stamp(ws) != stamp
    moved = Decimal("1400.00") - Decimal("1000.00") + Decimal("12000.50")
    assert {r["place"]: r["total"] for r in place_view.others(ws, YEAR)}["inner-se"] == moved
    assert _total(viewer, "inner-se") == moved


def test_an_upload_after_an_acceptance_cut_short_leaves_the_rest_to_readers(app, tmp_path, monkeypatch):
    """When an acceptance's time bound stops its recomputation, the pages it left are computed by their first
    reader; the partner's next upload, which changes no figure, does not take them on."""
    ws = app.state.workspace
    viewer = sign_in(app, "viewer")
    for url in ("/places", f"/compare?year={YEAR}", f"/places/{HACKNEY}?year={YEAR}"):
        assert viewer.get(url).status_code == 200, url
    monkeypatch.setattr(place_view, "REFRESH_SECONDS", 0.0)
    sid = _upload_and_accept(app, tmp_path, "12000.50")
    for thread in [t for t in threading.enumerate() if t.name == f"warm-{sid}"]:
        thread.join(timeout=60)  # the places nobody was reading, prepared after the acceptance
    monkeypatch.setattr(place_view, "REFRESH_SECONDS", 10.0)
    partner = sign_in(app, "partner")
    kept = set(place_view._cache)
    _upload(app, tmp_path, "13000.00", partner)
    assert {key[2] for key in set(place_view._cache) - kept} == {"results"}
    assert (str(ws.path), place_view.results_stamp(ws), "compare", YEAR) not in place_view._cache
    moved = Decimal("1400.00") - Decimal("1000.00") + Decimal("12000.50")
    assert {r["place"]: r["total"] for r in place_view.others(ws, YEAR)}["inner-se"] == moved


def test_values_of_results_two_acceptances_old_are_dropped_and_untouched_places_kept(app, tmp_path):
    """The cache holds a bounded number of values: the lists and stamps of results two writes old are dropped
    (nothing asks for them again), so they do not push out the pages of places no write has changed."""
    ws = app.state.workspace
    viewer = sign_in(app, "viewer")
    assert _total(viewer, HACKNEY) == Decimal("777.00")
    assert viewer.get(f"/compare?year={YEAR}").status_code == 200
    hackney = place_view.overview(ws, HACKNEY, YEAR)
    stamps = [place_view.results_stamp(ws)]
    for amount in ("12000.50", "13000.00", "14000.00"):
        sid = _upload_and_accept(app, tmp_path, amount)
        for thread in [t for t in threading.enumerate() if t.name == f"warm-{sid}"]:
            thread.join(timeout=60)
        stamps.append(place_view.results_stamp(ws))
    assert len(set(stamps)) == 4
    kept = {key[1] for key in place_view._cache if key[0] == str(ws.path)}
    assert stamps[1] not in kept, "the results of the first acceptance, two acceptances old, were dropped"
    assert {stamps[2], stamps[3]} <= kept
    assert (str(ws.path), stamps[3], "compare", YEAR) in place_view._cache
    assert place_view.overview(ws, HACKNEY, YEAR) is hackney, "Hackney's page, which no write changed, was kept"


def test_a_write_reads_the_stamps_of_the_places_being_read_in_one_query(app, tmp_path, monkeypatch):
    """Each page being read is checked against its place's stamp after a write: read one place at a time they
    took 3 s of the 10 s bound at 10M lines, so the write reads them all at once (`page_store.place_stamps`)."""
    ws = app.state.workspace
    viewer = sign_in(app, "viewer")
    for place in ("E09000023", HACKNEY, "inner-se"):
        assert viewer.get(f"/places/{place}?year={YEAR}").status_code == 200
    one_at_a_time = []
    real = page_store.place_stamp
    monkeypatch.setattr(page_store, "place_stamp",
                        lambda con, place, period: one_at_a_time.append(place) or real(con, place, period))
    sid = _upload_and_accept(app, tmp_path, "12000.50")
    for thread in [t for t in threading.enumerate() if t.name == f"warm-{sid}"]:
        thread.join(timeout=60)
    assert one_at_a_time == []
    assert _total(viewer, "E09000023") == Decimal("1400.00") - Decimal("1000.00") + Decimal("12000.50")
    kept = {place: place_view.place_stamp(ws, place, YEAR) for place in ("E09000023", HACKNEY, "inner-se")}
    assert one_at_a_time == [], "each stamp was kept by the write"
    with ws.read() as con:
        assert kept == {place: real(con, place, YEAR) for place in kept}, "and is the place's stamp now"


def test_the_lists_of_every_place_follow_a_change_to_any_table_they_read(app):
    """The lists are kept with what every figure rests on, not with each write: a place renamed, a body given
    another type or a population imported must show at once in the lists read before."""
    ws = app.state.workspace
    assert {r["place"]: r["name"] for r in place_view.others(ws, YEAR)}["inner-se"] == "Inner south-east"
    places_store.save_places(ws, [Place("inner-se", "Inner SE", "London", ["E09000023"])])
    assert {r["place"]: r["name"] for r in place_view.others(ws, YEAR)}["inner-se"] == "Inner SE"
    before = place_view.results_stamp(ws)
    with ws.write() as con:  # a table no list names: every table but the ledger's and the logs is in the stamp
        con.con.execute("CREATE TABLE later_reference (code VARCHAR)")
    assert place_view.results_stamp(ws) != before
    before = place_view.results_stamp(ws)
    with ws.write() as con:
        con.con.execute("INSERT INTO later_reference VALUES ('E09000023')")
    assert place_view.results_stamp(ws) != before
    before = place_view.results_stamp(ws)
    with ws.write() as con:  # bookkeeping no figure reads
        con.con.execute("DELETE FROM sessions")
    assert place_view.results_stamp(ws) == before


def test_accepting_a_return_updates_its_places_and_leaves_the_others_cached(app, tmp_path):
    ws = app.state.workspace
    viewer = sign_in(app, "viewer")
    lewisham, hackney, composite = _total(viewer, "E09000023"), _total(viewer, HACKNEY), _total(viewer, "inner-se")
    assert (lewisham, hackney, composite) == (Decimal("1400.00"), Decimal("777.00"), Decimal("1400.00"))
    hackney_view = place_view.overview(ws, HACKNEY, YEAR)
    hackney_stamp = place_view.place_stamp(ws, HACKNEY, YEAR)
    lewisham_stamp = place_view.place_stamp(ws, "E09000023", YEAR)

    sid = _upload_and_accept(app, tmp_path, "12000.50")
    for thread in [t for t in threading.enumerate() if t.name == f"warm-{sid}"]:
        thread.join(timeout=60)

    # The partner's new return supersedes its old one (1,000 spend + 250 transfer, eliminated since the PCT
    # reports): Lewisham and the composite holding it move by 12,000.50 - 1,000.00.
    assert place_view.place_stamp(ws, "E09000023", YEAR) != lewisham_stamp
    key = (str(ws.path), place_view.place_stamp(ws, "E09000023", YEAR), "overview", "E09000023", YEAR)
    assert key in place_view._cache, "the accepted return's place was recomputed in the background"
    assert _total(viewer, "E09000023") == lewisham - Decimal("1000.00") + Decimal("12000.50")
    assert _total(viewer, "inner-se") == composite - Decimal("1000.00") + Decimal("12000.50")
    # Hackney's page did not depend on the return: same stamp, and the very same cached figures are served.
    assert place_view.place_stamp(ws, HACKNEY, YEAR) == hackney_stamp
    assert place_view.overview(ws, HACKNEY, YEAR) is hackney_view
    assert _total(viewer, HACKNEY) == hackney


def test_the_other_places_table_agrees_with_each_place(app):
    viewer = sign_in(app, "viewer")
    page = viewer.get(f"/places/E09000023?year={YEAR}").text
    assert 'hx-get="/places/E09000023/others?year=2008-09"' in page
    fragment = viewer.get(f"/places/E09000023/others?year={YEAR}").text
    # E09000023 is inner-se's one member area, so the list shows the place, not the area again
    assert "Inner south-east" in fragment
    rows = viewer.get(f"/api/places-compared?year={YEAR}").json()
    assert {r["place"] for r in rows} == {"inner-se", HACKNEY}
    for row in rows:
        assert Decimal(str(row["total"])) == _total(viewer, row["place"])
        shown = re.search(rf'/places/{row["place"]}\?year=2008-09">', fragment) or row["place"] == "E09000023"
        assert shown


def test_place_definitions_and_bodies_change_the_stamp(app):
    ws = app.state.workspace
    before = {p: place_view.place_stamp(ws, p, YEAR) for p in ("E09000023", HACKNEY, "inner-se")}
    places_store.save_places(ws, [Place("inner-se", "Inner south-east", "London", ["E09000023", HACKNEY])])
    after = {p: place_view.place_stamp(ws, p, YEAR) for p in before}
    assert all(after[p] != before[p] for p in before), "a place definition can change any page (names, scope)"
    viewer = sign_in(app, "viewer")
    assert _total(viewer, "inner-se") == Decimal("1400.00") + Decimal("777.00")


def test_only_the_bodies_in_a_places_scope_change_its_stamp(app, tmp_path):
    ws = app.state.workspace
    lewisham, hackney = place_view.place_stamp(ws, "E09000023", YEAR), place_view.place_stamp(ws, HACKNEY, YEAR)
    with ws.write() as con:   # a body new to the register, named only in Hackney's lines
        con.con.execute("INSERT INTO bodies VALUES ('hackney-charity', 'A charity', 'third_sector')")
    assert place_view.place_stamp(ws, "E09000023", YEAR) == lewisham
    with ws.write() as con:   # the PCT, a body of Lewisham's lines, is given another type
        con.con.execute("UPDATE bodies SET body_type = 'other' WHERE body = 'pct'")
    assert place_view.place_stamp(ws, "E09000023", YEAR) != lewisham
    assert place_view.place_stamp(ws, HACKNEY, YEAR) == hackney


def test_the_sankey_links_come_in_a_stated_order(app):
    """Funding links first, then spending by function, each by source and target: the same ledger gives the same
    bytes every time (a grouping's rows otherwise come in whatever order the threads finished)."""
    links = sign_in(app, "viewer").get(f"/api/places/E09000023?year={YEAR}").json()["sankey"]
    stages = [link["stage"] for link in links]
    assert stages == sorted(stages, key=["funding", "function"].index) and len(set(stages)) == 2
    for stage in ("funding", "function"):
        keys = [(link["source"], link["target"]) for link in links if link["stage"] == stage]
        assert keys == sorted(keys) and len(keys) == len(set(keys))


def test_the_lines_behind_a_figure_are_read_afresh_after_an_acceptance(app, tmp_path):
    """The lines page is cached with the workspace's version, like the figures it explains: an accepted return
    shows at once, and a kept page of the old lines is not served."""
    analyst = sign_in(app, "analyst")
    url = f"/places/E09000023/lines?year={YEAR}&cofog=03"
    before = analyst.get(url).text
    assert "0 lines, £0.00 counted" in before and "No lines match" in before
    sid = _upload_and_accept(app, tmp_path, "12000.50")
    after = analyst.get(url).text
    for thread in [t for t in threading.enumerate() if t.name == f"warm-{sid}"]:
        thread.join(timeout=60)  # the background recomputation reads the workspace the fixture closes
    assert "1 line, £12,000.50 counted" in after and "new.csv" in after


def test_a_starting_server_prepares_the_first_pages_in_the_background(app):
    """`placespend serve` computes the places list and each listed place's latest page as it starts, so the
    first visitor reads them from the cache; what it computed is what a visit then shows."""
    ws = app.state.workspace
    place_view._cache.clear()
    warm_start.warm_at_start(ws).join(timeout=120)
    listed = [row for row in place_view.places(ws) if row["periods"]]
    assert {row["place"] for row in listed} == {HACKNEY, "inner-se"}  # Lewisham is listed inside inner-se
    for place in (HACKNEY, "inner-se", "E09000023"):  # the listed places, and the code Lewisham's returns name
        key = (str(ws.path), place_view.place_stamp(ws, place, YEAR), "overview", place, YEAR)
        assert key in place_view._cache, f"{place} was not prepared"
    version = (str(ws.path), place_view.results_stamp(ws))
    assert (*version, "compare", YEAR) in place_view._cache
    assert (*version, "analyses", YEAR, (), place_view.DEFAULT_ANALYSED_PLACES) in place_view._cache
    viewer = sign_in(app, "viewer")
    assert _total(viewer, HACKNEY) == Decimal("777.00")


def test_after_an_acceptance_only_the_places_it_touched_are_analysed_again(app, tmp_path):
    """The analyses of several places are kept per place: an accepted return for Lewisham analyses inner-se (which
    holds it) again and keeps Hackney's results as they were, and the page's analyses are still exactly what the
    methods give for the places together (the CLI's `analyse`)."""
    ws = app.state.workspace
    first = place_view.analyses(ws, YEAR)
    assert sorted(first["places"]) == [HACKNEY, "inner-se"]

    def kept(place: str) -> dict[str, object]:
        stamp = place_view.place_stamp(ws, place, YEAR)
        return {name: place_view._cache[(str(ws.path), stamp, "analysis", name, place, YEAR)]
                for name in place_view.PER_PLACE}

    hackney, inner = kept(HACKNEY), kept("inner-se")
    sid = _upload_and_accept(app, tmp_path, "12000.50")
    for thread in [t for t in threading.enumerate() if t.name == f"warm-{sid}"]:
        thread.join(timeout=60)  # the places nobody was reading, prepared after the write
    after = place_view.analyses(ws, YEAR)
    assert all(kept(HACKNEY)[name] is hackney[name] for name in hackney), "Hackney's results were kept"
    assert all(kept("inner-se")[name] is not inner[name] for name in inner), "inner-se was analysed again"
    with ws.read() as con:
        ledger = ledger_of(con)
        whole = {"composition": composition(ledger, after["places"], YEAR).to_dict(),
                 "concentration": concentration(ledger, after["places"], YEAR).to_dict(),
                 "local-control": local_control(ledger, after["places"], YEAR).to_dict(),
                 "routes": funding_routes(ledger, after["places"], YEAR).to_dict()}
    assert {name: after[name] for name in whole} == whole
    moved = Decimal("12000.50") - Decimal("1000.00")
    totals = {p["place"]: Decimal(str(p["total"])) for p in after["composition"]["places"]}
    assert totals == {HACKNEY: Decimal("777.00"), "inner-se": Decimal("1400.00") + moved}


def test_a_write_spends_at_most_its_time_bound_recomputing_pages(app, monkeypatch):
    """Every other write waits while one recomputes pages, so that work is bounded (`REFRESH_SECONDS`): within
    the bound the pages being read are ready for the new version; past it they are left to the first reader,
    who gets the same figures."""
    ws = app.state.workspace

    def ready() -> bool:
        return (str(ws.path), place_view.results_stamp(ws), "places") in place_view._cache

    def body(name: str) -> None:  # a write that may change figures (a body's type does): the lists are redone
        with ws.write() as con:
            con.con.execute("INSERT INTO bodies VALUES (?, 'A body', 'third_sector')", [name])

    listed = place_view.places(ws)
    body("charity-1")
    assert ready(), "the places list was recomputed by the write, within its bound"
    monkeypatch.setattr(place_view, "REFRESH_SECONDS", 0.0)
    body("charity-2")
    assert not ready(), "no time left: nothing was recomputed by the write"
    assert place_view.places(ws) == listed and ready()


def test_a_write_recomputes_the_pages_of_the_places_it_changed_before_the_lists_of_every_place(app, tmp_path):
    """The time bound may stop a write's recomputation part way (at 10M lines the lists of every place can fill
    it): what it leaves must be lists, not the page of the place the acceptance changed, which its partner and
    analyst open next. Lewisham's page was read before the lists, so by recency alone the lists came first."""
    ws = app.state.workspace
    viewer = sign_in(app, "viewer")
    assert _total(viewer, "E09000023") == Decimal("1400.00")
    assert viewer.get("/places").status_code == 200
    assert viewer.get(f"/compare?year={YEAR}").status_code == 200
    before = set(place_view._cache)

    sid = _upload_and_accept(app, tmp_path, "12000.50")
    made = [key for key in place_view._cache if key not in before]  # in the order they were computed
    for thread in [t for t in threading.enumerate() if t.name == f"warm-{sid}"]:
        thread.join(timeout=60)  # the places nobody was reading, prepared after the write
    lewisham = (str(ws.path), place_view.place_stamp(ws, "E09000023", YEAR), "overview", "E09000023", YEAR)
    lists = [key for key in made if key[1] == place_view.results_stamp(ws) and key[2] in {"places", "compare"}]
    assert lewisham in made and len(lists) == 2, "the acceptance recomputed both"
    assert all(made.index(lewisham) < made.index(key) for key in lists)
    assert _total(viewer, "E09000023") == Decimal("1400.00") - Decimal("1000.00") + Decimal("12000.50")
