"""The centre-out estimate (DESIGN.md §5) for every place at once: a handful of grouped queries, not ~9 per place.

A national run has hundreds of places; `estimate_place` asks each its region, its areas, its region's spend
and every indicator of the place and of its region, one small query at a time. Here each input is read once
for all places (places' regions and areas, the LAD -> region lookup, every region's spend, and each indicator
summed per place and per region by one grouped query), then the very same `build_estimate` runs on those
figures. The Decimal arithmetic is therefore that of `estimate_place`, and so are the notes and the errors:
a place that cannot be estimated gets the `PlacespendError` that `estimate_place` would raise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import partial
from typing import TypeVar

from placespend.domain.criteria import CriteriaSet
from placespend.domain.ledger import Ledger
from placespend.domain.problems import PlacespendError
from placespend.estimate.centre_out import (
    Estimate,
    IndicatorPair,
    build_estimate,
    chosen_vintage,
    identifiable_spend,
)
from placespend.estimate.indicators import (
    IndicatorValue,
    all_place_areas,
    areas_in_region,
    choose_region,
    indicator_for_groups,
    lad_regions,
    no_region_figures,
    region_rows,
)

T = TypeVar("T")
Indicators = tuple[dict[str, IndicatorValue], dict[str, IndicatorValue]]  # by place, by region


def estimate_all_places(ledger: Ledger, period: str, criteria: CriteriaSet, vintage: str | None = None,
                        places: Iterable[str] | None = None) -> dict[str, Estimate | PlacespendError]:
    """Every place's estimate, or the error `estimate_place` raises for it; `places` defaults to every place
    in the workspace and may hold bare area codes, as `estimate_place` accepts them."""
    return AllPlaces(ledger, period, vintage, places).estimates(criteria)


class AllPlaces:
    """The inputs of every place's estimate, read once; `estimates` may be called for several criteria sets
    (compare's A and its range), which then share the indicators they have in common."""

    def __init__(self, ledger: Ledger, period: str, vintage: str | None = None,
                 places: Iterable[str] | None = None) -> None:
        self.ledger, self.period = ledger, period
        self.areas = all_place_areas(ledger, places)
        self.problem: PlacespendError | None = None
        try:
            self.vintage, self.vintages = chosen_vintage(ledger, period, vintage)
        except PlacespendError as exc:  # no place can be estimated: every one says why
            self.problem = exc
            return
        lookup = lad_regions(ledger)
        parents: dict[str, set[str]] = defaultdict(set)
        for child, parent in lookup:
            parents[child].add(parent)
        declared = _declared_regions(ledger)
        self.regions: dict[str, str | PlacespendError] = {}
        for place, areas in self.areas.items():
            of_areas = [parent for area in areas for parent in parents.get(area, ())]
            self.regions[place] = _attempt(partial(choose_region, place, declared.get(place), lambda a=of_areas: a))
        self.spend = _spend_by_region(ledger, period, self.vintage)
        known = sorted({region for region in self.regions.values() if isinstance(region, str)})
        self.districts = {region: _attempt(partial(areas_in_region, region, lookup)) for region in known}
        self._indicators: dict[str, Indicators | PlacespendError] = {}

    def estimates(self, criteria: CriteriaSet) -> dict[str, Estimate | PlacespendError]:
        results: dict[str, Estimate | PlacespendError] = {}
        for place in self.areas:
            if self.problem is not None:
                results[place] = self.problem
                continue
            try:
                results[place] = build_estimate(self, place, self.period, criteria, self.vintage, self.vintages)
            except PlacespendError as exc:
                results[place] = exc
        return results

    # The `Sources` of `build_estimate`: figures already read, or the error reading them gave.

    def region_of(self, place: str) -> str:
        return _unwrap(self.regions[place])

    def spend_in(self, region: str) -> dict[str, Decimal]:
        return self.spend.get(region, {})

    def areas_of(self, place: str) -> list[str]:
        return self.areas[place]

    def districts_of(self, region: str) -> list[str]:
        return _unwrap(self.districts[region])

    def indicator(self, name: str, place: str, areas: list[str], region: str) -> IndicatorPair:
        if name not in self._indicators:
            self._indicators[name] = _attempt(lambda: self._read_indicator(name))
        by_place, by_region = _unwrap(self._indicators[name])
        if region not in by_region:
            raise no_region_figures(region, name)
        return by_place[place], by_region[region]

    def _read_indicator(self, name: str) -> Indicators:
        """Two queries: the indicator of every place and of every region with districts (grouped), and the
        regions' own rows, which win over their districts' sum as in `region_indicator`."""
        groups: dict[tuple[str, str], list[str]] = {("place", p): a for p, a in self.areas.items()}
        groups.update({("region", r): d for r, d in self.districts.items() if isinstance(d, list)})
        values = indicator_for_groups(self.ledger, groups, name, self.period)
        by_place = {key: v for (kind, key), v in values.items() if kind == "place"}
        by_region = {key: v for (kind, key), v in values.items() if kind == "region"}
        by_region.update(region_rows(self.ledger, name, self.period, self.districts))
        return by_place, by_region


def _declared_regions(ledger: Ledger) -> dict[str, str | None]:
    places = ledger.table("places")
    return {r["place"]: r["region"] for r in places.select("place", "region").to_pyarrow().to_pylist()}


def _spend_by_region(ledger: Ledger, period: str, vintage: str) -> dict[str, dict[str, Decimal]]:
    """`regional_spend` of every region, from one grouped query."""
    rows = identifiable_spend(ledger, period, vintage)
    by = rows.group_by(["region", "cofog"]).agg(amount=rows.amount.sum()).to_pyarrow().to_pylist()
    spend: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for row in by:
        spend[row["region"]][row["cofog"]] = row["amount"]
    return dict(spend)


def _attempt(compute: Callable[[], T]) -> T | PlacespendError:
    """The value, or the refusal to be raised again for each place that needs it."""
    try:
        return compute()
    except PlacespendError as exc:
        return exc


def _unwrap(value: T | PlacespendError) -> T:
    if isinstance(value, PlacespendError):
        raise PlacespendError(*value.args)
    return value
