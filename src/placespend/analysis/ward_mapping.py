"""Mapping the Money (seed 004): a place's or a body's spending apportioned to LSOAs and wards by drivers.

Each COFOG division's amount is shared across the place's LSOAs in proportion to the declared drivers
(population, age bands, deprivation, service-user counts a user imports), to the penny by largest
remainder, so the small areas always sum back exactly to the total. LSOAs then roll up to the wards of the
chosen vintage through the ONS lookups; where an LSOA of 2011 maps to older LSOAs or to several wards, its
money is split equally among them, again to the penny. Every figure carries the drivers that made it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from placespend.count.consolidate import counted_lines
from placespend.domain.criteria import CriteriaSet
from placespend.domain.ledger import Ledger
from placespend.domain.problems import PlacespendError
from placespend.estimate.indicators import indicator_for_areas, nearest_period

PENNY = Decimal("0.01")


@dataclass
class AreaFigure:
    area: str
    name: str | None
    cofog: str
    amount: Decimal
    drivers: str


@dataclass
class WardMapping:
    place: str
    period: str
    vintage: str
    spender: str | None
    total: Decimal
    lsoas: int
    wards: list[AreaFigure] = field(default_factory=list)
    population: dict[str, Decimal] = field(default_factory=dict)  # ward -> people, from its LSOAs
    by_lsoa: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (LSOA, division) -> amount
    notes: list[str] = field(default_factory=list)

    def ward_totals(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for figure in self.wards:
            totals[figure.area] += figure.amount
        return dict(totals)


def split_exactly(total: Decimal, weights: dict[str, Decimal]) -> dict[str, Decimal]:
    """Share `total` in proportion to `weights` to the penny, the pennies left over going to the largest
    remainders, so the parts always add up to the total (Hamilton's method)."""
    pennies = int((total / PENNY).to_integral_value())
    weight_sum = sum(weights.values(), Decimal(0))
    if not weights or not weight_sum:
        raise PlacespendError("the drivers are zero for every area: nothing to apportion by")
    exact = {k: Decimal(pennies) * w / weight_sum for k, w in weights.items()}
    floors = {k: int(v.to_integral_value(rounding="ROUND_FLOOR")) for k, v in exact.items()}
    left = pennies - sum(floors.values())
    for key in sorted(exact, key=lambda k: (-(exact[k] - floors[k]), k))[:left]:
        floors[key] += 1
    return {k: Decimal(v) * PENNY for k, v in floors.items()}


def place_lsoas(ledger: Ledger, place: str) -> list[str]:
    lookups = ledger.table("area_lookups")
    rows = lookups.filter(lookups.relation == "lsoa_lad", lookups.parent == place, lookups.child.startswith("E01"))
    found = sorted(set(rows.child.to_pyarrow().to_pylist()))
    if not found:
        raise PlacespendError(f"No LSOAs of {place} in the workspace; import the LSOA -> LAD lookup.")
    return found


def ward_parents(ledger: Ledger, lsoas: list[str], vintage: str) -> dict[str, list[tuple[str, str | None]]]:
    """Each 2011 LSOA's wards in the vintage, directly or through the 2001 LSOAs it came from."""
    lookups = ledger.table("area_lookups")
    wards = lookups.filter(lookups.relation == "lsoa_ward", lookups.vintage == vintage)
    direct: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for row in wards.filter(wards.child.isin(lsoas)).to_pyarrow().to_pylist():
        direct[row["child"]].append((row["parent"], row["parent_name"]))
    missing = [code for code in lsoas if code not in direct]
    if missing:  # wards of an older vintage are keyed by 2001 LSOAs: go through the 2001 -> 2011 lookup
        bridge = lookups.filter(lookups.relation == "lsoa01_lsoa11", lookups.parent.isin(missing))
        old_of: dict[str, list[str]] = defaultdict(list)
        for row in bridge.to_pyarrow().to_pylist():
            old_of[row["parent"]].append(row["child"])
        old_codes = sorted({c for codes in old_of.values() for c in codes})
        old_wards: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
        for row in wards.filter(wards.child.isin(old_codes)).to_pyarrow().to_pylist():
            old_wards[row["child"]].append((row["parent"], row["parent_name"]))
        for code in missing:
            parents = sorted({w for old in old_of.get(code, []) for w in old_wards.get(old, [])})
            if parents:
                direct[code] = parents
    return dict(direct)


def map_to_wards(ledger: Ledger, place: str, period: str, drivers: CriteriaSet, vintage: str,
                 spender: str | None = None) -> WardMapping:
    lines = counted_lines(ledger, place, period)
    if spender:
        lines = lines.filter(lines.spender == spender)
    by_division = {r["cofog_division"]: r["amount"] for r in lines.group_by("cofog_division").agg(
        amount=lines.counted_amount.sum()).to_pyarrow().to_pylist()}
    if not by_division:
        raise PlacespendError(f"Nothing counted for {place} in {period}{' from ' + spender if spender else ''}.")
    lsoas = place_lsoas(ledger, place)
    parents = ward_parents(ledger, lsoas, vintage)
    unplaced = [code for code in lsoas if code not in parents]
    if unplaced:
        raise PlacespendError(f"{len(unplaced)} LSOAs have no ward in vintage {vintage} (e.g. {unplaced[0]}).")
    mapping = WardMapping(place, period, vintage, spender, sum(by_division.values(), Decimal(0)), len(lsoas))
    weights_cache: dict[str, dict[str, Decimal]] = {}
    wards: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    names: dict[str, str | None] = {}
    described: dict[str, str] = {}
    for division, amount in sorted(by_division.items()):
        criteria = drivers.for_division(division)
        weights: dict[str, Decimal] = defaultdict(Decimal)
        for criterion in criteria:
            if criterion.indicator not in weights_cache:
                weights_cache[criterion.indicator] = _driver_shares(ledger, lsoas, criterion.indicator, period, mapping)
            for code, share in weights_cache[criterion.indicator].items():
                weights[code] += criterion.weight * share
        described[division] = " + ".join(f"{c.weight} x {c.indicator}" for c in criteria)
        for code, part in split_exactly(amount, weights).items():
            mapping.by_lsoa[(code, division)] = part
            for (ward, name), piece in _equal_parts(part, parents[code]):
                wards[(ward, division)] += piece
                names[ward] = name
    mapping.wards = [AreaFigure(ward, names[ward], division, amount, described[division])
                     for (ward, division), amount in sorted(wards.items())]
    mapping.population = _ward_population(ledger, lsoas, parents, period)
    return mapping


def _ward_population(ledger: Ledger, lsoas: list[str], parents: dict[str, list[tuple[str, str | None]]],
                     period: str) -> dict[str, Decimal]:
    """People per ward, LSOA populations shared like the money, for per-head figures (empty if unknown)."""
    try:
        vintage, _ = nearest_period(ledger, "population", period)
    except PlacespendError:
        return {}
    stats = ledger.table("place_statistics")
    rows = stats.filter(stats.indicator == "population", stats.period == vintage, stats.area.isin(lsoas))
    people: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows.select("area", "value").to_pyarrow().to_pylist():
        wards = parents.get(row["area"], [])
        for ward, _ in wards:
            people[ward] += Decimal(row["value"]) / len(wards)
    return dict(people)


Ward = tuple[str, str | None]


def _equal_parts(amount: Decimal, parents: list[Ward]) -> list[tuple[Ward, Decimal]]:
    parts = split_exactly(amount, {ward: Decimal(1) for ward, _ in parents})
    return [((ward, name), parts[ward]) for ward, name in parents]


def _driver_shares(ledger: Ledger, lsoas: list[str], indicator: str, period: str,
                   mapping: WardMapping) -> dict[str, Decimal]:
    """Each LSOA's share of the driver within the place (the driver's nearest vintage, noted)."""
    vintage, nearest = nearest_period(ledger, indicator, period)
    stats = ledger.table("place_statistics")
    rows = stats.filter(stats.indicator == indicator, stats.period == vintage, stats.area.isin(lsoas))
    values = {r["area"]: Decimal(r["value"]) for r in rows.select("area", "value").to_pyarrow().to_pylist()}
    absent = [code for code in lsoas if code not in values]
    if absent:
        raise PlacespendError(f"Driver '{indicator}' ({vintage}) is missing for {len(absent)} LSOAs, "
                              f"e.g. {absent[0]}.")
    total = indicator_for_areas(ledger, lsoas, indicator, period).value
    if nearest:
        mapping.notes.append(f"driver {indicator}: nearest vintage {vintage} used for {period}")
    return {code: value / total for code, value in values.items()}
