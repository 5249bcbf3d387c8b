"""Use cases of area-level customer insight (DESIGN.md §7; seed 000 §5.3-5.4, seed 002): segments of a place's
LSOAs (or the whole country's), and profiles of its LSOAs and wards, with the spend the ward mapping puts
in each. The one entry for the CLI and the API, so both give the same figures.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from placespend.analysis.ward_mapping import map_to_wards
from placespend.app.criteria import criteria_named
from placespend.app.selection import check_in
from placespend.domain.codes import unknown
from placespend.domain.problems import PlacespendError
from placespend.engine import area_figures_store, area_insight_store
from placespend.engine.area_insight_store import WHOLE_COUNTRY, SegmentRun
from placespend.engine.ledger import ledger_of
from placespend.engine.workspace import Workspace
from placespend.insight import area_features, area_profiles, segments
from placespend.report import charts, insight_charts

LEVELS = ("oa", "lsoa", "msoa", "ward")
LEVEL_NAMES = {"oa": "output areas", "lsoa": "LSOAs", "msoa": "MSOAs", "ward": "wards"}
WARD_VINTAGE = "2019"
DEFAULT_K = 5
DEFAULT_SEED = 0


def _figure(figure: Any) -> dict[str, Any]:
    """A Plotly figure as plain JSON data (what plotly.js takes), the same in the CLI's JSON and the API's."""
    return json.loads(charts.to_json(figure))


def _is_country(place: str | None) -> bool:
    return place is None or place.lower() in {WHOLE_COUNTRY, "e92000001"}


def _lsoas(ws: Workspace, place: str | None) -> dict[str, str | None]:
    """The place's LSOAs (code -> name) from the LSOA -> LAD lookup; the whole country when place is None."""
    if _is_country(place):
        found = area_insight_store.place_lsoas(ws, None)
        if not found:
            stats = area_insight_store.area_statistics(ws, ["imd_rank"], None)
            found = {code: None for code in stats.values if code.startswith("E01")}
        return found
    check_in(ws, place=place)  # an unknown place is refused by name, not as a place without LSOAs
    found = area_insight_store.place_lsoas(ws, area_insight_store.place_districts(ws, place))  # type: ignore[arg-type]
    if not found:
        raise PlacespendError(f"No LSOAs of {place} in the workspace: import an LSOA -> LAD lookup "
                              "(e.g. lsoa11_to_ward2019 or lsoa11_to_ccg_to_lad).")
    return found


def _mapped_spend(ws: Workspace, place: str | None, year: str | None, drivers: str,
                  notes: list[str]) -> dict[str, dict[str, Decimal]] | None:
    """Spend by LSOA and COFOG division from the ward mapping (`placespend wards`), or None with a note."""
    if year is None:
        return None
    check_in(ws, year=year)
    if _is_country(place):
        notes.append("Spend is mapped for one place at a time; pass --place for spend per segment.")
        return None
    try:
        with ws.read() as con:
            mapping = map_to_wards(ledger_of(con), place, year, criteria_named(drivers), WARD_VINTAGE)  # type: ignore[arg-type]
    except PlacespendError as exc:
        notes.append(f"Spend not mapped: {exc}")
        return None
    divisions = sorted({division for _, division in mapping.by_lsoa})
    spend: dict[str, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(divisions, Decimal(0)))
    for (lsoa, division), amount in mapping.by_lsoa.items():
        spend[lsoa][division] = amount
    notes.append(f"Spend {year}: {mapping.total} counted for {place}, shared to LSOAs by drivers '{drivers}' "
                 "(the ward mapping).")
    notes.extend(mapping.notes)
    return dict(spend)


def _classification_for_lsoas(ws: Workspace, name: str, lsoas: list[str]) -> dict[str, tuple[str, str | None]]:
    """A classification of LSOAs as given, or of output areas taken to LSOAs by the segment most OAs share."""
    given = area_insight_store.classification(ws, name)
    if not given:
        known = ", ".join(c["classification"] for c in area_insight_store.classifications(ws)) or "none"
        raise PlacespendError(f"No classification '{name}' in the workspace (imported: {known}).")
    direct = {code: given[code] for code in lsoas if code in given}
    if direct:
        return direct
    parents = area_insight_store.area_parents(ws, "oa_lsoa", sorted(given))
    if not parents:
        raise PlacespendError(f"Classification '{name}' does not classify these LSOAs, and no output area -> LSOA "
                              "lookup (OA11CD, LSOA11CD columns) is imported to carry it from output areas.")
    votes: dict[str, Counter[tuple[str, str | None]]] = defaultdict(Counter)
    for oa, found in parents.items():
        for lsoa in found:
            votes[lsoa][given[oa]] += 1
    return {lsoa: min(c.items(), key=lambda kv: (-kv[1], kv[0][0]))[0] for lsoa, c in votes.items() if lsoa in lsoas}


def classifications(ws: Workspace) -> list[dict[str, Any]]:
    return area_insight_store.classifications(ws)


def segment_place(ws: Workspace, place: str | None, k: int = DEFAULT_K, seed: int = DEFAULT_SEED,
                  indicators: list[str] | None = None, method: segments.Method = "kmeans", runs: int = 5,
                  classification: str | None = None, year: str | None = None,
                  drivers: str = "population") -> dict[str, Any]:
    """Segments of a place's LSOAs with profiles, stability and (given a year) spend per segment."""
    place_code = WHOLE_COUNTRY if _is_country(place) else place
    average = "England" if place_code == WHOLE_COUNTRY else "place"
    names = _lsoas(ws, place)
    chosen = area_features.features(indicators)
    stats = area_insight_store.area_statistics(ws, area_features.source_indicators(chosen), list(names))
    absent = [s for s in area_features.source_indicators(chosen) if s not in stats.vintages]
    if absent:
        raise PlacespendError(f"No statistics for {', '.join(absent)}: import them first (IoD 2019 File 2, ONS "
                              "population by single year of age, or a tidy area, indicator, value CSV).")
    areas, rows, missing = area_features.feature_table(chosen, stats.values, sorted(names))
    if classification:
        given = _classification_for_lsoas(ws, classification, areas)
        result = segments.classified_areas(areas, rows, chosen, given, classification, average)
    else:
        result = segments.segment_areas(areas, rows, chosen, k, seed, method, runs, average)
    notes = list(result.notes)
    if missing:
        notes.append(f"{len(missing)} LSOAs lack an indicator and are left out (e.g. {missing[0]}).")
    people = area_insight_store.area_statistics(ws, ["population"], result.areas)
    population = {a: v["population"] for a, v in people.values.items()}
    spend = _mapped_spend(ws, place_code if place_code != WHOLE_COUNTRY else None, year, drivers, notes)
    segment_of = result.segment_of()
    totals = {a: sum(d.values(), Decimal(0)) for a, d in (spend or {}).items()}
    money = {r["segment"]: r for r in segments.spend_by_segment(segment_of, totals, population)}
    profiles = [{**vars(p), "population": money[p.segment]["population"],
                 **({"amount": money[p.segment]["amount"], "per_head": money[p.segment]["per_head"]}
                    if spend is not None else {})} for p in result.profiles]
    title = f"Segments of {place_code} LSOAs: difference from the {average} average (sd)"
    return {
        "place": place_code, "level": "lsoa", "method": result.method, "k": result.k, "seed": result.seed,
        "areas": len(result.areas), "left_out": len(missing), "year": year if spend is not None else None,
        "indicators": [{"feature": f.name, "how": f.how, "sources": [
            {"indicator": s, "vintage": stats.vintages[s]} for s in f.sources]} for f in chosen],
        "stability": None if result.stability is None else {
            "seeds": result.stability.seeds, "adjusted_rand": [round(x, 4) for x in result.stability.adjusted_rand],
            "mean": round(result.stability.mean, 4), "min": round(result.stability.min, 4)},
        "segments": profiles,
        "assignments": [{"area": a, "name": names.get(a), "segment": s} for a, s in sorted(segment_of.items())],
        "notes": notes,
        "figure": _figure(insight_charts.segment_profile_chart(profiles, result.features, title)),
    }


def save_segments(ws: Workspace, result: dict[str, Any]) -> int:
    """Keep a run so area profiles show each area's segment."""
    names = {p["segment"]: p["name"] for p in result["segments"]}
    described = "; ".join(f"{i['feature']}=" + "+".join(f"{s['indicator']}@{s['vintage']}" for s in i["sources"])
                          for i in result["indicators"])
    return area_insight_store.save_segments(ws, SegmentRun(
        result["place"], result["level"], result["method"], result["k"], result["seed"], described,
        {a["area"]: (a["segment"], names[a["segment"]]) for a in result["assignments"]}))


def _level_of(area: str) -> str:
    return {"E00": "oa", "E01": "lsoa", "E02": "msoa"}.get(area[:3], "ward")


def _own_rows(ws: Workspace, place: str, level: str, notes: list[str]) -> tuple[list[Any], dict[str, str]]:
    """Rows of a place's output areas or MSOAs from the statistics imported for those areas themselves."""
    names = area_insight_store.place_areas(ws, area_insight_store.place_districts(ws, place), level)
    if not names:
        raise PlacespendError(f"No {LEVEL_NAMES[level]} of {place} in the workspace: import a lookup with "
                              f"{level.upper()}11CD and LAD codes (e.g. msoa_la.csv), or a {level.upper()} boundary "
                              "file whose features carry their district (LAD11CD).")
    stats = area_insight_store.area_statistics(ws, list(area_profiles.PROFILE_INDICATORS), list(names))
    notes.append(f"{LEVEL_NAMES[level].capitalize()} show the statistics imported for them; spend is mapped to "
                 "LSOAs and wards only.")
    return area_profiles.lsoa_profiles(names, stats.values, {}, None, level), stats.vintages


def profile_rows(ws: Workspace, place: str, level: str = "lsoa", year: str | None = None,
                 drivers: str = "population") -> dict[str, Any]:
    """One row per output area, LSOA, MSOA or ward of the place: the table behind profiles, exports and maps.

    Wards, and MSOAs where an LSOA -> MSOA lookup is imported, are built from their LSOAs; output areas, and
    MSOAs without that lookup, show the statistics imported at their own level.
    """
    if level not in LEVELS:
        raise PlacespendError(f"level must be one of {', '.join(LEVELS)}, not '{level}'.")
    notes: list[str] = []
    names = {} if level == "oa" else _lsoas(ws, place)
    parents = (area_insight_store.lsoa_wards(ws, sorted(names), None, "lsoa_msoa") if level == "msoa" else {})
    if level == "oa" or (level == "msoa" and not parents):
        rows, vintages = _own_rows(ws, place, level, notes)
        return {"place": place, "level": level, "year": None, "vintages": vintages, "segments": None,
                "rows": rows, "notes": notes}
    stats = area_insight_store.area_statistics(ws, list(area_profiles.PROFILE_INDICATORS), list(names))
    run = area_insight_store.latest_segments(ws, place)
    if run is None:
        notes.append(f"No segments stored for {place}: run `placespend insight segments --place {place}`.")
    spend = _mapped_spend(ws, place, year, drivers, notes)
    rows = area_profiles.lsoa_profiles(names, stats.values, run.segments if run else {}, spend)
    if level == "ward":
        wards = area_insight_store.lsoa_wards(ws, sorted(names), WARD_VINTAGE)
        if not wards:
            raise PlacespendError(f"No LSOA -> ward lookup of vintage {WARD_VINTAGE} is imported.")
        rows = area_profiles.ward_profiles(rows, wards, spend)
    elif level == "msoa":
        rows = area_profiles.ward_profiles(rows, parents, spend, "msoa")
    return {"place": place, "level": level, "year": year if spend is not None else None,
            "vintages": stats.vintages, "segments": None if run is None else {"method": run.method, "k": run.k,
                                                                               "seed": run.seed},
            "rows": rows, "notes": notes}


def area_profile(ws: Workspace, place: str, area: str, year: str | None = None,
                 drivers: str = "population") -> dict[str, Any]:
    """One area's profile with its rank among the place's areas of the same level."""
    level = _level_of(area)
    table = profile_rows(ws, place, level, year, drivers)
    row = next((r for r in table["rows"] if r["area"] == area), None)
    if row is None:
        raise unknown(f"area of {place}", area, [str(r["area"]) for r in table["rows"]])
    return {**{k: v for k, v in table.items() if k != "rows"}, "profile": row,
            "ranks": area_profiles.ranks(table["rows"], area), "peers": len(table["rows"])}


def area_map(ws: Workspace, place: str, column: str = "segment", level: str = "lsoa", year: str | None = None,
             drivers: str = "population") -> dict[str, Any]:
    """A choropleth of one profile column over the place's areas (boundaries imported as GeoJSON)."""
    return map_of(ws, profile_rows(ws, place, level, year, drivers), column)


def map_of(ws: Workspace, table: dict[str, Any], column: str) -> dict[str, Any]:
    """The choropleth of a `profile_rows` table: the page draws the map and lists the rows of one table."""
    place, level, rows = table["place"], table["level"], table["rows"]
    if rows and column not in rows[0]:
        raise PlacespendError(f"No column '{column}' in the {level} profiles; columns: {', '.join(rows[0])}.")
    shapes = area_figures_store.boundaries(ws, [str(r["area"]) for r in rows])
    notes = list(table["notes"])
    if len(shapes) < len(rows):
        notes.append(f"{len(rows) - len(shapes)} of {len(rows)} areas have no boundary imported and are not drawn.")
    figure = insight_charts.choropleth(rows, column, shapes, f"{place} {level}s: {column.replace('_', ' ')}")
    return {"place": place, "level": level, "column": column, "areas": len(rows), "drawn": len(shapes),
            "notes": notes, "figure": _figure(figure)}
