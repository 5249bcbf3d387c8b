"""The centre-out estimate (DESIGN.md §5): regional spending allocated to a place by declared criteria.

share[P, f] = sum_i w_i * indicator_i[P] / indicator_i[region of P];  estimate[P, f] = R[region, f] * share.
Each function's estimate is rounded to the penny and the total is the sum of the rounded functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

import ibis.expr.types as ir

from placespend.domain import classifications as cls
from placespend.domain.criteria import CriteriaSet
from placespend.domain.ledger import Ledger
from placespend.domain.problems import PlacespendError
from placespend.estimate.indicators import (
    AREAS,
    IndicatorValue,
    describe_source,
    indicator_for_areas,
    place_areas,
    region_areas,
    region_indicator,
    region_of,
)

PENNY = Decimal("0.01")
IndicatorPair = tuple[IndicatorValue, IndicatorValue]  # the place's value and its region's


@dataclass
class FunctionEstimate:
    cofog: str
    regional: Decimal
    share: Decimal
    estimate: Decimal
    criteria: list[dict[str, object]]


@dataclass
class Estimate:
    place: str
    period: str
    region: str
    vintage: str
    criteria: str
    total: Decimal
    by_cofog: dict[str, Decimal]
    functions: list[FunctionEstimate]
    indicators: dict[str, dict[str, object]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class Sources(Protocol):
    """Where an estimate's inputs come from: queries for one place, or figures read for all places at once.

    `build_estimate` asks for them in a fixed order and lets their errors through, so one place and all
    places refuse with the same message at the same step."""

    def region_of(self, place: str) -> str: ...

    def spend_in(self, region: str) -> dict[str, Decimal]: ...

    def areas_of(self, place: str) -> list[str]: ...

    def districts_of(self, region: str) -> list[str]: ...

    def indicator(self, name: str, place: str, areas: list[str], region: str) -> IndicatorPair:
        """The place's value and the region's: its own statistics row where there is one, else its districts."""


def regional_vintages(ledger: Ledger, period: str) -> list[str]:
    """Vintages holding identifiable regional spend for the period, most recently imported first."""
    spend = ledger.table("regional_spend")
    rows = spend.filter(spend.period == period).group_by("vintage").agg(last=spend.import_id.max())
    return [r["vintage"] for r in sorted(rows.to_pyarrow().to_pylist(), key=lambda r: -r["last"])]


def chosen_vintage(ledger: Ledger, period: str, vintage: str | None) -> tuple[str, list[str]]:
    """The vintage to use (the one asked for, or the latest) and all those available, or why there is none."""
    vintages = regional_vintages(ledger, period)
    if not vintages:
        raise PlacespendError(f"No regional spending for {period} in the workspace; import PESA or CRA data.")
    vintage = vintage or vintages[0]
    if vintage not in vintages:
        raise PlacespendError(f"Vintage {vintage} has no figures for {period}; available: {', '.join(vintages)}.")
    return vintage, vintages


def identifiable_spend(ledger: Ledger, period: str, vintage: str) -> ir.Table:
    """R's rows for every region: identifiable spend of the vintage, all sectors, capital and current."""
    spend = ledger.table("regional_spend")
    return spend.filter(spend.period == period, spend.vintage == vintage, spend.identifiable.fill_null(True))


def regional_spend(ledger: Ledger, region: str, period: str, vintage: str) -> dict[str, Decimal]:
    """R[region, f] for every COFOG division: identifiable spend in the region, all sectors, capital and current."""
    rows = identifiable_spend(ledger, period, vintage)
    rows = rows.filter(rows.region == region)
    by = rows.group_by("cofog").agg(amount=rows.amount.sum()).to_pyarrow().to_pylist()
    return {r["cofog"]: r["amount"] for r in by}


class PlaceQueries:
    """The inputs of one place's estimate, each read by its own small query."""

    def __init__(self, ledger: Ledger, period: str, vintage: str) -> None:
        self.ledger, self.period, self.vintage = ledger, period, vintage

    def region_of(self, place: str) -> str:
        return region_of(self.ledger, place)

    def spend_in(self, region: str) -> dict[str, Decimal]:
        return regional_spend(self.ledger, region, self.period, self.vintage)

    def areas_of(self, place: str) -> list[str]:
        return place_areas(self.ledger, place)

    def districts_of(self, region: str) -> list[str]:
        return region_areas(self.ledger, region)

    def indicator(self, name: str, place: str, areas: list[str], region: str) -> IndicatorPair:
        return (indicator_for_areas(self.ledger, areas, name, self.period),
                region_indicator(self.ledger, region, name, self.period))


def estimate_place(ledger: Ledger, place: str, period: str, criteria: CriteriaSet,
                   vintage: str | None = None) -> Estimate:
    vintage, vintages = chosen_vintage(ledger, period, vintage)
    return build_estimate(PlaceQueries(ledger, period, vintage), place, period, criteria, vintage, vintages)


def build_estimate(sources: Sources, place: str, period: str, criteria: CriteriaSet, vintage: str,
                   vintages: list[str]) -> Estimate:
    """DESIGN.md §5 for one place from its inputs: the single definition behind both the one-place and the
    all-places estimate, so that they agree to the penny and in every note and refusal."""
    region = sources.region_of(place)
    regional = sources.spend_in(region)
    if not regional:
        raise PlacespendError(f"{vintage} has no identifiable spending for {region} in {period}.")
    areas = sources.areas_of(place)
    cache: dict[str, IndicatorPair] = {}

    def ratio(indicator: str) -> Decimal:
        if indicator not in cache:
            cache[indicator] = sources.indicator(indicator, place, areas, region)
        mine, theirs = cache[indicator]
        if not theirs.value:
            raise PlacespendError(f"'{indicator}' is zero or missing for {region}.")
        if not mine.areas:  # a share of 0 would be an estimate of GBP 0, not a refusal
            raise PlacespendError(f"No '{indicator}' figures for {place} (areas {', '.join(areas[:5])}"
                                  f"{'...' if len(areas) > 5 else ''}); import them (placespend import FILE).")
        return mine.value / theirs.value

    functions = []
    for division in sorted(cls.cofog_divisions()):
        amount = regional.get(division, Decimal("0.00"))
        parts = [{"indicator": c.indicator, "weight": c.weight, "ratio": ratio(c.indicator)}
                 for c in criteria.for_division(division)]
        share = sum((p["weight"] * p["ratio"] for p in parts), Decimal(0))  # type: ignore[operator]
        functions.append(FunctionEstimate(division, amount, share,
                                          (amount * share).quantize(PENNY, rounding=ROUND_HALF_UP), parts))
    by_cofog = {f.cofog: f.estimate for f in functions}
    indicators = {name: {"place": mine.value, "region": theirs.value, "vintage": mine.period,
                         "nearest": mine.nearest, "place_areas": mine.areas, "region_areas": theirs.areas,
                         "region_source": theirs.source, "region_from": describe_source(theirs, region)}
                  for name, (mine, theirs) in cache.items()}
    notes = [f"{name}: no {period[:4]} figures, the nearest vintage {info['vintage']} was used"
             for name, info in indicators.items() if info["nearest"]]
    notes += [f"{name} of {region}: from {info['region_from']}" for name, info in indicators.items()]
    notes += [f"{name}: figures for {info['place_areas']} of the {len(areas)} areas of {place} only; the others "
              "count as 0" for name, info in indicators.items() if info["place_areas"] < len(areas)]
    if len(vintages) > 1:
        notes.append(f"regional spend from {vintage}; also available: {', '.join(v for v in vintages if v != vintage)}")
    by_lookup = any(theirs.source == AREAS for _, theirs in cache.values())
    in_region = set(sources.districts_of(region)) if by_lookup else set()
    missing = [a for a in areas if a not in in_region] if by_lookup else []
    if missing:
        notes.append(f"areas not found in {region} by the lookup: {', '.join(missing)}")
    return Estimate(place, period, region, vintage, criteria.name, sum(by_cofog.values(), Decimal("0.00")),
                    by_cofog, functions, indicators, notes)
