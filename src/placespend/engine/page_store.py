"""What the place pages ask of the workspace besides the figures: cache stamps and which places have lines.

Kept in the engine so that `place_view` (the service behind the web pages) holds no SQL of its own.
"""

from __future__ import annotations

from typing import Any

from ibis.backends.duckdb import Backend

from placespend.engine import place_lines_store

# The tables besides the ledger and the bodies whose content a place page shows or depends on.
STAMPED_TABLES = ("places", "place_areas", "body_aliases", "imports", "area_figures", "published_figures",
                  "boundaries")
# Every body a place's lines name, and the canonical ids they are merged into.
SCOPED_BODIES = """
    WITH ids AS (SELECT UNNEST([spender, recipient, funder]) AS body FROM place_lines
                 WHERE scope_place = $place AND period = $period)
    SELECT body FROM ids UNION SELECT canonical FROM body_aliases WHERE alias IN (SELECT body FROM ids)
"""


def place_stamp(con: Backend, place: str, period: str) -> tuple[Any, ...]:
    """Changes whenever anything a place's page shows for the period may change: the returns counted in its
    scope (a return accepted, superseded or withdrawn from the count), the bodies its lines name, and the
    places, merges, imports, ward and published figures. A return uploaded and waiting for acceptance does not
    change it: the page counts accepted returns only, so an upload keeps every place's page."""
    # Body types matter only for the bodies in the place's scope; every new return adds bodies somewhere,
    # so the whole register would change every place's stamp. The scope is known when place_lines is fresh.
    bodies = SCOPED_BODIES if place_lines_store.is_fresh(con) else "SELECT body FROM bodies"
    return tuple(con.con.execute(f"""
        WITH codes AS (SELECT $place::VARCHAR AS code UNION SELECT area FROM place_areas WHERE place = $place),
        mine AS ({bodies})
        SELECT (SELECT count(*) || ':' || coalesce(bit_xor(hash(sl.submission_id, sl.place, sl.superseded_by,
                                                                s.status)), 0)
                FROM submission_slices sl JOIN submissions s USING (submission_id)
                WHERE sl.period = $period AND sl.place IN (SELECT code FROM codes)
                  AND s.status IN ({place_lines_store.COUNTED})),
               (SELECT count(*) || ':' || coalesce(bit_xor(hash(t)), 0) FROM bodies t
                WHERE body IN (SELECT body FROM mine)),
               {", ".join(f"(SELECT count(*) || ':' || coalesce(bit_xor(hash(t)), 0) FROM {table} t)"
                          for table in STAMPED_TABLES)}
    """, {"place": place, "period": period}).fetchone())


def place_stamps(con: Backend, asked: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[Any, ...]]:
    """`place_stamp` of each (place, period) asked, the same values, in one query: a write on a server checks
    the stamp of every place whose page is being read, 40-odd at 10M lines and 50-100 ms each one at a time
    (BENCHMARKS.md, "An upload recomputes nothing")."""
    if not asked:
        return {}
    pairs = list(dict.fromkeys(asked))
    values = ", ".join("(?::VARCHAR, ?::VARCHAR)" for _ in pairs)
    if place_lines_store.is_fresh(con):
        mine = """
            ids AS (SELECT pl.scope_place AS place, pl.period, UNNEST([pl.spender, pl.recipient, pl.funder]) AS body
                    FROM place_lines pl WHERE pl.scope_place IN (SELECT place FROM asked)),
            mine AS (SELECT i.place, i.period, i.body FROM ids i SEMI JOIN asked a USING (place, period)
                     UNION SELECT i.place, i.period, ba.canonical FROM ids i SEMI JOIN asked a USING (place, period)
                     JOIN body_aliases ba ON ba.alias = i.body)"""
    else:
        mine = "mine AS (SELECT a.place, a.period, b.body FROM asked a, bodies b)"
    # Each part as `place_stamp` writes it: "count:hash", with 0 for no rows.
    rows = con.con.execute(f"""
        WITH asked(place, period) AS (VALUES {values}),
        codes AS (SELECT DISTINCT place, place AS code FROM asked
                  UNION SELECT DISTINCT a.place, pa.area FROM asked a JOIN place_areas pa ON pa.place = a.place),
        slices AS (SELECT c.place, sl.period, count(*) AS n,
                          bit_xor(hash(sl.submission_id, sl.place, sl.superseded_by, s.status)) AS h
                   FROM codes c JOIN submission_slices sl ON sl.place = c.code JOIN submissions s USING (submission_id)
                   WHERE s.status IN ({place_lines_store.COUNTED}) GROUP BY ALL),
        {mine.strip()},
        named AS (SELECT m.place, m.period, count(*) AS n, bit_xor(hash(t)) AS h
                  FROM mine m JOIN bodies t ON t.body = m.body GROUP BY ALL)
        SELECT a.place, a.period, coalesce(s.n, 0) || ':' || coalesce(s.h, 0),
               coalesce(n.n, 0) || ':' || coalesce(n.h, 0)
        FROM asked a LEFT JOIN slices s USING (place, period) LEFT JOIN named n USING (place, period)
    """, [value for pair in pairs for value in pair]).fetchall()
    shared = tuple(con.con.execute("SELECT " + ", ".join(
        f"(SELECT count(*) || ':' || coalesce(bit_xor(hash(t)), 0) FROM {table} t)" for table in STAMPED_TABLES)
    ).fetchone())
    return {(place, period): (slices, bodies, *shared) for place, period, slices, bodies in rows}


# Tables the results stamp leaves out, and why: what a figure counts of the first group is the counted returns'
# slices, hashed instead (lines never change once stored; an upload waiting for acceptance adds lines and slices
# that no figure counts); no figure reads the others (accounts and logs; people-level linkage results, which
# only the insight pages read, and those are not kept with this stamp).
LEDGER_TABLES = ("flows", "place_lines", "place_lines_slices", "place_lines_state", "submissions", "submission_slices")
NOT_FIGURES = ("users", "sessions", "api_tokens", "user_totp", "audit_log", "upload_attempts", "line_queries",
               "sharing_audit", "linkage_pairs", "linkage_runs")


def results_stamp(con: Backend) -> tuple[Any, ...]:
    """Changes whenever any figure of any place may change: the slices of counted returns (accepted,
    superseded, withdrawn) and the content of every other table but those named above, reference data,
    bodies and places included. Every place's stamp (`place_stamp`) rests on a part of this, so while it
    stands every place's stamp stands too.

    What it is for: a return uploaded and waiting for acceptance changes no figure, yet it is a write, and a
    server keyed its lists of every place on the write count; at 10M lines recomputing them took the 10 s
    bound of every upload (BENCHMARKS.md, "An upload recomputes nothing"). New tables are in it unless named
    above, so a table added later can only make pages recompute more often, never show stale figures."""
    skipped = set(LEDGER_TABLES) | set(NOT_FIGURES)
    tables = [row[0] for row in con.con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' "
        "ORDER BY table_name").fetchall() if row[0] not in skipped]
    each = "".join(f", (SELECT count(*) || ':' || coalesce(bit_xor(hash(t)), 0) FROM \"{name}\" t)"
                   for name in tables)
    return tuple(con.con.execute(f"""
        SELECT (SELECT count(*) || ':' || coalesce(bit_xor(hash(sl.submission_id, sl.place, sl.period,
                                                                sl.superseded_by, s.status)), 0)
                FROM submission_slices sl JOIN submissions s USING (submission_id)
                WHERE s.status IN ({place_lines_store.COUNTED})){each}
    """).fetchone()) + tuple(tables)


def live_place_periods(con: Backend) -> list[tuple[str, str]]:
    """(place code, period) of every live slice: a live slice is a return's place and period with lines."""
    return con.con.execute(f"SELECT DISTINCT place, period FROM ({place_lines_store.LIVE_SLICES})").fetchall()


def live_periods_in_scope(con: Backend, place: str) -> list[str]:
    rows = con.con.execute(f"""
        SELECT DISTINCT period FROM ({place_lines_store.LIVE_SLICES})
        WHERE place = ? OR place IN (SELECT area FROM place_areas WHERE place = ?) ORDER BY period
    """, [place, place]).fetchall()
    return [row[0] for row in rows]


def places_touched_by(con: Backend, submission_id: int) -> list[tuple[str, str]]:
    """(place, period) of a return's slices and of the composite places holding them."""
    return con.con.execute("""
        SELECT DISTINCT s.place, s.period FROM submission_slices s WHERE s.submission_id = ?
        UNION SELECT DISTINCT a.place, s.period FROM submission_slices s JOIN place_areas a ON a.area = s.place
        WHERE s.submission_id = ? ORDER BY 1, 2""", [submission_id, submission_id]).fetchall()
