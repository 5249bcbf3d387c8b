"""Customer journeys costed stop by stop (seed 004 "Bringing data alive"; seed 002's Derbyshire journey map).

A journey is an ordered list of stops. Each stop is one contact or activity: which agency, at which stage
(initial contact, assessment, service start, review, closure ...), costed from a unit cost in the library or an
actual cost, times the number of times it happened, plus staff time and travel. The cost of a stop is

    (unit cost or actual cost + staff hours x hourly rate + travel) x repeats

and falls into three kinds: `service` (the unit or actual cost), `staff_time` and `travel`.

A stop is flagged **repeated** when the same agency already did the same activity at an earlier stop of the
journey (the family came back, was re-referred, chased again): the "multiple repeat phone calls" seed 004 asks
to cost. The repeat cost is the cost of those later stops. `repeats` on one stop is a planned course (twelve
health visitor contacts) and is not flagged by itself; mark such stops avoidable if they were. Stops the user
marks **avoidable** are summed apart. The two can overlap, so they are never added together.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import mean
from typing import Any

from placespend.deepdive.unit_costs import Library
from placespend.domain.problems import Report

ZERO = Decimal(0)
KINDS = ("service", "staff_time", "travel")


@dataclass(frozen=True)
class Stop:
    """One row of a journeys file."""

    journey: str
    step: int
    stage: str
    agency: str
    activity: str
    unit_cost_code: str = ""
    actual_cost: Decimal | None = None
    repeats: int = 1
    staff_hours: Decimal = ZERO
    staff_rate: Decimal = ZERO
    travel_cost: Decimal = ZERO
    satisfaction: Decimal | None = None
    avoidable: bool = False
    notes: str = ""
    row: int | None = None


@dataclass
class CostedStop:
    stop: Stop
    unit_cost: Decimal  # per occurrence: the library's cost or the actual cost
    cost_source: str  # 'unit cost CODE (price year)' or 'actual'
    service: Decimal
    staff_time: Decimal
    travel: Decimal
    repeated: bool = False
    repeat_cost: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.service + self.staff_time + self.travel

    def to_dict(self) -> dict[str, Any]:
        s = self.stop
        return {"step": s.step, "stage": s.stage, "agency": s.agency, "activity": s.activity,
                "repeats": s.repeats, "unit_cost": self.unit_cost, "cost_source": self.cost_source,
                "service": self.service, "staff_time": self.staff_time, "travel": self.travel, "total": self.total,
                "satisfaction": s.satisfaction, "avoidable": s.avoidable, "repeated": self.repeated,
                "repeat_cost": self.repeat_cost, "notes": s.notes, "row": s.row}


@dataclass
class StageSummary:
    stage: str
    cost: Decimal = ZERO
    stops: int = 0
    agencies: set[str] = field(default_factory=set)
    scores: list[Decimal] = field(default_factory=list)

    @property
    def satisfaction(self) -> Decimal | None:
        return Decimal(str(round(mean(self.scores), 4))) if self.scores else None

    def to_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "cost": self.cost, "stops": self.stops, "agencies": sorted(self.agencies),
                "satisfaction": self.satisfaction}


@dataclass
class JourneyCost:
    journey: str
    stops: list[CostedStop]

    @property
    def total(self) -> Decimal:
        return sum((s.total for s in self.stops), ZERO)

    def by_agency(self) -> dict[str, Decimal]:
        return _sum_by(self.stops, lambda s: s.stop.agency)

    def by_kind(self) -> dict[str, Decimal]:
        return {kind: sum((getattr(s, kind) for s in self.stops), ZERO) for kind in KINDS}

    def stages(self) -> list[StageSummary]:
        """Stages in the order the journey first reaches them: the timeline."""
        stages: dict[str, StageSummary] = {}
        for costed in self.stops:
            summary = stages.setdefault(costed.stop.stage, StageSummary(costed.stop.stage))
            summary.cost += costed.total
            summary.stops += 1
            summary.agencies.add(costed.stop.agency)
            if costed.stop.satisfaction is not None:
                summary.scores.append(costed.stop.satisfaction)
        return list(stages.values())

    @property
    def repeat_cost(self) -> Decimal:
        return sum((s.repeat_cost for s in self.stops), ZERO)

    @property
    def avoidable_cost(self) -> Decimal:
        return sum((s.total for s in self.stops if s.stop.avoidable), ZERO)

    def to_dict(self) -> dict[str, Any]:
        return {"journey": self.journey, "total": self.total, "by_agency": self.by_agency(),
                "by_stage": {s.stage: s.cost for s in self.stages()}, "by_kind": self.by_kind(),
                "stages": [s.to_dict() for s in self.stages()], "repeat_cost": self.repeat_cost,
                "avoidable_cost": self.avoidable_cost, "contacts": sum(s.stop.repeats for s in self.stops),
                "agencies": len(self.by_agency()), "stops": [s.to_dict() for s in self.stops]}


def _sum_by(stops: list[CostedStop], key: Any) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for costed in stops:
        sums[key(costed)] += costed.total
    return dict(sorted(sums.items(), key=lambda kv: (-kv[1], kv[0])))


def cost_journeys(stops: list[Stop], library: Library | None = None,
                  file: str = "journeys") -> tuple[list[JourneyCost], Report]:
    """Cost every stop and group them into journeys in step order; unknown unit-cost codes are reported."""
    report = Report(file)
    grouped: dict[str, list[CostedStop]] = defaultdict(list)
    for stop in sorted(stops, key=lambda s: (s.journey, s.step, s.row or 0)):
        costed = _cost(stop, library, report)
        if costed is not None:
            grouped[stop.journey].append(costed)
    journeys = [JourneyCost(name, costed) for name, costed in grouped.items()]
    for journey in journeys:
        _flag_repeats(journey.stops)
    return journeys, report


def _cost(stop: Stop, library: Library | None, report: Report) -> CostedStop | None:
    if stop.actual_cost is not None:
        unit, source = stop.actual_cost, "actual"
        if stop.unit_cost_code:
            report.warn("cost-both", "Both an actual cost and a unit-cost code are given; the actual cost is used.",
                        row=stop.row, column="actual_cost")
    elif stop.unit_cost_code:
        priced = library.get(stop.unit_cost_code) if library else None
        if priced is None:
            report.error("unit-cost-unknown", f"Unit cost code '{stop.unit_cost_code}' is not in the unit cost "
                         "library; add it or give an actual cost.", row=stop.row, column="unit_cost_code",
                         value=stop.unit_cost_code)
            return None
        unit, source = priced.cost, f"unit cost {priced.code} ({priced.price_year})"
    else:
        unit, source = ZERO, "staff time and travel only"
    repeats = Decimal(stop.repeats)
    return CostedStop(stop, unit, source, unit * repeats, stop.staff_hours * stop.staff_rate * repeats,
                      stop.travel_cost * repeats)


def _flag_repeats(stops: list[CostedStop]) -> None:
    """Flag every stop whose agency and activity already appeared at an earlier stop; its cost is repeat cost."""
    seen: set[tuple[str, str]] = set()
    for costed in stops:
        key = (costed.stop.agency.strip().lower(), costed.stop.activity.strip().lower())
        if key in seen:
            costed.repeated = True
            costed.repeat_cost = costed.total
        seen.add(key)
