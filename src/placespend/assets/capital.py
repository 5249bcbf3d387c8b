"""Capital beside the estate (seed 001 §5.25: align new capital investment with existing assets): the count's
capital lines of a place by partner and COFOG function.

The lines are the count's own (DESIGN.md §4: counted spend, and transfers to bodies that report nothing,
which count as the recipient's), so the total here is the count's `by_capital_revenue["capital"]` to the
penny, and each pound sits with the body that finally spends it.
"""

from __future__ import annotations

from decimal import Decimal

import ibis

from placespend.count.consolidate import counted_lines
from placespend.domain.ledger import Ledger


def capital_by_partner(ledger: Ledger, place: str, period: str) -> list[dict[str, object]]:
    """One row per partner and COFOG division: amount (Decimal pounds) and number of lines, largest first."""
    lines = counted_lines(ledger, place, period)
    lines = lines.filter(lines.capital_revenue == "capital")
    spend = lines.flow == "spend"
    lines = lines.mutate(partner=ibis.cases((spend, lines.spender), else_=lines.recipient),
                         partner_name=ibis.cases((spend, lines.spender_name), else_=lines.recipient_name))
    grouped = lines.group_by(["partner", "counted_type", "cofog_division"]).agg(
        partner_name=lines.partner_name.max(), amount=lines.counted_amount.sum(), lines=lines.count())
    rows = grouped.to_pyarrow().to_pylist()
    return sorted(({"partner": r["partner"], "partner_name": r["partner_name"], "body_type": r["counted_type"],
                    "cofog": r["cofog_division"], "amount": Decimal(r["amount"]), "lines": r["lines"]}
                   for r in rows), key=lambda r: (-r["amount"], r["partner"], r["cofog"]))
