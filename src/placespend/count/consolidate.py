"""The count (DESIGN.md §4): every pound once, where it is finally spent.

Written as Ibis expressions so the same count runs on DuckDB and, later, Spark.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from placespend.count.overlaps import is_grant, outturn_bodies, overlap_queries
from placespend.count.result import (
    BREAKDOWNS,
    COUNTED_STATUSES,
    OUTTURN_DETAIL,
    OWN_INCOME,
    CountResult,
    Rows,
    fold_count,
)
from placespend.domain.ledger import Ledger, scope_codes


def scoped_lines(ledger: Ledger, place: str, period: str) -> ir.Table:
    """Live lines of the period whose place is P or a member area of P.

    Read from `place_lines` (the same lines stored in place order) when it is up to date, which makes a
    place's questions cost its own lines rather than a scan of the national ledger.
    """
    if ledger.capabilities.has_place_lines:
        stored = ledger.table("place_lines")
        mine = stored.filter(stored.scope_place == place, stored.period == period).drop("scope_place")
        return ledger.with_canonical_ids(mine)
    flows = ledger.live_lines()
    return flows.filter(flows.period == period, flows.place.isin(scope_codes(ledger, place)))


def classified_lines(ledger: Ledger, place: str, period: str) -> ir.Table:
    """Each scoped line with its `status` (spend, unreported, eliminated, outturn_detail) and the body type it
    counts under."""
    lines = scoped_lines(ledger, place, period)
    reporters = reporters_of(lines)
    joined = lines.left_join(reporters, lines.recipient == reporters.reporter)
    outturn = outturn_bodies(lines)
    joined = joined.left_join(outturn, joined.spender == outturn.outturn_body)
    return with_status(joined).drop("reporter", "outturn_body")


def reporters_of(lines: ir.Table, *keys: str) -> ir.Table:
    """The reporters among the lines, as `reporter` (with `keys`, e.g. the place, as `reporter_<key>`).

    DESIGN.md §4: a reporter is the spender of any line in scope, of either flow. A body that only passes money
    on is one too, so a transfer to it is eliminated and the pound counts once, where the chain ends: in the
    spend of the last body, or as an unreported transfer from the last body that reports to one that does not.
    """
    return lines.select(*[lines[k].name(f"reporter_{k}") for k in keys], reporter=lines.spender).distinct()


def with_status(joined: ir.Table) -> ir.Table:
    """DESIGN.md §4 on lines joined to the reporters in scope (`reporter` null if the recipient is none):
    spend counts; a transfer to a non-reporting recipient counts as that recipient's (unreported); a transfer
    to a reporter is eliminated. First, a grant of a council that reports its service outturn in scope
    (`outturn_body` not null) is detail of that outturn (count.overlaps)."""
    status = ibis.cases(
        (joined.outturn_body.notnull() & is_grant(joined), OUTTURN_DETAIL),
        (joined.flow == "spend", "spend"),
        (joined.reporter.isnull(), "unreported"),
        else_="eliminated",
    )
    return joined.mutate(
        status=status,
        counted_type=ibis.cases((joined.flow == "spend", joined.spender_type), else_=joined.recipient_type),
    )


def counted_lines(ledger: Ledger, place: str, period: str) -> ir.Table:
    return scoped(ledger, place, period).counted


@dataclass(frozen=True)
class ScopedLines:
    """A place's classified lines in scope for a period (`classified_lines`), built once and handed to the count
    and to each analysis of the place, so a place's page does not build them again for every figure; `ledger`
    for the reference tables some analyses read beside them (bodies)."""

    ledger: Ledger
    place: str
    period: str
    lines: ir.Table

    @property
    def counted(self) -> ir.Table:
        return self.lines.filter(self.lines.status.isin(COUNTED_STATUSES))


def scoped(ledger: Ledger, place: str, period: str) -> ScopedLines:
    return ScopedLines(ledger, place, period, classified_lines(ledger, place, period))


def count_place(ledger: Ledger, place: str, period: str) -> CountResult:
    return count_of(scoped(ledger, place, period))


def count_of(scope: ScopedLines) -> CountResult:
    """The count of one place: its questions (`count_queries`) asked, their rows folded in Decimal
    (`count.result.fold_count`). Few queries matter: compiling one costs more than running it on a place."""
    queries = count_queries(scope)
    return fold_count(scope.place, scope.period, lambda name: rows_of(queries[name]))


def rows_of(query: ir.Table) -> Rows:
    return query.to_pyarrow().to_pylist()


def count_queries(scope: ScopedLines) -> dict[str, ir.Table]:
    """Every question the count of one place asks, by name: the lines folded into cells by every breakdown's
    key, the unreported recipients, the pass-through bodies and the overlap questions. Also compiled to SQL
    ahead of time for the CLI's quick count (app.compiled_count), so both ask exactly these."""
    lines = scope.lines
    lines = lines.mutate(funder_kind=lines.funder_type.fill_null(OWN_INCOME))
    keys = ["status", *BREAKDOWNS.values()]
    return {"cells": lines.group_by(keys).agg(amount=lines.counted_amount.sum(), lines=lines.count()),
            "unreported_recipients": _unreported_recipients(lines.filter(lines.status == "unreported")),
            "pass_through": pass_through_bodies(lines),
            **overlap_queries(lines)}


def _unreported_recipients(unreported: ir.Table) -> ir.Table:
    by = unreported.group_by(["recipient", "recipient_type"]).agg(
        amount=unreported.counted_amount.sum(), lines=unreported.count(),
        name=unreported.recipient_name.max(),
    )
    return by.order_by([ibis.desc("amount"), "recipient"])


def pass_through_bodies(lines: ir.Table) -> ir.Table:
    """Bodies that only pass money on in scope, with what they received and what they passed on.

    DESIGN.md §4: a pass-through (a body with transfer lines and no spend line in scope, that receives
    transfers in scope) is a reporter, so what it received is eliminated and what it passed on counts where it
    ends. Where it passed on less than it received, the `difference` is shown here and not counted: nobody
    reported spending it. A negative difference is money it passed on from elsewhere (its own budget, or a
    funder outside the place).
    """
    transfers = lines.filter(lines.flow == "transfer")
    passed = transfers.group_by(body=transfers.spender).agg(
        name=transfers.spender_name.max(), body_type=transfers.spender_type.max(),
        passed_on=transfers.counted_amount.sum(), lines=transfers.count())
    received = transfers.group_by(body=transfers.recipient).agg(received=transfers.counted_amount.sum())
    spenders = lines.filter(lines.flow == "spend").select(body=lines.spender).distinct()
    bodies = passed.join(received, "body").anti_join(spenders, "body")
    return bodies.select("body", "name", "body_type", "received", "passed_on", "lines").order_by("body")
