"""What a new return would replace: the live slices of its submitters and the ledger totals of their places.

A slice is one submission's lines for one place and period; a newer accepted return of the same submitter
supersedes it (ledger_store). These small aggregates let the app show the difference before anything is
loaded, and let validation compare a line with the body's whole previous return.
"""

from __future__ import annotations

from decimal import Decimal

from placespend.domain.vocabulary import BASIS_RANK
from placespend.engine.workspace import Workspace

# One slice's totals: (submitter, place, period, submission_id, lines, total, rank).
SliceRow = tuple[str, str, str, int, int, Decimal, int]


def rank_sql(basis: str) -> str:
    """SQL for vocabulary.BASIS_RANK of a basis column (an unknown basis ranks as a budget)."""
    cases = " ".join(f"WHEN '{name}' THEN {rank}" for name, rank in BASIS_RANK.items())
    return f"CASE {basis} {cases} ELSE {min(BASIS_RANK.values())} END"


def _ready(ws: Workspace) -> bool:
    if not ws.exists:
        return False
    with ws.read() as con:
        return "submission_slices" in con.list_tables()


def live_slices(ws: Workspace, submitters: list[str], besides: int | None = None) -> list[SliceRow]:
    """The live accepted slices of these submitters (other than submission `besides`), with their totals."""
    if not submitters or not _ready(ws):
        return []
    with ws.read() as con:
        return con.con.execute(f"""
            WITH live AS (
                SELECT sl.submitter, sl.place, sl.period, sl.submission_id FROM submission_slices sl
                JOIN submissions s USING (submission_id)
                WHERE s.status = 'accepted' AND sl.superseded_by IS NULL AND list_contains(?, sl.submitter)
                  AND sl.submission_id IS DISTINCT FROM ?)
            SELECT live.submitter, live.place, live.period, live.submission_id, count(f.source_row),
                   coalesce(sum(f.counted_amount), 0), coalesce(max({rank_sql("f.basis")}), 1)
            FROM live LEFT JOIN flows f ON f.submission_id = live.submission_id AND f.place = live.place
                 AND f.period = live.period
            GROUP BY ALL ORDER BY ALL""", [submitters, besides]).fetchall()


def submission_slices(ws: Workspace, submission_id: int) -> list[SliceRow]:
    """One stored submission's own slices with their totals (a submitted return waiting for acceptance)."""
    if not _ready(ws):
        return []
    with ws.read() as con:
        return con.con.execute(f"""
            SELECT sl.submitter, sl.place, sl.period, sl.submission_id, count(f.source_row),
                   coalesce(sum(f.counted_amount), 0), coalesce(max({rank_sql("f.basis")}), 1)
            FROM submission_slices sl LEFT JOIN flows f ON f.submission_id = sl.submission_id
                 AND f.place = sl.place AND f.period = sl.period
            WHERE sl.submission_id = ?
            GROUP BY ALL ORDER BY ALL""", [submission_id]).fetchall()


def place_totals(ws: Workspace, places: list[tuple[str, str]]) -> dict[tuple[str, str], Decimal]:
    """Counted amount of every live accepted line at each (place, period), of all bodies, both flows: the
    ledger's total there before the count eliminates transfers between reporters."""
    if not places or not _ready(ws):
        return {}
    with ws.read() as con:
        rows = con.con.execute("""
            WITH wanted AS (SELECT unnest(?) AS place, unnest(?) AS period),
            live AS (
                SELECT sl.submission_id, sl.place, sl.period FROM submission_slices sl
                JOIN submissions s USING (submission_id)
                SEMI JOIN wanted w ON w.place = sl.place AND w.period = sl.period
                WHERE s.status = 'accepted' AND sl.superseded_by IS NULL)
            SELECT f.place, f.period, sum(f.counted_amount) FROM flows f
            SEMI JOIN live ON live.submission_id = f.submission_id AND live.place = f.place
                 AND live.period = f.period
            GROUP BY ALL""", [[p for p, _ in places], [y for _, y in places]]).fetchall()
    return {(place, period): total for place, period, total in rows}
