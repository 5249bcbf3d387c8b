"""`place_lines`, the place-ordered copy of the live ledger, must always hold exactly what the count would read
from `flows`, after every kind of write, and must never be read when it is out of date."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from placespend.app.bench.generate import generate_workspace
from placespend.app.bodies import register as bodies
from placespend.app.ingest_files import ingest_returns
from placespend.app.workspace import open_workspace
from placespend.count.consolidate import count_place, scoped_lines
from placespend.count.every_place_count import body_totals, count_all_places, count_and_body_totals
from placespend.domain.ledger import scope_codes
from placespend.domain.places import Place
from placespend.engine import ledger_store, place_lines_store, places_store
from placespend.engine.ledger import ledger_of
from placespend.engine.tables import active_flows, place_ids
from placespend.engine.workspace import Workspace

from conftest import write_csv

PERIODS = ("2008-09", "2009-10", "2010-11")


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pl") / "national.duckdb"
    generate_workspace(path, 20_000, 5)
    return path


@pytest.fixture
def ws(national: Path, tmp_path: Path) -> Workspace:
    copy = tmp_path / "ws.duckdb"
    shutil.copyfile(national, copy)
    return open_workspace(copy)


def _rows(table) -> list[tuple]:
    frame = table.to_pyarrow()
    return sorted(tuple(row.values()) for row in frame.to_pylist())


def _from_flows(con, place: str, period: str):
    """The count's definition of a place's lines, straight from the ledger (what place_lines must equal)."""
    flows = active_flows(con)
    return flows.filter(flows.period == period, flows.place.isin(scope_codes(con, place)))


def _assert_same_as_ledger(ws: Workspace, places: list[str] | None = None) -> None:
    """Fresh; equal, row for row, to a rebuild from scratch; and, for the places given (or every place),
    equal to the count's definition read from `flows`."""
    with ws.read() as con:
        assert place_lines_store.is_fresh(con)
        rebuilt = place_lines_store.lines_sql()
        for a, b in (("place_lines", f"({rebuilt})"), (f"({rebuilt})", "place_lines")):
            extra = con.con.execute(f"SELECT count(*) FROM (SELECT * FROM {a} EXCEPT ALL SELECT * FROM {b})")
            assert extra.fetchone()[0] == 0
        if places is None:
            places = sorted(set(place_ids(con)) | set(con.table("flows").place.to_pyarrow().to_pylist()))
        for place in places:
            for period in PERIODS:
                found = _rows(scoped_lines(ledger_of(con), place, period))
                assert found == _rows(_from_flows(con, place, period)), place


def test_a_new_workspace_has_place_lines_equal_to_the_ledger(ws: Workspace) -> None:
    with ws.write(changes_results=False) as con:
        assert place_lines_store._rebuild(con.con) == "rebuilt"
    with ws.read() as con:
        stored = con.con.execute("SELECT count(*) FROM place_lines").fetchone()[0]
        every = sorted(set(place_ids(con)) | set(con.table("flows").place.to_pyarrow().to_pylist()))
        live = active_flows(con)
        areas = con.table("place_areas")
        members = areas.filter(areas.place != areas.area).select("place", "area").distinct()
        in_composites = live.join(members, live.place == members.area).count().to_pyarrow().as_py()
        lines = live.count().to_pyarrow().as_py() + in_composites
    assert stored == lines, "each line once for its own place and once per composite holding it, nothing else"
    _assert_same_as_ledger(ws, every[::7] + [p for p in every if not p.startswith("E")][:10])
    with ws.read() as con:
        order = con.con.execute("SELECT scope_place, period FROM place_lines").fetchall()
    runs = [key for i, key in enumerate(order) if i == 0 or order[i - 1] != key]
    assert len(runs) == len(set(order)), "each place-period is one run, so its queries read its own row groups"


def test_each_kind_of_write_keeps_it_exact(ws: Workspace, tmp_path: Path) -> None:
    with ws.read() as con:
        sid, = con.con.execute("SELECT min(submission_id) FROM submissions WHERE status = 'accepted'").fetchone()
        rejected, = con.con.execute("SELECT min(submission_id) FROM submissions WHERE status <> 'accepted'").fetchone()
        place, spender = con.con.execute("SELECT place, spender FROM flows WHERE submission_id = ? LIMIT 1",
                                         [sid]).fetchone()
        composite, = con.con.execute("SELECT place FROM place_areas WHERE area = ? LIMIT 1", [place]).fetchone()
        before = count_place(ledger_of(con), composite, "2008-09").total
        kind, = con.con.execute("SELECT spender_type FROM flows WHERE spender = ? LIMIT 1", [spender]).fetchone()
    touched = [place, composite]
    ledger_store.set_status(ws, sid, "rejected")          # a live return leaves the count
    _assert_same_as_ledger(ws, touched)
    ledger_store.set_status(ws, rejected, "accepted")     # a rejected one enters it (and may supersede)
    _assert_same_as_ledger(ws, touched)
    ledger_store.set_status(ws, sid, "accepted")
    _assert_same_as_ledger(ws, touched)
    newer = write_csv(tmp_path / "newer.csv", [{
        "period": "2008-09", "place": place, "spender": spender, "spender_type": kind, "flow": "spend",
        "amount": "1234567.89", "cofog": "10.4"}])
    (result,) = ingest_returns(ws, [newer], submitter=spender, replace=True,   # supersedes the spender's slice
                               confirm_large=True)
    assert result.outcome == "loaded", result.report.to_dict()
    _assert_same_as_ledger(ws, touched)
    with ws.read() as con:
        after = count_place(ledger_of(con), composite, "2008-09").total
    assert after != before
    places_store.save_places(ws, [Place(composite, "Changed", None, [place])])   # a place's areas change
    _assert_same_as_ledger(ws, touched)
    with ws.read() as con:
        merged, into = con.con.execute(
            "SELECT a.spender, b.spender FROM flows a, flows b WHERE a.place = b.place AND a.spender < b.spender "
            "AND a.spender_type = b.spender_type LIMIT 1").fetchone()
    bodies.merge(ws, merged, into, "same body (test)", by="test")    # merged ids are rewritten on read
    _assert_same_as_ledger(ws, touched)


def test_incremental_refresh_touches_only_changed_slices(ws: Workspace) -> None:
    with ws.read() as con:
        sid, = con.con.execute("SELECT min(submission_id) FROM submissions WHERE status = 'accepted'").fetchone()
        slices = con.con.execute("SELECT count(*) FROM submission_slices WHERE submission_id = ? "
                                 "AND superseded_by IS NULL", [sid]).fetchone()
    with ws.write(changes_results=False) as con:
        con.con.execute("UPDATE submissions SET status = 'queried' WHERE submission_id = ?", [sid])
        done = place_lines_store.refresh(con)
    assert done == f"updated: {slices[0]} slices out, 0 in"
    with ws.write(changes_results=False) as con:
        assert place_lines_store.refresh(con) == "fresh"
    _assert_same_as_ledger(ws, [])


def test_a_stale_copy_is_never_read(ws: Workspace) -> None:
    with ws.write(changes_results=False) as con:   # a write that bypasses the refresh
        con.con.execute("UPDATE submissions SET status = 'rejected' WHERE submission_id = "
                        "(SELECT min(submission_id) FROM submissions WHERE status = 'accepted')")
    with ws.read() as con:
        assert not place_lines_store.is_fresh(con)
        for place in place_ids(con)[:40]:
            assert _rows(scoped_lines(ledger_of(con), place, "2008-09")) == _rows(_from_flows(con, place, "2008-09"))


def test_all_places_count_and_body_totals_are_the_same_without_place_lines(ws: Workspace) -> None:
    with ws.read() as con:
        fast_counts = count_all_places(ledger_of(con), "2008-09", bridge=True)
        fast_bodies = _rows(body_totals(ledger_of(con), "2008-09"))
        some = [*sorted(fast_counts)[:5], "E09000023"]
        fast_some = count_all_places(ledger_of(con), "2008-09", some)
    with ws.write(changes_results=False) as con:   # make the copy stale: the count must go back to `flows`
        con.con.execute("DELETE FROM place_lines_state")
    with ws.read() as con:
        assert not place_lines_store.is_fresh(con)
        assert count_all_places(ledger_of(con), "2008-09", bridge=True) == fast_counts
        assert _rows(body_totals(ledger_of(con), "2008-09")) == fast_bodies
        assert count_all_places(ledger_of(con), "2008-09", some) == fast_some
        _assert_one_pass_equals(con, fast_counts, fast_bodies)
    with ws.write(changes_results=False) as con:
        place_lines_store.refresh(con)
    with ws.read() as con:
        assert place_lines_store.is_fresh(con)
        _assert_one_pass_equals(con, fast_counts, fast_bodies)
    assert len(fast_counts) > 50 and len(fast_bodies) > 1000


def _assert_one_pass_equals(con, counts, bodies) -> None:
    """The analyses' one pass gives the count and the body totals exactly, and leaves no temporary table."""
    together, together_bodies = count_and_body_totals(ledger_of(con), "2008-09")
    assert {place: (c.total, c.lines, c.unreported_transfers, c.eliminated_transfers, c.by_cofog, c.by_spender_type)
            for place, c in together.items()} == \
        {place: (c.total, c.lines, c.unreported_transfers, c.eliminated_transfers, c.by_cofog, c.by_spender_type)
         for place, c in counts.items()}
    assert sorted(tuple(row.values()) for row in together_bodies) == bodies
    assert con.con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone()[0] == 0
