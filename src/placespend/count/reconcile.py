"""Transfer reconciliation: what a funder says it passed on vs what the recipient says it spent from it."""

from __future__ import annotations

import ibis.expr.types as ir

from placespend.count.consolidate import ScopedLines, scoped
from placespend.domain.ledger import Ledger


def reconciliation(ledger: Ledger, place: str, period: str) -> ir.Table:
    return reconciliation_of(scoped(ledger, place, period))


def reconciliation_of(scope: ScopedLines) -> ir.Table:
    """One row per funder-recipient pair of transfers in scope, with both sides and the gap between them."""
    lines = scope.lines
    transfers = lines.filter(lines.flow == "transfer")
    passed = transfers.group_by(funder_id=transfers.spender, recipient_id=transfers.recipient).agg(
        passed_on=transfers.counted_amount.sum(),
        status=transfers.status.max(),
    )
    funded = lines.filter(lines.funder.notnull())
    reported = funded.group_by(funder_id=funded.funder, recipient_id=funded.spender).agg(
        recipient_reports=funded.counted_amount.sum(),
    )
    joined = passed.left_join(reported, ["funder_id", "recipient_id"]).drop("funder_id_right", "recipient_id_right")
    reports = joined.recipient_reports.fill_null(0).cast("decimal(18, 2)")
    return joined.mutate(recipient_reports=reports, gap=joined.passed_on - reports).order_by(
        ["funder_id", "recipient_id"]
    )
