"""`place_lines`: every live ledger line once per place whose scope holds it, stored in place order.

Why: a place page asks a dozen questions of one place's lines. Against `flows` each question scans the whole
ledger (10M lines at national scale) to find the few thousand lines in scope, because lines are stored in the
order returns arrived. Here the same lines are stored sorted by (scope_place, period), so DuckDB's zone maps
skip every row group but the place's own and a page's queries read kilobytes instead of the ledger.

It is a cache, never a source of truth. Each row is a line of `flows` exactly as stored (ids as submitted:
merged body ids are still rewritten on read), with the place whose scope it is in. It is rebuilt after any
write that changes the live slices or place definitions (`refresh`, run when a write connection closes), and
only for the places whose lines changed. A reader uses it only if its fingerprint matches the ledger now
(`is_fresh`), so a stale or half-built copy can never be read: the count then falls back to `flows`.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from placespend.domain.ledger import COUNTED_SUBMISSIONS
from placespend.engine.memory_caps import memory_limit_lowered

if TYPE_CHECKING:  # for the hints only: the CLI's quick count checks freshness without importing Ibis (0.9 s)
    from ibis.backends.duckdb import Backend

COUNTED = ", ".join(f"'{s}'" for s in COUNTED_SUBMISSIONS)  # the statuses of returns in the count, as SQL
# The live slices: (submission, place, period) of accepted returns not superseded. What the count sees.
LIVE_SLICES = f"""
    SELECT sl.submission_id, sl.place, sl.period FROM submission_slices sl
    JOIN submissions s USING (submission_id)
    WHERE s.status IN ({COUNTED}) AND sl.superseded_by IS NULL
"""
# A line is always in the scope of its own place code; these pairs add the composite places it belongs to.
MEMBERS = "SELECT DISTINCT place AS scope_place, area AS code FROM place_areas WHERE place <> area"
# Changes whenever a submission's status, any slice's supersession or a place's areas change; cheap (no join,
# a few ms at 10M lines) so that readers can check it before every use.
FINGERPRINT = f"""
    SELECT (SELECT count(*) FROM submission_slices)
           + (SELECT count(*) FROM submissions),
           xor((SELECT coalesce(bit_xor(hash(submission_id, place, period, superseded_by)), 0)
                FROM submission_slices),
               (SELECT coalesce(bit_xor(hash(submission_id, status)), 0) FROM submissions)),
           (SELECT count(*) FROM ({MEMBERS})),
           (SELECT coalesce(bit_xor(hash(scope_place, code)), 0) FROM ({MEMBERS}))
"""
STATE_TABLES = ("place_lines", "place_lines_state", "place_lines_slices")
_known: weakref.WeakKeyDictionary[Backend, bool] = weakref.WeakKeyDictionary()


def _fingerprint(raw) -> tuple[int, int, int, int]:
    return tuple(raw.execute(FINGERPRINT).fetchone())  # type: ignore[return-value]


def is_fresh(con: Backend) -> bool:
    """True when `place_lines` holds exactly the live ledger: only then may the count read it.

    The answer is remembered for the connection until `forget` (every write through the workspace calls it):
    a page asks dozens of times, and nothing else can change the file under an open connection (DuckDB lets
    one process write, and not while others hold it open)."""
    if con in _known:
        return _known[con]
    fresh = _known[con] = is_fresh_on(con.con)
    return fresh


def is_fresh_on(raw) -> bool:
    """`is_fresh` on a plain DuckDB connection, asked afresh."""
    if not _has_tables(raw, ("place_lines_state", "submission_slices")):
        return False
    stored = raw.execute("SELECT slices, slices_hash, members, members_hash FROM place_lines_state").fetchone()
    return stored is not None and tuple(stored) == _fingerprint(raw)


def forget() -> None:
    """The workspace was written: every connection asks the database again next time."""
    _known.clear()


def _has_tables(raw, names: tuple[str, ...]) -> bool:
    found = {row[0] for row in raw.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main'").fetchall()}
    return all(name in found for name in names)


def lines_sql(only: str = "", period: str | None = None) -> str:
    """The live lines once per scope place, in (scope_place, period) order.

    `only` names a table of slices (submission_id, place, period) to take the lines of instead of every live
    slice; `period` narrows it to one period. `lines` is read twice (own place, composites), so DuckDB would
    materialise it, a copy of the wide rows before the sort; inlined, the composites' side only reads the lines
    of member areas."""
    live = f"SELECT * FROM {only}" if only else LIVE_SLICES
    in_period = f"WHERE f.period = '{_literal(period)}'" if period is not None else ""
    return f"""
        WITH live AS ({live}),
        lines AS NOT MATERIALIZED (SELECT f.* FROM flows f SEMI JOIN live ON f.submission_id = live.submission_id
                  AND f.place = live.place AND f.period = live.period {in_period}),
        scoped AS (SELECT place AS scope_place, * FROM lines
                   UNION ALL
                   SELECT m.scope_place, lines.* FROM lines JOIN ({MEMBERS}) m ON lines.place = m.code)
        SELECT * FROM scoped ORDER BY scope_place, period
    """


def _literal(text: str) -> str:
    return text.replace("'", "''")


def refresh(con: Backend) -> str:
    """Bring `place_lines` up to date with the ledger after a write; returns what was done (for tests/logs).

    Only the (place, period) pairs whose live slices changed are rewritten, with every place whose scope holds
    them; a change to place definitions (or a first build) rebuilds the whole table.
    """
    raw = con.con
    if not _has_tables(raw, ("flows", "submission_slices", "submissions", "place_areas")):
        return "no ledger"
    now = _fingerprint(raw)
    stored = None
    if _has_tables(raw, STATE_TABLES):
        stored = raw.execute("SELECT slices, slices_hash, members, members_hash FROM place_lines_state").fetchone()
    if stored is not None and tuple(stored) == now:
        return "fresh"
    raw.execute("BEGIN TRANSACTION")
    try:
        if stored is None or tuple(stored)[2:] != now[2:] or not _same_columns(raw):
            done = _rebuild(raw)
        else:
            done = _update(raw)
        raw.execute("CREATE OR REPLACE TABLE place_lines_slices AS " + LIVE_SLICES)
        raw.execute("CREATE OR REPLACE TABLE place_lines_state (slices BIGINT, slices_hash UBIGINT, members BIGINT, "
                    "members_hash UBIGINT, built_at TIMESTAMP)")
        raw.execute("INSERT INTO place_lines_state VALUES (?, ?, ?, ?, current_timestamp::TIMESTAMP)", list(now))
        raw.execute("COMMIT")
    except Exception:
        raw.execute("ROLLBACK")
        raise
    return done


def _same_columns(raw) -> bool:
    def columns(table: str) -> list[str]:
        return [r[0] for r in raw.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND table_name = ? ORDER BY column_index", [table]).fetchall()]

    return columns("place_lines") == ["scope_place", *columns("flows")]


def _rebuild(raw) -> str:
    """The whole table again, one period at a time: each period's scoped lines are sorted by place and
    appended, so every place-period is one contiguous run.

    Why per period: sorting 100M wide rows at once needed more temporary disk (~50 GB) than the machine had;
    a period is a third of that and DuckDB's sort spills it to disk within a 2 GiB memory cap. Batches cut
    through a temporary copy of each period (the previous design) read that copy once per batch and took ~50
    minutes at 100M lines; one sort per period is 36 s at 10M (was 56 s)."""
    with memory_limit_lowered(raw, lambda limit: min(limit, 2 * 1024**3)):
        raw.execute("CREATE OR REPLACE TABLE place_lines AS " + lines_sql() + " LIMIT 0")
        periods = [r[0] for r in raw.execute(f"SELECT DISTINCT period FROM ({LIVE_SLICES}) ORDER BY 1").fetchall()]
        for period in periods:
            raw.execute("INSERT INTO place_lines " + lines_sql(period=period))
    return "rebuilt"


def _update(raw) -> str:
    """Remove the lines of slices that stopped being live and add those of slices that became live.

    Lines never change once stored, so the difference in live slices is the whole difference: a national
    return accepted for 400 places adds its own lines and removes those it supersedes, nothing else. Added
    lines are appended in place order, so each place still reads one short run per refresh."""
    raw.execute(f"CREATE OR REPLACE TEMP TABLE place_lines_gone AS SELECT * FROM place_lines_slices "
                f"EXCEPT SELECT * FROM ({LIVE_SLICES})")
    raw.execute(f"CREATE OR REPLACE TEMP TABLE place_lines_new AS SELECT * FROM ({LIVE_SLICES}) "
                f"EXCEPT SELECT * FROM place_lines_slices")
    gone = raw.execute("SELECT count(*) FROM place_lines_gone").fetchone()[0]
    new = raw.execute("SELECT count(*) FROM place_lines_new").fetchone()[0]
    if gone:
        raw.execute("DELETE FROM place_lines USING place_lines_gone g WHERE place_lines.submission_id = "
                    "g.submission_id AND place_lines.place = g.place AND place_lines.period = g.period")
    if new:
        raw.execute("INSERT INTO place_lines " + lines_sql("place_lines_new"))
    raw.execute("DROP TABLE place_lines_gone")
    raw.execute("DROP TABLE place_lines_new")
    return f"updated: {gone} slices out, {new} in"
