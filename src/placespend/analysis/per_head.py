"""Spend per head and need-adjusted spend per head, benchmarked across places.

Seed 000 footnote 14: "comparisons of spend using raw per capita figures alone can be misleading. For
example, the raw data on health per capita for two areas (e.g. Lewisham and Durham) look almost identical
but after adjustments to reflect the differential in health-related deprivation indicators between these
two places the revised per capita spend on health looks quite different." So both are shown, side by side.

- per head = counted spend (all, or one COFOG division) / population, at the nearest vintage (named beside
  each place's figure); where that is not the spend's own year, a back-cast population by the region's own
  change (`estimate.backcast`) gives a second, labelled per-head figure;
- need index = the place's need per head relative to the reference's: (N_P / pop_P) / (N_ref / pop_ref),
  i.e. its share of the need indicator N over its share of the population. N is any indicator or product
  in the workspace, e.g. ``population*imd_average_score`` (deprivation-weighted population) or
  ``population_age_weighted_health``. The reference is the places compared (``group``, default) or England
  (``england``: every district of the LAD -> region lookup). Need per head uses the population of the
  need's own vintage (IMD 2010 over 2010 heads), per head the population nearest the spend's year;
- need-adjusted per head = per head / need index: what the place spends per unit of need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from placespend.analysis.benchmark import RULE as OUTLIER_RULE
from placespend.analysis.benchmark import Benchmark, benchmark
from placespend.analysis.shares import ZERO, money
from placespend.count.consolidate import counted_lines
from placespend.domain.ledger import Ledger
from placespend.domain.problems import PlacespendError
from placespend.estimate.backcast import Backcast, backcast_population
from placespend.estimate.indicators import (
    IndicatorValue,
    available_periods,
    indicator_for_areas,
    place_areas,
    region_areas,
)

POPULATION = "population"
DEFAULT_NEED = "population*imd_average_score"
REFERENCES = ("group", "england")
INDEX_PLACES = Decimal("0.0001")


@dataclass
class PlacePerHead:
    place: str
    name: str | None
    spend: Decimal
    population: IndicatorValue
    need: IndicatorValue | None = None
    need_index: Decimal | None = None
    flags: dict[str, str | None] = field(default_factory=dict)
    z: dict[str, Decimal | None] = field(default_factory=dict)
    backcast: Backcast | None = None

    @property
    def per_head(self) -> Decimal | None:
        return self.spend / self.population.value if self.population.value else None

    @property
    def backcast_per_head(self) -> Decimal | None:
        return self.spend / self.backcast.population if self.backcast and self.backcast.population else None

    @property
    def need_adjusted(self) -> Decimal | None:
        per_head = self.per_head
        return per_head / self.need_index if per_head is not None and self.need_index else None

    def to_dict(self) -> dict[str, Any]:
        def rounded(value: Decimal | None) -> Decimal | None:
            return money(value) if value is not None else None

        return {"place": self.place, "name": self.name, "spend": money(self.spend),
                "population": self.population.value, "population_areas": self.population.areas,
                "population_vintage": self.population.period,
                "population_nearest_vintage": self.population.nearest,
                "per_head": rounded(self.per_head),
                "backcast": ({**self.backcast.to_dict(), "per_head": rounded(self.backcast_per_head)}
                             if self.backcast else None),
                "need_value": self.need.value if self.need else None,
                "need_index": self.need_index.quantize(INDEX_PLACES) if self.need_index is not None else None,
                "need_adjusted_per_head": rounded(self.need_adjusted), "flags": self.flags,
                "z": {k: (v.quantize(Decimal("0.01")) if v is not None else None) for k, v in self.z.items()}}


@dataclass
class PerHeadReport:
    period: str
    division: str | None
    population_indicator: str
    population_vintage: str
    population_nearest: bool
    need_indicator: str | None
    need_vintage: str | None
    need_nearest: bool | None
    need_reference: str
    places: list[PlacePerHead]
    benchmarks: dict[str, Benchmark | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period, "cofog_division": self.division,
            "population_indicator": self.population_indicator, "population_vintage": self.population_vintage,
            "population_nearest_vintage": self.population_nearest,
            "need_index": {"indicator": self.need_indicator, "vintage": self.need_vintage,
                           "nearest_vintage": self.need_nearest, "reference": self.need_reference,
                           "formula": "(need / population of the place) / (need / population of the reference)"},
            "outlier_rule": OUTLIER_RULE,
            "benchmarks": {k: (b.to_dict() if b else None) for k, b in self.benchmarks.items()},
            "places": [place.to_dict() for place in self.places], "notes": self.notes,
        }


def per_head(ledger: Ledger, places: list[str], period: str, division: str | None = None,
             need_indicator: str | None = DEFAULT_NEED, reference: str = "group",
             population_indicator: str = POPULATION) -> PerHeadReport:
    """Per-head and need-adjusted per-head spend of each place, with quartiles and outlier flags."""
    if not places:
        raise PlacespendError("Name at least one place.")
    if reference not in REFERENCES:
        raise PlacespendError(f"need reference must be one of {', '.join(REFERENCES)}, not '{reference}'.")
    names = _place_names(ledger)
    rows = [PlacePerHead(p, names.get(p), _spend(ledger, p, period, division),
                         indicator_for_areas(ledger, place_areas(ledger, p), population_indicator, period))
            for p in places]
    for row in rows:
        row.backcast = backcast_population(ledger, place_areas(ledger, row.place), period, row.population)
    notes = [f"{row.place}: no {population_indicator} for its areas at {row.population.period}; no per-head figure."
             for row in rows if not row.population.value]
    notes += [f"{row.place}: no {population_indicator} of {period} in the workspace; per head uses ONS "
              f"{row.population.period}" + (f", and a back-cast to {period} by the region's change is offered."
                                            if row.backcast else " (import that year's ONS mid-year population, "
                                            "or the Eurostat NUTS 1 series and the LAD -> region lookup for a "
                                            "back-cast).")
              for row in rows if row.population.value and row.population.nearest]
    report = PerHeadReport(period, division, population_indicator, rows[0].population.period if rows else "",
                           bool(rows and rows[0].population.nearest), None, None, None, reference, rows,
                           notes=notes)
    if need_indicator:
        _adjust_for_need(ledger, report, need_indicator, reference)
    _benchmark(report)
    return report


def _adjust_for_need(ledger: Ledger, report: PerHeadReport, indicator: str, reference: str) -> None:
    """Set each place's need index; a need indicator absent from the workspace is a note, not a crash.

    Need per head divides the need indicator by the population *of the need's vintage*, so that a need
    measured in 2010 is not set against heads counted in 2008.
    """
    if not available_periods(ledger, indicator):
        report.notes.append(f"No '{indicator}' statistics in the workspace: need adjustment skipped.")
        return
    people = report.population_indicator
    rates: dict[str, tuple[Decimal, Decimal]] = {}
    for row in report.places:
        areas = place_areas(ledger, row.place)
        row.need = indicator_for_areas(ledger, areas, indicator, report.period)
        heads = indicator_for_areas(ledger, areas, people, row.need.period).value
        if row.need.value and heads:
            rates[row.place] = (row.need.value, heads)
    if reference == "group":
        need = sum((n for n, _ in rates.values()), ZERO)
        heads = sum((h for _, h in rates.values()), ZERO)
    else:
        areas = region_areas(ledger, "England")
        england = indicator_for_areas(ledger, areas, indicator, report.period)
        need, heads = england.value, indicator_for_areas(ledger, areas, people, england.period).value
    first = report.places[0].need
    report.need_indicator, report.need_vintage = indicator, first.period if first else None
    report.need_nearest = first.nearest if first else None
    if not need or not heads:
        report.notes.append(f"The reference has no '{indicator}' or '{people}': need adjustment skipped.")
        return
    for row in report.places:
        if row.place in rates:
            place_need, place_heads = rates[row.place]
            row.need_index = (place_need / place_heads) / (need / heads)
        else:
            report.notes.append(f"{row.place}: no '{indicator}' or '{people}' for its areas; not need-adjusted.")


def _benchmark(report: PerHeadReport) -> None:
    for measure in ("per_head", "need_adjusted_per_head"):
        attr = "per_head" if measure == "per_head" else "need_adjusted"
        values = {row.place: getattr(row, attr) for row in report.places if getattr(row, attr) is not None}
        summary = benchmark(list(values.values()))
        report.benchmarks[measure] = summary
        for row in report.places:
            value = values.get(row.place)
            row.flags[measure] = summary.flag(value) if summary and value is not None else None
            row.z[measure] = summary.z(value) if summary and value is not None else None


def _spend(ledger: Ledger, place: str, period: str, division: str | None) -> Decimal:
    lines = counted_lines(ledger, place, period)
    if division:
        lines = lines.filter(lines.cofog_division == division)
    amount = lines.counted_amount.sum().to_pyarrow().as_py()
    return amount if amount is not None else ZERO


def _place_names(ledger: Ledger) -> dict[str, str]:
    rows = ledger.table("places").select("place", "name").to_pyarrow().to_pylist()
    return {row["place"]: row["name"] for row in rows}
