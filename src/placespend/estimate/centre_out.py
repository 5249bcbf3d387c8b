"""The centre-out estimate (DESIGN.md §5): regional spending allocated to a place by declared criteria.

share[P, f] = sum_i w_i * indicator_i[P] / indicator_i[region of P];  estimate[P, f] = R[region, f] * share.
Each function's estimate is rounded to the penny and the total is the sum of the rounded functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ibis.backends.duckdb import Backend

from placespend.domain import classifications as cls
from placespend.domain.criteria import CriteriaSet
from placespend.domain.problems import PlacespendError
from placespend.estimate.indicators import IndicatorValue, indicator_for_areas, place_areas, region_areas, region_of

PENNY = Decimal("0.01")


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


def regional_vintages(con: Backend, period: str) -> list[str]:
    """Vintages holding identifiable regional spend for the period, most recently imported first."""
    spend = con.table("regional_spend")
    rows = spend.filter(spend.period == period).group_by("vintage").agg(last=spend.import_id.max())
    return [r["vintage"] for r in sorted(rows.to_pyarrow().to_pylist(), key=lambda r: -r["last"])]


def regional_spend(con: Backend, region: str, period: str, vintage: str) -> dict[str, Decimal]:
    """R[region, f] for every COFOG division: identifiable spend in the region, all sectors, capital and current."""
    spend = con.table("regional_spend")
    rows = spend.filter(spend.period == period, spend.region == region, spend.vintage == vintage,
                        spend.identifiable.fill_null(True))
    by = rows.group_by("cofog").agg(amount=rows.amount.sum()).to_pyarrow().to_pylist()
    return {r["cofog"]: r["amount"] for r in by}


def estimate_place(con: Backend, place: str, period: str, criteria: CriteriaSet,
                   vintage: str | None = None) -> Estimate:
    vintages = regional_vintages(con, period)
    if not vintages:
        raise PlacespendError(f"No regional spending for {period} in the workspace; import PESA or CRA data.")
    vintage = vintage or vintages[0]
    if vintage not in vintages:
        raise PlacespendError(f"Vintage {vintage} has no figures for {period}; available: {', '.join(vintages)}.")
    region = region_of(con, place)
    regional = regional_spend(con, region, period, vintage)
    if not regional:
        raise PlacespendError(f"{vintage} has no identifiable spending for {region} in {period}.")
    areas, in_region = place_areas(con, place), region_areas(con, region)
    cache: dict[str, tuple[IndicatorValue, IndicatorValue]] = {}

    def ratio(indicator: str) -> Decimal:
        if indicator not in cache:
            cache[indicator] = (indicator_for_areas(con, areas, indicator, period),
                                indicator_for_areas(con, in_region, indicator, period))
        mine, theirs = cache[indicator]
        if not theirs.value:
            raise PlacespendError(f"'{indicator}' is zero or missing for {region}.")
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
                         "nearest": mine.nearest, "place_areas": mine.areas, "region_areas": theirs.areas}
                  for name, (mine, theirs) in cache.items()}
    notes = [f"{name}: no {period[:4]} figures, the nearest vintage {info['vintage']} was used"
             for name, info in indicators.items() if info["nearest"]]
    if len(vintages) > 1:
        notes.append(f"regional spend from {vintage}; also available: {', '.join(v for v in vintages if v != vintage)}")
    missing = [a for a in areas if a not in set(in_region)]
    if missing:
        notes.append(f"areas not found in {region} by the lookup: {', '.join(missing)}")
    return Estimate(place, period, region, vintage, criteria.name, sum(by_cofog.values(), Decimal("0.00")),
                    by_cofog, functions, indicators, notes)
