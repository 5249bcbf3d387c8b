"""Storing Mapping-the-Money results so maps and pages can show them without recomputing."""

from __future__ import annotations

from decimal import Decimal

from placespend.engine.workspace import Workspace

Figure = tuple[str, str | None, str, Decimal, str]  # area, name, cofog division, amount, drivers


def save_ward_figures(ws: Workspace, place: str, period: str, vintage: str, spender: str | None,
                      figures: list[Figure]) -> int:
    """Replace earlier figures for the same place, period, vintage and spender; returns the run id."""
    with ws.write() as con:
        raw = con.con
        raw.execute("BEGIN TRANSACTION")
        try:
            run_id = raw.execute("SELECT coalesce(max(run_id), 0) + 1 FROM area_figures").fetchone()[0]
            raw.execute("DELETE FROM area_figures WHERE place = ? AND period = ? AND level = 'ward' "
                        "AND vintage = ? AND spender IS NOT DISTINCT FROM ?",
                        [place, period, vintage, spender])
            raw.executemany("INSERT INTO area_figures VALUES (?, ?, ?, 'ward', ?, ?, ?, ?, ?, ?, ?)",
                            [[run_id, place, period, vintage, *figure, spender] for figure in figures])
            raw.execute("COMMIT")
        except Exception:
            raw.execute("ROLLBACK")
            raise
    return run_id


def ward_figures(ws: Workspace, place: str, period: str) -> list[dict[str, object]]:
    """The latest ward figures of a place and period (all spenders), one row per ward and vintage."""
    with ws.read() as con:
        if "area_figures" not in con.list_tables():
            return []
        cursor = con.con.execute("""
            SELECT vintage, area, any_value(area_name) AS name, sum(amount) AS amount,
                   string_agg(DISTINCT cofog || ': ' || drivers, '; ' ORDER BY cofog || ': ' || drivers) AS drivers
            FROM area_figures WHERE place = ? AND period = ? AND level = 'ward' AND spender IS NULL
            GROUP BY vintage, area ORDER BY vintage, area""", [place, period])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def boundaries(ws: Workspace, codes: list[str]) -> list[dict[str, object]]:
    if not codes:
        return []
    with ws.read() as con:
        if "boundaries" not in con.list_tables():
            return []
        marks = ", ".join("?" for _ in codes)
        cursor = con.con.execute(f"SELECT code, name, geometry FROM boundaries WHERE code IN ({marks})", codes)
        return [{"code": c, "name": n, "geometry": g} for c, n, g in cursor.fetchall()]
