"""What buying together from shared suppliers might save, as a range with its assumptions stated.

Seed 001 gives the evidence a user weighs when choosing the discount: §3.2, North West Improvement and
Efficiency Partnership collaborative procurement hubs saved GBP 68m over 2004-05 to 2008-09, and
Herefordshire's partners expected procurement savings of up to GBP 830,000 in 2011-12; chapter 4, Lewisham
expected GBP 6.5m-15m from "smarter and more collaborative procurement and asset realisation across
agencies"; §5.21, an initial estimate of "10 per cent procurement efficiency". None of these is a discount
on a given supplier's prices, so the discounts are the user's, given as low / central / high percentages.

The range per partner is its addressable spend (revenue payments to suppliers it shares with another
partner, public bodies excluded) times each discount. Each partner becomes one entry of the deep dives'
savings register (`deepdive.savings`, read by `placespend deepdive savings FILE`), status 'idea', all in
one group: they rest on one assumed discount, so the Monte Carlo moves them together.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from placespend.procurement.shared import ZERO, money

HUNDRED = Decimal(100)
GROUP = "joint-procurement"
THEME = "procurement"
ID_PREFIX = "JP-"
ASSUMPTIONS = (
    "Only suppliers paid a net positive amount by at least {min_partners} partners count (shared suppliers).",
    "Public bodies, redacted payees and payments of a partner to itself are left out: they are not bought by "
    "tender.",
    "Only revenue payments count: a capital purchase is not repeated every year.",
    "The discount applies to all of a partner's spend with a shared supplier, whatever it buys.",
    "The spend in the periods read is taken as a typical year, repeated every year from the start year; "
    "no cost of running the joint procurement is deducted.",
    "The discounts are the user's judgement (seed 001 §5.21 cites 10 per cent procurement efficiency "
    "nationally; §3.2 and chapter 4 give the North West hubs' and Lewisham's figures).",
)


@dataclass(frozen=True)
class Discounts:
    low: Decimal
    central: Decimal
    high: Decimal

    def problem(self) -> str | None:
        if not ZERO <= self.low <= self.central <= self.high <= HUNDRED:
            return (f"discounts must satisfy 0 <= low <= central <= high <= 100 (per cent); got {self.low}, "
                    f"{self.central}, {self.high}")
        return None


def joint_procurement(addressable: dict[str, Decimal], names: dict[str, str | None],
                      suppliers: dict[str, int], discounts: Discounts, start_year: int, periods: dict[str, list[str]],
                      min_partners: int) -> dict[str, Any]:
    """The savings range by partner and in total, and the savings-register rows that carry it."""
    by_partner = []
    for partner in sorted(addressable, key=lambda p: (-addressable[p], p)):
        base = addressable[partner]
        by_partner.append({"partner": partner, "name": names.get(partner), "periods": periods.get(partner, []),
                           "shared_suppliers": suppliers[partner], "addressable": money(base),
                           **{level: money(base * getattr(discounts, level) / HUNDRED)
                              for level in ("low", "central", "high")}})
    total = {level: sum((row[level] for row in by_partner), ZERO) for level in ("low", "central", "high")}
    return {"discounts": {level: getattr(discounts, level) for level in ("low", "central", "high")},
            "start_year": _financial_year(start_year), "min_partners": min_partners,
            "addressable": money(sum(addressable.values(), ZERO)), "total": total, "by_partner": by_partner,
            "assumptions": [a.format(min_partners=min_partners) for a in ASSUMPTIONS],
            "register_rows": [_register_row(row, discounts, start_year) for row in by_partner]}


def _register_row(row: dict[str, Any], discounts: Discounts, start_year: int) -> dict[str, str]:
    """One entry in the savings register layout (`deepdive.inputs.SAVINGS`)."""
    periods = ", ".join(row["periods"]) or "the periods read"
    return {
        "id": f"{ID_PREFIX}{row['partner']}",
        "description": f"Joint procurement with {row['shared_suppliers']} suppliers shared with other partners "
                       f"({discounts.low}-{discounts.high}% off GBP {row['addressable']:,} a year)",
        "agency": row["name"] or row["partner"], "low": str(row["low"]), "central": str(row["central"]),
        "high": str(row["high"]), "recurrence": "recurring", "capital_revenue": "revenue",
        "start_year": _financial_year(start_year), "profile": "1", "status": "idea", "basis": "local",
        "evidence": f"placespend suppliers savings: revenue spend in {periods} with shared suppliers; "
                    "seed 001 §5.21 (10 per cent procurement efficiency)",
        "theme": THEME, "group": GROUP,
    }


def _financial_year(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"
