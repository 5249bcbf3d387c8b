"""A library of unit costs (what one arrest, one A&E visit, one week in care costs, and which agency bears it),
brought to one price year so that costs from different sources and years can be added up.

Uprating uses a deflator series the user supplies (for example HM Treasury's GDP deflators): a cost priced in
year p is worth cost x index[target] / index[p] in the target year's prices. Nothing is uprated silently: a
cost whose price year is missing from the series is reported, and the library keeps each cost's source.

Price years are financial years (`2008-09`, `2008/09`, `2008-2009` are the same) or plain years (`2008`);
the library and the deflator series must use the same convention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from placespend.domain.problems import Report

_FINANCIAL_YEAR = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*$")
_PLAIN_YEAR = re.compile(r"^\s*(\d{4})(?:\.0)?\s*$")


def price_year(text: str) -> str:
    """Canonical price-year key: '2008-09' for financial years, '2008' for plain years; ValueError otherwise."""
    if match := _FINANCIAL_YEAR.match(text):
        start, end = int(match.group(1)), match.group(2)
        if int(end[-2:]) != (start + 1) % 100:
            raise ValueError(f"'{text}' is not a financial year: the second year must follow the first.")
        return f"{start}-{(start + 1) % 100:02d}"
    if match := _PLAIN_YEAR.match(text):
        return match.group(1)
    raise ValueError(f"'{text}' is not a price year (e.g. 2008-09 or 2008).")


@dataclass(frozen=True)
class UnitCost:
    """One unit cost as its source gives it, before any uprating."""

    code: str
    description: str
    unit: str
    cost: Decimal
    agency: str
    price_year: str
    source: str = ""
    category: str = ""
    row: int | None = None


@dataclass(frozen=True)
class Deflators:
    """An index per price year (any base: only ratios are used)."""

    index: dict[str, Decimal]
    source: str = ""

    def factor(self, from_year: str, to_year: str) -> Decimal:
        return self.index[to_year] / self.index[from_year]


@dataclass(frozen=True)
class PricedCost:
    """A unit cost in the library's chosen price year, with the factor that took it there."""

    original: UnitCost
    cost: Decimal
    price_year: str
    factor: Decimal

    @property
    def code(self) -> str:
        return self.original.code

    def to_dict(self) -> dict[str, Any]:
        o = self.original
        return {"code": o.code, "description": o.description, "unit": o.unit, "agency": o.agency,
                "category": o.category, "original_cost": o.cost, "original_price_year": o.price_year,
                "uprating_factor": self.factor, "cost": self.cost, "price_year": self.price_year,
                "source": o.source, "row": o.row}


@dataclass
class Library:
    """Unit costs by code, all in one price year (or as given when no price year was chosen)."""

    costs: dict[str, PricedCost]
    price_year: str | None
    report: Report

    def get(self, code: str) -> PricedCost | None:
        return self.costs.get(code.strip().upper())

    def to_dict(self) -> dict[str, Any]:
        return {"price_year": self.price_year, "costs": [c.to_dict() for c in self.costs.values()],
                "problems": self.report.to_dict()}


def build_library(costs: list[UnitCost], deflators: Deflators | None = None, target: str | None = None,
                  file: str = "unit costs") -> Library:
    """Key the costs by code and uprate them to `target` with `deflators`; problems are reported, not raised."""
    report = Report(file)
    if target is not None and deflators is not None and target not in deflators.index:
        report.error("deflator-missing", f"The deflator series has no index for the target price year {target}.")
        return Library({}, target, report)
    library: dict[str, PricedCost] = {}
    seen: set[str] = set()
    for cost in costs:
        key = cost.code.strip().upper()
        if key in seen:
            report.error("code-duplicate", f"Unit cost code '{cost.code}' appears twice; codes must be unique.",
                         row=cost.row, column="code", value=cost.code)
            continue
        seen.add(key)
        priced = _price(cost, deflators, target, report)
        if priced is not None:
            library[key] = priced
    return Library(library, target, report)


def _price(cost: UnitCost, deflators: Deflators | None, target: str | None, report: Report) -> PricedCost | None:
    if target is None or cost.price_year == target:
        return PricedCost(cost, cost.cost, cost.price_year, Decimal(1))
    if deflators is None:
        report.error("deflators-needed", f"'{cost.code}' is priced in {cost.price_year}; give a deflator series "
                     f"to bring it to {target}.", row=cost.row, column="price_year", value=cost.price_year)
        return None
    if cost.price_year not in deflators.index:
        report.error("deflator-missing", f"The deflator series has no index for {cost.price_year}, the price "
                     f"year of '{cost.code}'.", row=cost.row, column="price_year", value=cost.price_year)
        return None
    factor = deflators.factor(cost.price_year, target)
    return PricedCost(cost, cost.cost * factor, target, factor)


def with_price_year(cost: UnitCost, year: str) -> UnitCost:
    return replace(cost, price_year=price_year(year))
