"""Which suppliers several partners pay, for what, and how concentrated each partner's buying is.

Seed 000 §5.4.4: "multiple organisations in an area are likely to be procuring the same datasets from
particular suppliers, and may not be taking advantage of their potential buying power to strike a good
deal". Seed 001 (chapter 4, Chart 4.A) puts gross procurement at 46 per cent of local government spending.

Definitions (stated in every result, so a reader can check them):

- a partner's **third-party spend** is all its payments in the files read (credits net off), except those to
  itself; it includes payments to other public bodies and to redacted payees;
- a supplier is **paid by** a partner when the partner's net payments to it are above zero; a supplier is
  **shared** when at least `min_partners` partners pay it;
- a supplier's **share** of a partner's spend is its net payments over the partner's third-party spend;
- **concentration** is measured over the partner's named suppliers paid a net positive amount (a redacted
  payee is many people, not one supplier): the top-10 share and the Herfindahl-Hirschman index (sum of
  squared shares; x 10,000 for points) of those suppliers' shares of their total;
- **for what**: the categories the partner's file gives (ProClass label, expense type, CIPFA subjective ...),
  largest first; partners classify differently, so categories are shown per partner, never added across.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ZERO = Decimal(0)
PENNY = Decimal("0.01")
SHARE_PLACES = Decimal("0.000001")
HHI_SCALE = Decimal(10_000)
TOP_N = 10
CATEGORIES_SHOWN = 3
DEFINITIONS = {
    "third_party_spend": "all the partner's payments in the files read, credits netted off, except payments to "
                         "itself; includes payments to other public bodies and to redacted payees",
    "paid_by": "a partner pays a supplier when its net payments to it are above zero",
    "share": "the supplier's net payments from the partner / the partner's third-party spend",
    "concentration": "over the partner's named suppliers paid a net positive amount: top-10 share and "
                     "Herfindahl-Hirschman index (sum of squared shares of their total, x 10,000)",
}


@dataclass(frozen=True)
class SpendRow:
    """Net payments of one partner to one payee for one category (aggregated by the caller)."""

    partner: str
    supplier: str | None          # None: a redacted or blank payee
    category: str | None
    category_scheme: str | None
    amount: Decimal
    public_type: str | None = None


@dataclass
class PartnerSpend:
    partner: str
    name: str | None
    periods: list[str]
    third_party: Decimal = ZERO
    by_supplier: dict[str, Decimal] = field(default_factory=dict)
    _descending: list[Decimal] | None = field(default=None, repr=False)

    def larger_than(self, amount: Decimal) -> int:
        """How many of the partner's suppliers it pays more than `amount` (its rank, less one)."""
        if self._descending is None:
            self._descending = sorted(-a for a in self.by_supplier.values())
        return bisect.bisect_left(self._descending, -amount)

    def named_positive(self) -> list[Decimal]:
        return sorted((a for a in self.by_supplier.values() if a > 0), reverse=True)

    def concentration(self) -> dict[str, Any]:
        amounts = self.named_positive()
        total = sum(amounts, ZERO)
        shares = [a / total for a in amounts] if total else []
        hhi = sum((s * s for s in shares), ZERO)
        return {"named_suppliers": len(amounts), "named_spend": money(total),
                "top10_share": share(sum(shares[:TOP_N], ZERO)), "hhi": (hhi * HHI_SCALE).quantize(PENNY),
                "hhi_fraction": share(hhi)}


def money(value: Decimal) -> Decimal:
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def share(value: Decimal) -> Decimal:
    return value.quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


def partner_spend(rows: list[SpendRow], names: dict[str, str | None],
                  periods: dict[str, list[str]]) -> dict[str, PartnerSpend]:
    partners: dict[str, PartnerSpend] = {}
    for row in rows:
        spend = partners.get(row.partner)
        if spend is None:
            spend = partners[row.partner] = PartnerSpend(row.partner, names.get(row.partner),
                                                         periods.get(row.partner, []))
        spend.third_party += row.amount
        if row.supplier is not None:
            spend.by_supplier[row.supplier] = spend.by_supplier.get(row.supplier, ZERO) + row.amount
    return partners


def shared_suppliers(rows: list[SpendRow], supplier_names: dict[str, str], partner_names: dict[str, str | None],
                     periods: dict[str, list[str]], min_partners: int = 2,
                     include_public: bool = False) -> dict[str, Any]:
    """Shared suppliers, largest joint spend first, with each partner's amount, share and categories."""
    partners = partner_spend(rows, partner_names, periods)
    categories: dict[tuple[str, str], dict[tuple[str | None, str | None], Decimal]] = defaultdict(
        lambda: defaultdict(Decimal))
    public: dict[str, str] = {}
    for row in rows:
        if row.supplier is None:
            continue
        categories[(row.supplier, row.partner)][(row.category, row.category_scheme)] += row.amount
        if row.public_type:
            public.setdefault(row.supplier, row.public_type)
    payers: dict[str, list[str]] = defaultdict(list)
    for partner in sorted(partners):
        for supplier, amount in partners[partner].by_supplier.items():
            if amount > 0:
                payers[supplier].append(partner)
    suppliers = []
    for supplier, paying in payers.items():
        if len(paying) < min_partners or (supplier in public and not include_public):
            continue
        by_partner = [_partner_entry(partners[p], supplier, categories[(supplier, p)]) for p in paying]
        suppliers.append({"supplier": supplier, "name": supplier_names.get(supplier, supplier),
                          "partners": len(paying), "public_type": public.get(supplier),
                          "total": money(sum((partners[p].by_supplier[supplier] for p in paying), ZERO)),
                          "by_partner": sorted(by_partner, key=lambda e: (-e["amount"], e["partner"]))})
    suppliers.sort(key=lambda s: (-s["partners"], -s["total"], s["supplier"]))
    shared_ids = {s["supplier"] for s in suppliers}
    return {"min_partners": min_partners, "include_public": include_public, "definitions": DEFINITIONS,
            "partners": [_partner_summary(partners[p], shared_ids) for p in sorted(partners)],
            "suppliers": suppliers}


def _partner_entry(spend: PartnerSpend, supplier: str,
                   categories: dict[tuple[str | None, str | None], Decimal]) -> dict[str, Any]:
    amount = spend.by_supplier[supplier]
    ranked = sorted(categories.items(), key=lambda item: (-item[1], str(item[0][0])))
    rank = 1 + spend.larger_than(amount)
    return {"partner": spend.partner, "partner_name": spend.name, "amount": money(amount),
            "share": share(amount / spend.third_party) if spend.third_party else ZERO, "rank": rank,
            "categories": [{"category": c or "(not given)", "scheme": scheme, "amount": money(a)}
                           for (c, scheme), a in ranked[:CATEGORIES_SHOWN]],
            "other_categories": max(0, len(ranked) - CATEGORIES_SHOWN)}


def _partner_summary(spend: PartnerSpend, shared_ids: set[str]) -> dict[str, Any]:
    with_shared = sum((a for s, a in spend.by_supplier.items() if s in shared_ids and a > 0), ZERO)
    return {"partner": spend.partner, "name": spend.name, "periods": spend.periods,
            "third_party_spend": money(spend.third_party), **spend.concentration(),
            "shared_suppliers": sum(1 for s, a in spend.by_supplier.items() if s in shared_ids and a > 0),
            "shared_spend": money(with_shared),
            "shared_share": share(with_shared / spend.third_party) if spend.third_party else ZERO}
