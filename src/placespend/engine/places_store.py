"""Places (composites of ONS areas) and published reference figures."""

from __future__ import annotations

from collections.abc import Iterable

import ibis
from ibis.backends.duckdb import Backend

from placespend.domain.ledger import COUNTED_SUBMISSIONS, scope_codes
from placespend.domain.places import Place
from placespend.engine.workspace import Workspace


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


# Where a place code can be known from: defined places and their areas, the places of returns, areas with
# statistics, and the codes of the imported lookups (a district is known once its LAD -> region row is).
KNOWN_PLACE_COLUMNS = (("places", "place"), ("place_areas", "area"), ("submission_slices", "place"),
                       ("place_statistics", "area"), ("area_lookups", "child"), ("area_lookups", "parent"))
LAD_REGION = "lad_region"


def is_known_place(con: Backend, code: str) -> bool:
    """True when any table of the workspace names the code as a place or an area (one query, any engine)."""
    found = [con.table(table).filter(con.table(table)[column] == code).select(code=column)
             for table, column in KNOWN_PLACE_COLUMNS]
    return ibis.union(*found, distinct=False).limit(1).to_pyarrow().num_rows > 0


def place_labels(con: Backend) -> dict[str, str]:
    """Text a user may have meant (codes and names) -> the label to suggest ("tp-kent (Kent)"): defined places,
    their areas, the places of returns and the districts of the LAD -> region lookup (not every LSOA)."""
    labels: dict[str, str] = {}
    for row in con.table("places").select("place", "name").to_pyarrow().to_pylist():
        label = f"{row['place']} ({row['name']})" if row["name"] and row["name"] != row["place"] else row["place"]
        labels[row["place"]] = label
        if row["name"]:
            labels.setdefault(row["name"], label)
    for code, (name, _) in district_names(con).items():
        labels.setdefault(code, f"{code} ({name})" if name else code)
        if name:
            labels.setdefault(name, f"{code} ({name})")
    for table, column in KNOWN_PLACE_COLUMNS[1:3]:
        for code in con.table(table).select(column).distinct()[column].to_pyarrow().to_pylist():
            labels.setdefault(code, code)
    return labels


def district_names(con: Backend, codes: Iterable[str] | None = None) -> dict[str, tuple[str | None, str]]:
    """District code -> (name, region code) from the LAD -> region lookup, for all districts or those given."""
    lookups = con.table("area_lookups")
    rows = lookups.filter(lookups.relation == LAD_REGION)
    if codes is not None:
        rows = rows.filter(rows.child.isin(list(codes)))
    found = rows.select("child", "child_name", "parent").order_by("child").to_pyarrow().to_pylist()
    return {row["child"]: (row["child_name"], row["parent"]) for row in found}


def periods_with_lines(con: Backend, place: str) -> list[str]:
    """The years with counted lines in the place's scope (live slices of accepted returns), oldest first."""
    slices, subs = con.table("submission_slices"), con.table("submissions")
    live = slices.filter(slices.superseded_by.isnull(), slices.place.isin(scope_codes(con, place)))
    live = live.semi_join(subs.filter(subs.status.isin(COUNTED_SUBMISSIONS)).select("submission_id"), "submission_id")
    return sorted(live.select("period").distinct().period.to_pyarrow().to_pylist())


def published_for(con: Backend, place: str) -> list[dict[str, object]]:
    """Every figure published about a place (seed 000 Tables 1-3 for the pilots), in the order printed."""
    figures = con.table("published_figures")
    rows = figures.filter(figures.subject == place).select("table_name", "measure", "value", "unit", "source")
    return rows.order_by(["table_name", "source", "measure"]).to_pyarrow().to_pylist()


def latest_regional_period(con: Backend) -> str | None:
    """The latest year with regional spending: the year a place without lines is estimated for."""
    return con.table("regional_spend").period.max().to_pyarrow().as_py()

