"""`page_store.place_stamps` reads many places' stamps in one query; a server keys each place's cached page on
its stamp, so the batch must give exactly what `place_stamp` gives place by place, or pages would be computed
again for nothing (or, worse, kept when they should not be)."""

from __future__ import annotations

import duckdb
import pytest

from placespend.app.bench.generate import generate_workspace
from placespend.app.workspace import open_workspace
from placespend.engine import page_store, place_lines_store


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    """A synthetic national ledger: 400 places, composites of several areas, three years, lines of every kind."""
    db = tmp_path_factory.mktemp("stamps") / "national.duckdb"
    generate_workspace(db, 20_000, 3)
    workspace = open_workspace(db)
    yield workspace
    workspace.close()


def _asked(ws) -> list[tuple[str, str]]:
    """Every composite place and every tenth other code defined or named by a return, each with every period
    with lines and one without, and a code nothing names."""
    with ws.read() as con:
        places = sorted({row[0] for row in con.con.execute(
            "SELECT place FROM places UNION SELECT place FROM submission_slices").fetchall()})
        composites = {row[0] for row in con.con.execute("SELECT place FROM place_areas WHERE place <> area").fetchall()}
        periods = sorted({row[0] for row in con.con.execute("SELECT period FROM submission_slices").fetchall()})
    chosen = [p for i, p in enumerate(places) if p in composites or i % 10 == 0]
    assert len(places) > 100 and composites and len(periods) == 3
    return [(place, period) for place in [*chosen, "nowhere"] for period in [*periods, "1999-00"]]


def _one_by_one(ws, asked):
    with ws.read() as con:
        return {pair: page_store.place_stamp(con, *pair) for pair in asked}


def _batch(ws, asked):
    with ws.read() as con:
        return page_store.place_stamps(con, asked)


def test_the_batch_gives_each_places_stamp(ws):
    asked = _asked(ws)
    with ws.read() as con:
        assert place_lines_store.is_fresh_on(con.con)
    one = _one_by_one(ws, asked)
    assert _batch(ws, asked) == one
    assert len({stamp[:2] for stamp in one.values()}) > 60, "the places' own parts differ: the test can tell them"


def test_the_batch_follows_merged_bodies_and_a_stale_place_lines(ws):
    """A merged body's canonical id is in the scope of the places naming its alias; without a fresh
    `place_lines` every body of the register is (the fallback of `place_stamp`)."""
    asked = _asked(ws)
    with ws.read() as con:
        (alias,) = con.con.execute("SELECT spender FROM flows ORDER BY spender LIMIT 1").fetchone()
    before = _one_by_one(ws, asked)
    with ws.write() as con:  # merged into a body no line names: only the alias brings it into a place's scope
        con.con.execute("INSERT INTO bodies VALUES ('merged-canonical', 'The merged body', 'nhs')")
        con.con.execute("INSERT INTO body_aliases VALUES (?, 'merged-canonical', 1)", [alias])
    one = _one_by_one(ws, asked)
    assert sum(one[pair][1] != before[pair][1] for pair in asked) > 1, "the merge changed some places' bodies"
    assert _batch(ws, asked) == one
    raw = duckdb.connect(str(ws.path))  # behind the workspace's back: its writes would rebuild place_lines
    try:
        raw.execute("DELETE FROM place_lines_state")
    finally:
        raw.close()
    with ws.read() as con:
        assert not place_lines_store.is_fresh_on(con.con)
    stale = _one_by_one(ws, asked)
    assert _batch(ws, asked) == stale
    assert stale != one
