"""Criteria sets (pure): how each function's regional spend is shared out to places (DESIGN.md §5).

A set is a CSV a user can read and edit: `cofog,indicator,weight,explanation`, where `cofog` is a division
or `*` for every division not listed; each division's weights must sum to 1.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from placespend.domain import classifications as cls
from placespend.domain.problems import Report


@dataclass(frozen=True)
class Criterion:
    indicator: str
    weight: Decimal
    explanation: str


@dataclass(frozen=True)
class CriteriaSet:
    name: str
    weights: dict[str, tuple[Criterion, ...]]  # division -> criteria

    def for_division(self, division: str) -> tuple[Criterion, ...]:
        return self.weights.get(division) or self.weights["*"]

    def indicators(self) -> set[str]:
        return {c.indicator for criteria in self.weights.values() for c in criteria}


def parse_criteria(text: str, label: str) -> tuple[Report, CriteriaSet | None]:
    report = Report(label)
    weights: dict[str, list[Criterion]] = {}
    divisions = cls.cofog_divisions()
    for row, record in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        code = record.get("cofog", "").strip()
        division = "*" if code == "*" else cls.normalise_cofog(code)
        if division is None or (division != "*" and division not in divisions):
            report.error("cofog-unknown", f"'{code}' is not a COFOG division or '*'.", row=row, column="cofog")
            continue
        try:
            weight = Decimal(record.get("weight", "").strip())
        except InvalidOperation:
            report.error("weight-not-number", f"'{record.get('weight')}' is not a weight.", row=row, column="weight")
            continue
        indicator = record.get("indicator", "").strip()
        if not indicator:
            report.error("required-missing", "indicator is empty.", row=row, column="indicator")
            continue
        weights.setdefault(division, []).append(Criterion(indicator, weight, record.get("explanation", "").strip()))
    if "*" not in weights and set(divisions) - set(weights):
        report.error("criteria-incomplete", "Give a '*' row, or criteria for every COFOG division.")
    for division, criteria in weights.items():
        total = sum((c.weight for c in criteria), Decimal(0))
        if total != 1:
            report.error("weights-not-one", f"The weights for {division} sum to {total}, not 1.", column="weight")
    if not report.ok:
        return report, None
    return report, CriteriaSet(label.removesuffix(".csv"), {d: tuple(c) for d, c in weights.items()})
