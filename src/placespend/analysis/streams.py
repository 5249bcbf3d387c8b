"""The counted money of a place as *streams*: who finally spends it, who handed it to them, and the
funding edges between bodies that let a stream be traced back to its original source.

Every analysis that looks past the spending body (local control, funding routes) starts here, so the
rule "an unreported transfer is the recipient's spend" (DESIGN.md §4) is applied once:

- a counted ``spend`` line is spent by its ``spender``; the money came from its ``funder`` (blank = own
  income or local taxation);
- a counted (unreported) ``transfer`` line is spent by its ``recipient``; the money came from the line's
  ``spender``, who had it from the line's ``funder``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from placespend.analysis.tracing import Funding, Route, trace
from placespend.count.consolidate import ScopedLines

# Body types whose money is national: departments, their agencies and NDPBs, the EU and Lottery distributors.
NATIONAL_SOURCES = frozenset({"central_government", "executive_agency", "ndpb", "eu", "lottery"})
STREAM_KEYS = ("body", "body_type", "first_funder", "upstream_funder", "status")


def counted_streams(scope: ScopedLines) -> ir.Table:
    """Counted lines with the body that finally spends the money and the body that handed it over."""
    lines = scope.counted
    spend = lines.status == "spend"
    return lines.mutate(
        body=ibis.cases((spend, lines.spender), else_=lines.recipient),
        body_type=lines.counted_type,
        body_name=ibis.cases((spend, lines.spender_name), else_=lines.recipient_name),
        first_funder=ibis.cases((spend, lines.funder), else_=lines.spender),
        upstream_funder=ibis.cases((~spend, lines.funder)),
    )


def transfer_funding(scope: ScopedLines) -> Funding:
    """(giver, receiver) -> {giver's own funder or None for own income: amount} over all transfers in scope.

    Eliminated transfers count here too: they are not counted as spend, but they are the hand-overs.
    """
    lines = scope.lines
    transfers = lines.filter(lines.flow == "transfer")
    by = transfers.group_by(["spender", "recipient", "funder"]).agg(amount=transfers.counted_amount.sum())
    funding: Funding = {}
    for row in by.to_pyarrow().to_pylist():
        funding.setdefault((row["spender"], row["recipient"]), {})[row["funder"]] = row["amount"]
    return funding


def funding_edges(scope: ScopedLines) -> set[tuple[str, str]]:
    """Every declared movement of money between two bodies: transfers, and funders named on any line."""
    lines = scope.lines
    transfers = lines.filter(lines.flow == "transfer").select(giver=lines.spender, receiver=lines.recipient)
    funded = lines.filter(lines.funder.notnull()).select(giver=lines.funder, receiver=lines.spender)
    edges = transfers.union(funded).distinct().to_pyarrow().to_pylist()
    return {(row["giver"], row["receiver"]) for row in edges}


def body_types_in_scope(scope: ScopedLines) -> dict[str, str]:
    """Body -> type as the lines in scope declare it (spender, recipient or funder), else the bodies table."""
    lines = scope.lines
    parts = [lines.select(body=lines.spender, kind=lines.spender_type),
             lines.select(body=lines.recipient, kind=lines.recipient_type),
             lines.select(body=lines.funder, kind=lines.funder_type)]
    declared = parts[0].union(parts[1]).union(parts[2])
    declared = declared.filter(declared.body.notnull(), declared.kind.notnull())
    rows = declared.group_by("body").agg(kind=declared.kind.max()).to_pyarrow().to_pylist()
    bodies = scope.ledger.table("bodies")
    known = bodies.filter(bodies.body_type.notnull()).select("body", "body_type").to_pyarrow().to_pylist()
    types = {row["body"]: row["body_type"] for row in known}
    types.update({row["body"]: row["kind"] for row in rows})
    return types


@dataclass(frozen=True)
class TracedStream:
    """A slice of counted money that followed one route from its original source to the body spending it."""

    keys: dict[str, Any]
    route: Route
    amount: Decimal


def traced_streams(scope: ScopedLines, keys: Iterable[str] = (), max_hops: int = 8) -> list[TracedStream]:
    """Counted money grouped by `STREAM_KEYS` + `keys`, each group split over the routes it came by."""
    streams = counted_streams(scope)
    group = [*STREAM_KEYS, *keys]
    rows = streams.group_by(group).agg(amount=streams.counted_amount.sum()).to_pyarrow().to_pylist()
    funding = transfer_funding(scope)
    traced = []
    for row in sorted(rows, key=lambda r: tuple(str(r[k]) for k in group)):
        upstream = {row["upstream_funder"]: Decimal(1)} if row["status"] == "unreported" else None
        for route in trace(row["body"], row["first_funder"], funding, max_hops, upstream):
            traced.append(TracedStream(row, route, row["amount"] * route.share))
    return traced
