"""The count (DESIGN.md §4) for every place at once: one grouped query instead of a loop of `count_place`.

A national ledger has hundreds of places; calling `count_place` for each scans the ledger hundreds of times.
Here every line is joined to each place whose scope holds it (the place itself or one of its member areas, so
a line of an area in two composite places counts in both, as `count_place` would), recipients are matched to
reporters *within the same place*, and the whole ledger is folded in one pass into a small table keyed by
place, status, COFOG division and counted body type. Totals and breakdowns are then summed in Decimal from
those few rows, so the pennies are those of `count_place` on every engine (tests/count check it place by place).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import ibis
import ibis.expr.types as ir
from ibis.backends.duckdb import Backend

from placespend.count.consolidate import with_status
from placespend.engine.tables import active_flows

ZERO = Decimal("0.00")


@dataclass
class PlaceCount:
    """The headline count of one place: the fields of `count_place` that a national run needs."""

    place: str
    period: str
    total: Decimal = ZERO
    lines: int = 0
    unreported_transfers: Decimal = ZERO
    eliminated_transfers: Decimal = ZERO
    by_cofog: dict[str, Decimal] = field(default_factory=dict)
    by_spender_type: dict[str, Decimal] = field(default_factory=dict)


def place_scopes(con: Backend) -> ir.Table:
    """(scope_place, code): every place paired with each code a line may carry to be in its scope."""
    places, areas = con.table("places"), con.table("place_areas")
    own = places.select(scope_place=places.place, code=places.place)
    members = areas.select(scope_place=areas.place, code=areas.area)
    return own.union(members, distinct=True)


def all_places_lines(con: Backend, period: str) -> ir.Table:
    """Every live line of the period once per place whose scope holds it, with its status and counted type."""
    flows = active_flows(con)
    flows = flows.filter(flows.period == period)
    scopes = place_scopes(con)
    lines = flows.join(scopes, flows.place == scopes.code).drop("code")
    spend = lines.filter(lines.flow == "spend")
    reporters = spend.select(reporter_place=spend.scope_place, reporter=spend.spender).distinct()
    joined = lines.left_join(reporters, [lines.scope_place == reporters.reporter_place,
                                         lines.recipient == reporters.reporter])
    return with_status(joined).drop("reporter", "reporter_place")


def count_cells(con: Backend, period: str) -> ir.Table:
    """The one pass over the ledger: amount and lines per place, status, COFOG division and counted type."""
    lines = all_places_lines(con, period)
    return lines.group_by(["scope_place", "status", "cofog_division", "counted_type"]).agg(
        amount=lines.counted_amount.sum(), lines=lines.count())


def count_all_places(con: Backend, period: str) -> dict[str, PlaceCount]:
    """Every place's count for the period (places with no lines in scope are absent)."""
    return fold_cells(count_cells(con, period).to_pyarrow().to_pylist(), period)


def fold_cells(rows: list[dict[str, object]], period: str) -> dict[str, PlaceCount]:
    """Sum the cells into counts, in Decimal; shared by the benchmark's baselines so all three fold alike."""
    counts: dict[str, PlaceCount] = {}
    cofog: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    kinds: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for row in rows:
        place, status, amount = str(row["scope_place"]), row["status"], Decimal(row["amount"])  # type: ignore[arg-type]
        count = counts.setdefault(place, PlaceCount(place, period))
        count.lines += int(row["lines"])  # type: ignore[call-overload]
        if status == "eliminated":
            count.eliminated_transfers += amount
            continue
        if status == "unreported":
            count.unreported_transfers += amount
        count.total += amount
        cofog[place][str(row["cofog_division"])] += amount
        kinds[place][str(row["counted_type"])] += amount
    for place, count in counts.items():
        count.by_cofog = dict(sorted(cofog[place].items()))
        count.by_spender_type = dict(sorted(kinds[place].items()))
    return dict(sorted(counts.items()))


def body_totals(con: Backend, period: str) -> ir.Table:
    """Counted money per place and the body it counts under (its spender, or an unreported recipient): the
    input of concentration (top-N shares, Herfindahl-Hirschman index, small bodies) for every place at once."""
    lines = all_places_lines(con, period)
    counted = lines.filter(lines.status != "eliminated")
    body = ibis.cases((counted.status == "spend", counted.spender), else_=counted.recipient)
    return counted.group_by(scope_place=counted.scope_place, body=body, body_type=counted.counted_type).agg(
        amount=counted.counted_amount.sum())
