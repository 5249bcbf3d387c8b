"""Places (composites of ONS areas) and published reference figures."""

from __future__ import annotations

from collections.abc import Iterable

from ibis.backends.duckdb import Backend

from placespend.engine.workspace import Workspace
from placespend.ingest.places import Place


def save_places(ws: Workspace, places: Iterable[Place]) -> int:
    """Replace the definition of each given place (its areas may change between vintages), atomically."""
    places = list(places)
    with ws.write() as con:
        raw = con.con
        raw.execute("BEGIN TRANSACTION")
        try:
            for place in places:
                raw.execute("DELETE FROM place_areas WHERE place = ?", [place.place])
                raw.execute("INSERT OR REPLACE INTO places VALUES (?, ?, ?)", [place.place, place.name, place.region])
                raw.executemany("INSERT INTO place_areas VALUES (?, ?)", [[place.place, a] for a in place.areas])
            raw.execute("COMMIT")
        except Exception:
            raw.execute("ROLLBACK")
            raise
    return len(places)


def save_published(ws: Workspace, rows: Iterable[tuple[str, str, str, object, str | None, str]]) -> int:
    rows = list(rows)
    with ws.write() as con:
        raw = con.con
        raw.execute("BEGIN TRANSACTION")
        raw.execute("DELETE FROM published_figures")
        raw.executemany("INSERT INTO published_figures VALUES (?, ?, ?, ?, ?, ?)", [list(r) for r in rows])
        raw.execute("COMMIT")
    return len(rows)


def scope_codes(con: Backend, place: str) -> list[str]:
    """The place itself and its member areas: the codes a line's `place` may carry to be in scope."""
    areas = con.table("place_areas")
    members = areas.filter(areas.place == place).area.to_pyarrow().to_pylist()
    return sorted({place, *members})
