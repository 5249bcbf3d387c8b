"""A place's population back-cast (or carried forward) to a year the workspace has no ONS figure for, by its
region's own change.

Why: per-head figures of 2008-09 divided by the 2019 population understate spend per head wherever the
population has grown (London grew by about 14% in that decade). The ONS mid-year series for the figure's own
year is always preferred (`indicators.nearest_period` finds it when imported); where only another vintage x
exists, this offers, labelled as a back-cast wherever shown:

    population[P, Y] = population[P, x] * region[Y] / region[x]

- region[Y] is the Eurostat population on 1 January Y+1 of the place's NUTS 1 region (indicator
  ``population_1jan``, imported from demo_r_d2jan): 1 January Y+1 is the nearest date to mid-Y;
- region[x] is the sum of the region's districts at the ONS vintage x (the LAD -> region lookup), the same
  source as population[P, x], so P's *share* of its region is held at its vintage-x value, and only the region's
  total moves. (Eurostat does not reach every ONS vintage: the series ends on 1 January 2018.)

Nothing is back-cast for a place spanning several regions, or when the region's year is not in the workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from placespend.domain.ledger import Ledger
from placespend.domain.problems import PlacespendError
from placespend.domain.regions import canonical_region
from placespend.estimate.indicators import (
    IndicatorValue,
    indicator_for_areas,
    lad_regions,
    region_areas,
    start_year,
)

REGION_SERIES = "population_1jan"
METHOD = "back-cast by the region's own change: place at the ONS vintage x region's population in the year / " \
         "region's population at the vintage"


@dataclass(frozen=True)
class Backcast:
    period: str              # the year the population is for
    population: Decimal      # whole people
    vintage: str             # the ONS vintage it starts from
    vintage_population: Decimal
    region: str              # GSS code of the region
    region_in_year: Decimal  # Eurostat 1 January Y+1
    region_date: str         # that date, e.g. 2009-01-01
    region_at_vintage: Decimal  # the region's districts at the vintage

    def to_dict(self) -> dict[str, Any]:
        return {"label": f"back-cast to {self.period} from ONS {self.vintage}", "period": self.period,
                "population": self.population, "vintage": self.vintage,
                "vintage_population": self.vintage_population, "region": self.region,
                "region_population_in_year": self.region_in_year, "region_date": self.region_date,
                "region_population_at_vintage": self.region_at_vintage, "method": METHOD}


def backcast_population(ledger: Ledger, areas: list[str], period: str, known: IndicatorValue) -> Backcast | None:
    """The back-cast of the areas' population to the period from `known` (their ONS population at its
    vintage), or None when the vintage is the period's own or the region's figures are missing."""
    if not known.nearest or not known.value:
        return None
    mine = set(areas)
    regions = {parent for child, parent in lad_regions(ledger) if child in mine and parent}
    if len(regions) != 1:
        return None
    region = regions.pop()
    date = f"{start_year(period) + 1}"
    stats = ledger.table("place_statistics")
    found = stats.filter(stats.area == region, stats.indicator == REGION_SERIES, stats.period == date)
    values = found.value.to_pyarrow().to_pylist()
    if not values:
        return None
    try:
        areas = region_areas(ledger, canonical_region(region) or region)
        at_vintage = indicator_for_areas(ledger, areas, known.indicator, known.period)
    except PlacespendError:
        return None
    if not at_vintage.value or at_vintage.period != known.period:
        return None
    in_year = Decimal(values[0])
    people = (known.value * in_year / at_vintage.value).quantize(Decimal(1))
    return Backcast(period, people, known.period, known.value, region, in_year, f"{date}-01-01", at_vintage.value)
