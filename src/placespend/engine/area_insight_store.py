"""Reading small-area statistics for customer insight, and storing the segments a run assigned.

The read functions are the interface the area-level insight methods (segments, profiles, hotspots) share:

- `place_districts(ws, place)`: the districts (LADs) a place is made of;
- `place_lsoas(ws, districts)`: a place's LSOAs (code -> name) through the LSOA -> LAD lookup;
- `lsoa_wards(ws, lsoas, vintage)`: each LSOA's ward(s) of a lookup vintage;
- `area_statistics(ws, indicators, areas)`: the latest vintage of each indicator and its values by area;
- `classification(ws, name)`: a user-supplied classification (area -> segment, name);
- `latest_segments(ws, place)`: the newest segmentation run of a place.

Every statistic comes back with its vintage (the `period` it was imported with), so a result can say which
year each figure describes. Values stay Decimal; callers turn them into floats only for clustering.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa

from placespend.engine.workspace import Workspace

WHOLE_COUNTRY = "england"


@dataclass(frozen=True)
class AreaStatistics:
    vintages: dict[str, str]                    # indicator -> the vintage used (its latest period)
    values: dict[str, dict[str, Decimal]]       # area -> indicator -> value


@dataclass(frozen=True)
class SegmentRun:
    place: str
    level: str
    method: str
    k: int | None
    seed: int | None
    indicators: str
    segments: dict[str, tuple[str, str | None]]  # area -> (segment, segment name)


def _tables(con) -> set[str]:
    return set(con.list_tables())


def place_districts(ws: Workspace, place: str) -> list[str]:
    """A composite place's member areas (DESIGN.md §4), or the place itself when it is one district."""
    with ws.read() as con:
        if "place_areas" not in _tables(con):
            return [place]
        rows = con.con.execute("SELECT DISTINCT area FROM place_areas WHERE place = ? ORDER BY area",
                               [place]).fetchall()
    return [r[0] for r in rows] or [place]


def place_lsoas(ws: Workspace, districts: list[str] | None) -> dict[str, str | None]:
    """LSOA code -> name for the districts (latest lookup vintage per LSOA); None = every English LSOA known."""
    with ws.read() as con:
        if "area_lookups" not in _tables(con):
            return {}
        where, params = ("", []) if districts is None else (
            f"AND parent IN ({', '.join('?' for _ in districts)})", list(districts))
        rows = con.con.execute(f"""
            SELECT child, arg_max(child_name, vintage) FROM area_lookups
            WHERE relation = 'lsoa_lad' AND child LIKE 'E01%' {where}
            GROUP BY child ORDER BY child""", params).fetchall()
    return dict(rows)


def place_areas(ws: Workspace, districts: list[str], level: str) -> dict[str, str | None]:
    """Code -> name of a place's output areas, MSOAs or wards: the areas a `<level>_lad` lookup puts in its
    districts (from ONS or drkane lookups, or the district codes of an OA or MSOA boundary file), every vintage."""
    with ws.read() as con:
        if "area_lookups" not in _tables(con):
            return {}
        rows = con.con.execute(f"""
            SELECT child, arg_max(child_name, vintage) FROM area_lookups
            WHERE relation = ? AND parent IN ({', '.join('?' for _ in districts)})
            GROUP BY child ORDER BY child""", [f"{level}_lad", *districts]).fetchall()
    return dict(rows)


def lsoa_wards(ws: Workspace, lsoas: list[str], vintage: str | None,
               relation: str = "lsoa_ward") -> dict[str, list[tuple[str, str | None]]]:
    """Each LSOA's wards of one lookup vintage (best-fit lookups give one; several are kept, for equal shares);
    with `relation` lsoa_msoa, its MSOA (any vintage when `vintage` is None)."""
    if not lsoas:
        return {}
    with ws.read() as con:
        if "area_lookups" not in _tables(con):
            return {}
        con.con.register("wanted_lsoas", pa.table({"code": lsoas}))
        try:
            rows = con.con.execute("""
                SELECT DISTINCT child, parent, parent_name FROM area_lookups JOIN wanted_lsoas ON child = code
                WHERE relation = ? AND (? IS NULL OR vintage = ?) ORDER BY child, parent""",
                                   [relation, vintage, vintage]).fetchall()
        finally:
            con.con.unregister("wanted_lsoas")
    wards: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for child, parent, name in rows:
        wards[child].append((parent, name))
    return dict(wards)


def indicator_vintages(ws: Workspace) -> dict[str, list[str]]:
    """Every indicator in the workspace with its vintages, oldest first (for choosing and for help texts)."""
    with ws.read() as con:
        if "place_statistics" not in _tables(con):
            return {}
        rows = con.con.execute("SELECT indicator, list(DISTINCT period ORDER BY period) FROM place_statistics "
                               "GROUP BY indicator ORDER BY indicator").fetchall()
    return {name: list(periods) for name, periods in rows}


def area_statistics(ws: Workspace, indicators: list[str], areas: list[str] | None) -> AreaStatistics:
    """Values of the indicators for the areas (None = every area that has them), each at its latest vintage
    among those areas (a district's 2020 population does not hide its LSOAs' 2019 one).

    The latest vintage is the greatest period by its first four digits (mid-2019 beats mid-2015), the same
    ordering the centre-out estimate uses for the nearest vintage (DESIGN.md §5).
    """
    if not indicators:
        return AreaStatistics({}, {})
    with ws.read() as con:
        if "place_statistics" not in _tables(con):
            return AreaStatistics({}, {})
        raw = con.con
        marks = ", ".join("?" for _ in indicators)
        join = ""
        if areas is not None:
            raw.register("wanted_areas", pa.table({"code": list(areas)}))
            join = "JOIN wanted_areas a ON s.area = a.code"
        try:
            latest = dict(raw.execute(f"""
                SELECT indicator, arg_max(period, left(period, 4) || period) FROM place_statistics s {join}
                WHERE indicator IN ({marks}) GROUP BY indicator""", indicators).fetchall())
            if not latest:
                return AreaStatistics({}, {})
            raw.register("wanted_vintages", pa.table({"indicator": list(latest), "period": list(latest.values())}))
            try:
                rows = raw.execute(f"""
                    SELECT s.area, s.indicator, s.value FROM place_statistics s
                    JOIN wanted_vintages w ON s.indicator = w.indicator AND s.period = w.period {join}""").fetchall()
            finally:
                raw.unregister("wanted_vintages")
        finally:
            if areas is not None:
                raw.unregister("wanted_areas")
    values: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for area, indicator, value in rows:
        values[area][indicator] = value
    return AreaStatistics(latest, dict(values))


def classifications(ws: Workspace) -> list[dict[str, object]]:
    """The classifications imported: name, vintage, number of areas and of segments."""
    with ws.read() as con:
        if "area_classifications" not in _tables(con):
            return []
        cursor = con.con.execute("""
            SELECT classification, any_value(vintage) AS vintage, count(DISTINCT area) AS areas,
                   count(DISTINCT segment) AS segments FROM area_classifications
            GROUP BY classification ORDER BY classification""")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def classification(ws: Workspace, name: str) -> dict[str, tuple[str, str | None]]:
    """Area -> (segment, segment name) of one imported classification ({} when it is not there)."""
    with ws.read() as con:
        if "area_classifications" not in _tables(con):
            return {}
        rows = con.con.execute("SELECT area, segment, segment_name FROM area_classifications "
                               "WHERE classification = ?", [name]).fetchall()
    return {area: (segment, label) for area, segment, label in rows}


def area_parents(ws: Workspace, relation: str, children: list[str]) -> dict[str, list[str]]:
    """Parents of areas in one lookup relation (e.g. oa_lsoa), all vintages together."""
    if not children:
        return {}
    with ws.read() as con:
        if "area_lookups" not in _tables(con):
            return {}
        con.con.register("wanted_children", pa.table({"code": children}))
        try:
            rows = con.con.execute("""SELECT DISTINCT child, parent FROM area_lookups JOIN wanted_children
                ON child = code WHERE relation = ? ORDER BY child, parent""", [relation]).fetchall()
        finally:
            con.con.unregister("wanted_children")
    parents: dict[str, list[str]] = defaultdict(list)
    for child, parent in rows:
        parents[child].append(parent)
    return dict(parents)


def save_segments(ws: Workspace, run: SegmentRun) -> int:
    """Store one run's segments in one transaction; returns its run id."""
    with ws.write() as con:
        raw = con.con
        raw.execute("BEGIN TRANSACTION")
        try:
            run_id = raw.execute("SELECT coalesce(max(run_id), 0) + 1 FROM area_segments").fetchone()[0]
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            ordered = sorted(run.segments.items())
            raw.register("new_segments", pa.table({"area": [a for a, _ in ordered],
                                                   "segment": [s for _, (s, _) in ordered],
                                                   "segment_name": [n for _, (_, n) in ordered]}))
            raw.execute("INSERT INTO area_segments SELECT ?, ?, ?, ?, ?, ?, ?, area, segment, segment_name, ? "
                        "FROM new_segments", [run_id, run.place, run.level, run.method, run.k, run.seed,
                                               run.indicators, now])
            raw.unregister("new_segments")
            raw.execute("COMMIT")
        except Exception:
            raw.execute("ROLLBACK")
            raise
    return run_id


def latest_segments(ws: Workspace, place: str, level: str = "lsoa") -> SegmentRun | None:
    """The newest run stored for a place and level, or None when segments were never run for it."""
    with ws.read() as con:
        if "area_segments" not in _tables(con):
            return None
        raw = con.con
        found = raw.execute("SELECT max(run_id) FROM area_segments WHERE place = ? AND level = ?",
                            [place, level]).fetchone()[0]
        if found is None:
            return None
        rows = raw.execute("SELECT method, k, seed, indicators, area, segment, segment_name FROM area_segments "
                           "WHERE run_id = ?", [found]).fetchall()
    method, k, seed, indicators = rows[0][:4]
    return SegmentRun(place, level, method, k, seed, indicators, {r[4]: (r[5], r[6]) for r in rows})
