"""The count (DESIGN.md §4): every pound once, where it is finally spent.

Written as Ibis expressions so the same count runs on DuckDB and, later, Spark.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import ibis
import ibis.expr.types as ir
from ibis.backends.duckdb import Backend

from placespend.engine.places_store import scope_codes
from placespend.engine.tables import active_flows

ZERO = Decimal("0.00")
OWN_INCOME = "own_income"


@dataclass
class CountResult:
    place: str
    period: str
    total: Decimal
    lines: int
    by_cofog: dict[str, Decimal]
    by_spender_type: dict[str, Decimal]
    by_funder_type: dict[str, Decimal]
    by_capital_revenue: dict[str, Decimal]
    by_basis: dict[str, Decimal]
    by_apportionment: dict[str, Decimal]
    by_method: dict[str, Decimal]
    unreported_transfers: Decimal
    eliminated_transfers: Decimal
    unreported_recipients: list[dict[str, object]] = field(default_factory=list)
    pass_through_recipients: list[str] = field(default_factory=list)


def scoped_lines(con: Backend, place: str, period: str) -> ir.Table:
    """Live lines of the period whose place is P or a member area of P."""
    flows = active_flows(con)
    return flows.filter(flows.period == period, flows.place.isin(scope_codes(con, place)))


def classified_lines(con: Backend, place: str, period: str) -> ir.Table:
    """Each scoped line with its `status` (spend, unreported, eliminated) and the body type it counts under."""
    lines = scoped_lines(con, place, period)
    reporters = lines.filter(lines.flow == "spend").select(reporter=lines.spender).distinct()
    joined = lines.left_join(reporters, lines.recipient == reporters.reporter)
    return with_status(joined).drop("reporter")


def with_status(joined: ir.Table) -> ir.Table:
    """DESIGN.md §4 on lines joined to the spenders that report spend in scope (`reporter` null if none):
    spend counts; a transfer to a non-reporting recipient counts as that recipient's (unreported); a transfer
    to a reporting one is eliminated."""
    status = ibis.cases(
        (joined.flow == "spend", "spend"),
        (joined.reporter.isnull(), "unreported"),
        else_="eliminated",
    )
    return joined.mutate(
        status=status,
        counted_type=ibis.cases((joined.flow == "spend", joined.spender_type), else_=joined.recipient_type),
    )


def counted_lines(con: Backend, place: str, period: str) -> ir.Table:
    lines = classified_lines(con, place, period)
    return lines.filter(lines.status != "eliminated")


def count_place(con: Backend, place: str, period: str) -> CountResult:
    lines = classified_lines(con, place, period)
    counted = lines.filter(lines.status != "eliminated")
    by_status = _sums(lines, "status")
    unreported = lines.filter(lines.status == "unreported")
    return CountResult(
        place=place,
        period=period,
        total=by_status.get("spend", ZERO) + by_status.get("unreported", ZERO),
        lines=int(lines.count().to_pyarrow().as_py()),
        by_cofog=_sums(counted, "cofog_division"),
        by_spender_type=_sums(counted, "counted_type"),
        by_funder_type=_sums(counted.mutate(funder_kind=counted.funder_type.fill_null(OWN_INCOME)), "funder_kind"),
        by_capital_revenue=_sums(counted, "capital_revenue"),
        by_basis=_sums(counted, "basis"),
        by_apportionment=_sums(counted, "apportionment"),
        by_method=_sums(counted, "method"),
        unreported_transfers=by_status.get("unreported", ZERO),
        eliminated_transfers=by_status.get("eliminated", ZERO),
        unreported_recipients=_unreported_recipients(unreported),
        pass_through_recipients=_pass_through(lines),
    )


def _sums(table: ir.Table, key: str) -> dict[str, Decimal]:
    rows = table.group_by(key).agg(amount=table.counted_amount.sum()).to_pyarrow().to_pylist()
    return {str(row[key]): row["amount"] for row in sorted(rows, key=lambda r: str(r[key]))}


def _unreported_recipients(unreported: ir.Table) -> list[dict[str, object]]:
    by = unreported.group_by(["recipient", "recipient_type"]).agg(
        amount=unreported.counted_amount.sum(), lines=unreported.count(),
        name=unreported.recipient_name.max(),
    )
    return by.order_by([ibis.desc("amount"), "recipient"]).to_pyarrow().to_pylist()


def _pass_through(lines: ir.Table) -> list[str]:
    """Recipients counted as unreported that do report onward transfers: their money may count twice."""
    unreported = lines.filter(lines.status == "unreported").select(body=lines.recipient).distinct()
    onward = lines.filter(lines.flow == "transfer").select(body=lines.spender).distinct()
    both = unreported.intersect(onward)
    return sorted(both.body.to_pyarrow().to_pylist())
