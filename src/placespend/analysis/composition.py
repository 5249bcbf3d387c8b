"""What the money of a place is spent on (COFOG divisions) and by whom (body types): seed 000 Tables 2 and 3.

Seed 000 §4.2.4 found social protection, health and education "cumulatively make up between 71% and 88%
of the total spend in each pilot area" (Table 2), and §4.4.1 sets out the shares spent by local
authorities, the NHS, central government and others (Table 3) to "infer degrees of decentralisation".
Both are recomputed here from the counted lines (DESIGN.md §4), never copied from a print.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from placespend.analysis.shares import ZERO, money, ratio, share, total_of
from placespend.count.consolidate import counted_lines
from placespend.domain.classifications import cofog_divisions
from placespend.domain.ledger import Ledger

# Table 2's columns: social protection, health, education (COFOG divisions 10, 07, 09), in printed order.
TABLE2_DIVISIONS: dict[str, str] = {"social_protection": "10", "health": "07", "education": "09"}
TABLE3_GROUPS = ("local_authority", "nhs", "central_government", "other")

# Which DESIGN §3 spender types fall in each Table 3 column. Seed 000 does not define the columns; we read
# "Central Government" as departments with their agencies, NDPBs and the justice bodies they fund (all
# central government in PESA), and put police, fire, schools, housing, lottery and voluntary bodies in Other.
# The same mapping as `placespend.app.demo.published` (a test keeps the two equal); it lives here because the
# method layer must not import the demo.
TABLE3_GROUP_OF_TYPE: dict[str, str] = {
    "local_authority": "local_authority", "parish": "local_authority", "nhs": "nhs",
    "central_government": "central_government", "executive_agency": "central_government",
    "ndpb": "central_government", "justice": "central_government",
}


def table3_group(body_type: str) -> str:
    """The Table 3 column a body type is counted in (anything not listed above is 'other')."""
    return TABLE3_GROUP_OF_TYPE.get(body_type, "other")


@dataclass
class PlaceComposition:
    """One place's counted total split by COFOG division and by body type, with shares of the total."""

    place: str
    period: str
    total: Decimal
    by_division: dict[str, Decimal]
    by_body_type: dict[str, Decimal]
    top3_divisions: list[str] = field(default_factory=list)

    def division_share(self, division: str) -> Decimal:
        return ratio(self.by_division.get(division, ZERO), self.total)

    @property
    def top3_share(self) -> Decimal:
        """Share of the three largest divisions: seed 000 §3.1.5 found "nearly 80%" in PESA."""
        return sum((self.division_share(d) for d in self.top3_divisions), ZERO)

    def table2(self) -> dict[str, Decimal]:
        """Seed 000 Table 2 layout: social protection, health and education shares and their total."""
        shares = {name: self.division_share(code) for name, code in TABLE2_DIVISIONS.items()}
        return {**shares, "total": sum(shares.values(), ZERO)}

    @property
    def by_table3_group(self) -> dict[str, Decimal]:
        groups = dict.fromkeys(TABLE3_GROUPS, ZERO)
        for kind, amount in self.by_body_type.items():
            groups[table3_group(kind)] += amount
        return groups

    def table3(self) -> dict[str, Decimal]:
        """Seed 000 Table 3 layout: shares spent by local authorities, the NHS, central government, other."""
        return {group: ratio(amount, self.total) for group, amount in self.by_table3_group.items()}

    def to_dict(self) -> dict[str, Any]:
        names = cofog_divisions()
        return {
            "place": self.place, "period": self.period, "total": money(self.total),
            "by_cofog": {code: {"name": names.get(code, code), "amount": money(amount),
                                "share": share(self.division_share(code))}
                         for code, amount in self.by_division.items()},
            "top3_divisions": self.top3_divisions, "top3_share": share(self.top3_share),
            "table2": {key: share(value) for key, value in self.table2().items()},
            "by_body_type": {kind: {"amount": money(amount), "share": share(ratio(amount, self.total))}
                             for kind, amount in self.by_body_type.items()},
            "table3": {key: share(value) for key, value in self.table3().items()},
        }


@dataclass
class CompositionReport:
    """Composition of several places side by side, as Tables 2 and 3 set the pilots side by side."""

    period: str
    places: list[PlaceComposition]

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "table2_divisions": TABLE2_DIVISIONS,
                "table3_groups": {g: sorted(t for t, grp in TABLE3_GROUP_OF_TYPE.items() if grp == g)
                                  or ["every other body type"] for g in TABLE3_GROUPS},
                "places": [place.to_dict() for place in self.places]}


def place_composition(ledger: Ledger, place: str, period: str) -> PlaceComposition:
    """Counted spend by COFOG division and by the body type it counts under (unreported -> recipient)."""
    lines = counted_lines(ledger, place, period)
    by_division = _sums(lines.group_by("cofog_division").agg(amount=lines.counted_amount.sum()), "cofog_division")
    by_type = _sums(lines.group_by("counted_type").agg(amount=lines.counted_amount.sum()), "counted_type")
    ranked = sorted(by_division, key=lambda code: (-by_division[code], code))
    return PlaceComposition(place, period, total_of(by_division), by_division, by_type, ranked[:3])


def composition(ledger: Ledger, places: list[str], period: str) -> CompositionReport:
    return CompositionReport(period, [place_composition(ledger, place, period) for place in places])


def _sums(table: Any, key: str) -> dict[str, Decimal]:
    rows = table.to_pyarrow().to_pylist()
    return {str(row[key]): row["amount"] for row in sorted(rows, key=lambda r: str(r[key]))}
