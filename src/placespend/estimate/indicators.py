"""Indicators of places and regions (population, households, deprivation...), at the nearest vintage.

A place's value is the sum over its member areas. A region's is the region's own statistics row (its GSS
code, e.g. E12000007) where the workspace has one at the vintage used, and otherwise the sum over the
districts the LAD -> region lookup puts in it: the canonical CSVs of DESIGN.md §6 carry the region's rows,
so an estimate needs no lookup. Either way numerator and denominator come from the same vintage, and the
value says which source it came from. Products such as `population*imd_average_score` (deprivation-weighted
population) are formed per area before summing, so a region's product always comes from its districts: the
product of the region's own averages is not the sum of its districts' products.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from placespend.domain.ledger import Ledger, scope_codes
from placespend.domain.problems import PlacespendError
from placespend.domain.regions import canonical_region, region_code

K = TypeVar("K", bound=Hashable)
AREAS = "areas"
REGION_ROW = "region_row"


@dataclass(frozen=True)
class IndicatorValue:
    indicator: str
    value: Decimal
    period: str          # the vintage used
    areas: int           # how many areas contributed
    nearest: bool        # True when no vintage matched the requested year exactly
    source: str = AREAS  # AREAS (summed over areas) or REGION_ROW (the region's own statistics row)


def describe_source(value: IndicatorValue, region: str) -> str:
    """How a region's indicator was obtained, in the words the estimate prints."""
    if value.source == REGION_ROW:
        return f"the region's own statistics row ({region_code(region)})"
    return f"the sum of {value.areas} districts in {region} by the LAD -> region lookup"


def start_year(period: str) -> int:
    return int(period[:4])


def available_periods(ledger: Ledger, indicator: str) -> list[str]:
    stats = ledger.table("place_statistics")
    names = indicator.split("*")
    periods = None
    for name in names:
        found = set(stats.filter(stats.indicator == name).select("period").distinct().period.to_pyarrow().to_pylist())
        periods = found if periods is None else periods & found
    return sorted(periods or [])


def nearest_period(ledger: Ledger, indicator: str, period: str) -> tuple[str, bool]:
    """The vintage closest to the year asked for (earlier wins a tie), and whether it is an exact match."""
    periods = available_periods(ledger, indicator)
    if not periods:
        raise PlacespendError(f"No '{indicator}' statistics in the workspace; import ONS data first "
                              "(placespend import FILE).")
    wanted = start_year(period)
    best = min(periods, key=lambda p: (abs(start_year(p) - wanted), start_year(p)))
    return best, start_year(best) != wanted


def indicator_for_areas(ledger: Ledger, areas: list[str], indicator: str, period: str) -> IndicatorValue:
    vintage, nearest = nearest_period(ledger, indicator, period)
    values = area_values(ledger, indicator, vintage, areas)
    result = values.aggregate(total=values.value.sum(), n=values.area.nunique()).to_pyarrow().to_pylist()[0]
    return _indicator_value(indicator, vintage, nearest, result)


def indicator_for_groups(ledger: Ledger, groups: Mapping[K, list[str]], indicator: str,
                         period: str) -> dict[K, IndicatorValue]:
    """`indicator_for_areas` for many groups of areas (places, regions) in one grouped query.

    Each area's value is formed once and summed per group in SQL, with the same types as for one group, so
    every group's value is the one `indicator_for_areas` gives for its areas (a group with no figures is 0).
    """
    vintage, nearest = nearest_period(ledger, indicator, period)
    keys = list(groups)
    if not keys:
        return {}
    members = ibis.memtable(pa.table({"group_id": pa.array([i for i, key in enumerate(keys) for _ in groups[key]],
                                                           pa.int64()),
                                      "member": pa.array([area for key in keys for area in groups[key]],
                                                         pa.string())}))
    values = area_values(ledger, indicator, vintage)
    joined = values.join(members, values.area == members.member)
    rows = joined.group_by("group_id").aggregate(total=joined.value.sum(), n=joined.area.nunique())
    found = {int(r["group_id"]): r for r in rows.to_pyarrow().to_pylist()}
    return {key: _indicator_value(indicator, vintage, nearest, found.get(i, {"total": None, "n": 0}))
            for i, key in enumerate(keys)}


def indicator_all_places(ledger: Ledger, indicator: str, period: str) -> dict[str, IndicatorValue]:
    """The indicator (e.g. population) of every place in the workspace, each as `indicator_for_areas` of its
    `place_areas` gives it, for pages that list all places without a query per place."""
    return indicator_for_groups(ledger, all_place_areas(ledger), indicator, period)


def area_values(ledger: Ledger, indicator: str, vintage: str, areas: list[str] | None = None) -> ir.Table:
    """(area, value) rows of the indicator at the vintage, for the given areas or all of them.

    Products are formed per area before any sum, which is what makes a deprivation-weighted population differ
    from population times average deprivation."""
    stats = ledger.table("place_statistics")
    names = indicator.split("*")
    first = _values(stats, names[0], vintage, areas)
    for index, name in enumerate(names[1:], start=1):
        other = _values(stats, name, vintage, areas).rename({f"v{index}": "value", f"a{index}": "area"})
        first = first.join(other, first.area == other[f"a{index}"]).mutate(
            value=first.value * other[f"v{index}"]).select("area", "value")
    return first


def _indicator_value(indicator: str, vintage: str, nearest: bool, result: Mapping[str, object]) -> IndicatorValue:
    return IndicatorValue(indicator, Decimal(result["total"] or 0), vintage, int(result["n"]), nearest)  # type: ignore[arg-type, call-overload]


def region_rows(ledger: Ledger, indicator: str, period: str, regions: Iterable[str]) -> dict[str, IndicatorValue]:
    """The regions (canonical names) that have their own statistics row for the indicator at the vintage used,
    with its value; one query for all regions. A product indicator has none (see the module's docstring)."""
    if "*" in indicator:
        return {}
    vintage, nearest = nearest_period(ledger, indicator, period)
    codes = {region_code(region): region for region in regions if region_code(region)}
    if not codes:
        return {}
    rows = area_values(ledger, indicator, vintage, sorted(codes)).to_pyarrow().to_pylist()
    return {codes[r["area"]]: IndicatorValue(indicator, Decimal(r["value"]), vintage, 1, nearest, REGION_ROW)
            for r in rows}


def region_indicator(ledger: Ledger, region: str, indicator: str, period: str) -> IndicatorValue:
    """A region's indicator: its own statistics row where there is one, else the sum of its districts."""
    own = region_rows(ledger, indicator, period, [region])
    if region in own:
        return own[region]
    return indicator_for_areas(ledger, region_areas(ledger, region, indicator), indicator, period)


def _values(stats: ir.Table, name: str, vintage: str, areas: list[str] | None) -> ir.Table:
    rows = stats.filter(stats.indicator == name, stats.period == vintage)
    if areas is not None:
        rows = rows.filter(rows.area.isin(areas))
    return rows.select("area", value=rows.value.cast("decimal(38, 6)"))


def place_areas(ledger: Ledger, place: str) -> list[str]:
    """The ONS areas making up a place: its member areas, or the place itself when it is an area code."""
    return areas_of(place, scope_codes(ledger, place))


def all_place_areas(ledger: Ledger, places: Iterable[str] | None = None) -> dict[str, list[str]]:
    """`place_areas` of every place in the workspace (or of the places given, which may be bare area codes),
    from one read of the membership table."""
    members: dict[str, set[str]] = defaultdict(set)
    for row in ledger.table("place_areas").to_pyarrow().to_pylist():
        members[row["place"]].add(row["area"])
    chosen = sorted(ledger.table("places").place.to_pyarrow().to_pylist()) if places is None else places
    return {place: areas_of(place, sorted({place, *members.get(place, ())})) for place in chosen}


def areas_of(place: str, codes: list[str]) -> list[str]:
    """A place's areas from its scope codes: a place with no member areas is itself an area."""
    areas = [c for c in codes if c != place]
    return areas or [place]


def region_of(ledger: Ledger, place: str) -> str:
    """The English region (canonical name) of a place: declared on the place, or found by the lookup."""
    places = ledger.table("places")
    declared = places.filter(places.place == place).region.to_pyarrow().to_pylist()

    def parents() -> list[str]:
        lookups = ledger.table("area_lookups")
        found = lookups.filter(lookups.relation == "lad_region", lookups.child.isin(place_areas(ledger, place)))
        return found.parent.to_pyarrow().to_pylist()

    return choose_region(place, declared[0] if declared else None, parents)


def choose_region(place: str, declared: str | None, parents: Callable[[], Iterable[str]]) -> str:
    """The declared region if it is one, else the one region the lookup gives the place's areas (`parents`,
    asked only when needed): shared by `region_of` and the all-places estimate so both decide, and refuse,
    alike."""
    name = canonical_region(declared) if declared else None
    if name:
        return name
    found = sorted(set(parents()))
    if len(found) == 1 and canonical_region(found[0]):
        return canonical_region(found[0])  # type: ignore[return-value]
    if len(found) > 1:
        raise PlacespendError(f"Place {place} spans several regions ({', '.join(found)}); give it one region.")
    raise PlacespendError(f"The region of {place} is unknown: give the place a region or import the LAD -> "
                          "region lookup.")


def lad_regions(ledger: Ledger) -> list[tuple[str, str]]:
    """(district, region code) pairs of the LAD -> region lookup: small, so read whole and filtered in Python."""
    lookups = ledger.table("area_lookups")
    rows = lookups.filter(lookups.relation == "lad_region").select("child", "parent").to_pyarrow().to_pylist()
    return [(r["child"], r["parent"]) for r in rows]


def region_areas(ledger: Ledger, region: str, indicator: str | None = None) -> list[str]:
    """Districts in the region by the lookup; for England, every district of the nine regions."""
    return areas_in_region(region, lad_regions(ledger), indicator)


def areas_in_region(region: str, lookup: Iterable[tuple[str, str]], indicator: str | None = None) -> list[str]:
    """`region_areas` from the lookup pairs, so that many regions are served by one read of the lookup."""
    if region == "England":
        chosen = {child for child, parent in lookup if parent is not None and parent.startswith("E12")}
    else:
        code = region_code(region)
        chosen = {child for child, parent in lookup if parent == code}  # None == None, as ibis compares
    areas = sorted(chosen)
    if not areas:
        raise no_region_figures(region, indicator)
    return areas


def no_region_figures(region: str, indicator: str | None = None) -> PlacespendError:
    """The refusal when a region has neither its own row of the indicator nor districts to sum."""
    if indicator is None:
        return PlacespendError(f"No districts found for region {region}; import the LAD -> region lookup.")
    code = region_code(region)
    return PlacespendError(f"No '{indicator}' row for region {region} ({code}) and no districts found for it; "
                           f"import place statistics with the region's own row (area {code}) or the LAD -> "
                           "region lookup.")
