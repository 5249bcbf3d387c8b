"""Indicators of places and regions (population, households, deprivation...), at the nearest vintage.

A place's value is the sum over its member areas; a region's is the sum over the districts the
LAD -> region lookup puts in it, so numerator and denominator come from the same vintage and source.
Products such as `population*imd_average_score` (deprivation-weighted population) are formed per area
before summing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import ibis
import ibis.expr.types as ir
from ibis.backends.duckdb import Backend

from placespend.domain.problems import PlacespendError
from placespend.engine.places_store import scope_codes
from placespend.ingest.reference.regions import canonical_region, region_code


@dataclass(frozen=True)
class IndicatorValue:
    indicator: str
    value: Decimal
    period: str          # the vintage used
    areas: int           # how many areas contributed
    nearest: bool        # True when no vintage matched the requested year exactly


def start_year(period: str) -> int:
    return int(period[:4])


def available_periods(con: Backend, indicator: str) -> list[str]:
    stats = con.table("place_statistics")
    names = indicator.split("*")
    periods = None
    for name in names:
        found = set(stats.filter(stats.indicator == name).select("period").distinct().period.to_pyarrow().to_pylist())
        periods = found if periods is None else periods & found
    return sorted(periods or [])


def nearest_period(con: Backend, indicator: str, period: str) -> tuple[str, bool]:
    """The vintage closest to the year asked for (earlier wins a tie), and whether it is an exact match."""
    periods = available_periods(con, indicator)
    if not periods:
        raise PlacespendError(f"No '{indicator}' statistics in the workspace; import ONS data first "
                              "(placespend import FILE).")
    wanted = start_year(period)
    best = min(periods, key=lambda p: (abs(start_year(p) - wanted), start_year(p)))
    return best, start_year(best) != wanted


def indicator_for_areas(con: Backend, areas: list[str], indicator: str, period: str) -> IndicatorValue:
    vintage, nearest = nearest_period(con, indicator, period)
    stats = con.table("place_statistics")
    names = indicator.split("*")
    first = _values(stats, names[0], vintage, areas)
    for index, name in enumerate(names[1:], start=1):
        other = _values(stats, name, vintage, areas).rename({f"v{index}": "value", f"a{index}": "area"})
        first = first.join(other, first.area == other[f"a{index}"]).mutate(
            value=first.value * other[f"v{index}"]).select("area", "value")
    result = first.aggregate(total=first.value.sum(), n=first.area.nunique()).to_pyarrow().to_pylist()[0]
    return IndicatorValue(indicator, Decimal(result["total"] or 0), vintage, int(result["n"]), nearest)


def _values(stats: ir.Table, name: str, vintage: str, areas: list[str]) -> ir.Table:
    rows = stats.filter(stats.indicator == name, stats.period == vintage, stats.area.isin(areas))
    return rows.select("area", value=rows.value.cast("decimal(38, 6)"))


def place_areas(con: Backend, place: str) -> list[str]:
    """The ONS areas making up a place: its member areas, or the place itself when it is an area code."""
    codes = scope_codes(con, place)
    areas = [c for c in codes if c != place]
    return areas or [place]


def region_of(con: Backend, place: str) -> str:
    """The English region (canonical name) of a place: declared on the place, or found by the lookup."""
    places = con.table("places")
    declared = places.filter(places.place == place).region.to_pyarrow().to_pylist()
    if declared and declared[0]:
        name = canonical_region(declared[0])
        if name:
            return name
    lookups = con.table("area_lookups")
    parents = lookups.filter(lookups.relation == "lad_region", lookups.child.isin(place_areas(con, place)))
    found = sorted(set(parents.parent.to_pyarrow().to_pylist()))
    if len(found) == 1 and canonical_region(found[0]):
        return canonical_region(found[0])  # type: ignore[return-value]
    if len(found) > 1:
        raise PlacespendError(f"Place {place} spans several regions ({', '.join(found)}); give it one region.")
    raise PlacespendError(f"The region of {place} is unknown: give the place a region or import the LAD -> "
                          "region lookup.")


def region_areas(con: Backend, region: str) -> list[str]:
    """Districts in the region by the lookup; for England, every district of the nine regions."""
    lookups = con.table("area_lookups").filter(ibis._.relation == "lad_region")
    if region == "England":
        chosen = lookups.filter(lookups.parent.startswith("E12"))
    else:
        chosen = lookups.filter(lookups.parent == region_code(region))
    areas = sorted(set(chosen.child.to_pyarrow().to_pylist()))
    if not areas:
        raise PlacespendError(f"No districts found for region {region}; import the LAD -> region lookup.")
    return areas
