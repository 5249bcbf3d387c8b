"""The count (DESIGN.md §4) for every place at once: one grouped query instead of a loop of `count_place`.

A national ledger has hundreds of places; calling `count_place` for each scans the ledger hundreds of times.
Here every line is joined to each place whose scope holds it (the place itself or one of its member areas, so
a line of an area in two composite places counts in both, as `count_place` would), recipients are matched to
reporters *within the same place*, and the whole ledger is folded in one pass into a small table keyed by
place, status, COFOG division and counted body type (and, for compare's bridge, basis and method). Totals and
breakdowns are then summed in Decimal from those few rows, so the pennies are those of `count_place` on every
engine (tests/count check it place by place).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from placespend.count.consolidate import reporters_of, with_status
from placespend.count.overlaps import COUNTED_STATUSES, OUTTURN_DETAIL, outturn_bodies
from placespend.domain.ledger import Ledger

ZERO = Decimal("0.00")
# What the count's cells are keyed by: place, how each line counts, and the two breakdowns every count gives.
CELL_KEYS = ["scope_place", "status", "cofog_division", "counted_type"]
# cell column -> the PlaceCount breakdown it is summed into (keys as `count_place` gives them: str of the value)
BREAKDOWNS = {"cofog_division": "by_cofog", "counted_type": "by_spender_type", "basis": "by_basis",
              "method": "by_method"}


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
    by_basis: dict[str, Decimal] = field(default_factory=dict)    # only with bridge=True: compare's bridge
    by_method: dict[str, Decimal] = field(default_factory=dict)
    outturn_detail: Decimal = ZERO   # grants inside their council's outturn: shown, not counted


def place_scopes(ledger: Ledger, places: Iterable[str] | None = None) -> ir.Table:
    """(scope_place, code): every place paired with each code a line may carry to be in its scope.

    `places` narrows this to the places asked for, which, as for `count_place`, may be bare area codes that
    are not in the places table."""
    places_table, areas = ledger.table("places"), ledger.table("place_areas")
    if places is None:
        own = places_table.select(scope_place=places_table.place, code=places_table.place)
        members = areas.select(scope_place=areas.place, code=areas.area)
    else:
        chosen = sorted(set(places))
        mine = areas.filter(areas.place.isin(chosen))
        members = mine.select(scope_place=mine.place, code=mine.area)
        own = ibis.memtable(pa.table({"scope_place": chosen, "code": chosen})).cast(members.schema())
    return own.union(members, distinct=True)


def all_places_lines(ledger: Ledger, period: str, places: Iterable[str] | None = None) -> ir.Table:
    """Every live line of the period once per place whose scope holds it, with its status and counted type.

    Read from `place_lines` when it is up to date: the lines are already paired with their places there, so
    the join with the places' scopes is not redone on every count."""
    if ledger.capabilities.has_place_lines:
        stored = ledger.table("place_lines")
        if places is None:
            wanted = ledger.table("places").select(scope_place="place")
        else:
            wanted = ibis.memtable(pa.table({"scope_place": sorted(set(places))})).cast({"scope_place": "string"})
        lines = stored.filter(stored.period == period).semi_join(wanted, "scope_place")
        lines = ledger.with_canonical_ids(lines)
    else:
        flows = ledger.live_lines()
        flows = flows.filter(flows.period == period)
        scopes = place_scopes(ledger, places)
        lines = flows.join(scopes, flows.place == scopes.code).drop("code")
    reporters = reporters_of(lines, "scope_place")
    joined = lines.left_join(reporters, [lines.scope_place == reporters.reporter_scope_place,
                                         lines.recipient == reporters.reporter])
    outturn = outturn_bodies(lines, "scope_place")
    joined = joined.left_join(outturn, [joined.scope_place == outturn.outturn_scope_place,
                                        joined.spender == outturn.outturn_body])
    return with_status(joined).drop("reporter", "reporter_scope_place", "outturn_body", "outturn_scope_place")


def count_cells(ledger: Ledger, period: str, places: Iterable[str] | None = None, *, bridge: bool = False) -> ir.Table:
    """The one pass over the ledger: amount and lines per place, status, COFOG division and counted type.

    `bridge` also splits the cells by basis and method, for compare's bridge; that doubles the cells to fold,
    so only callers that need those breakdowns pay for them."""
    lines = all_places_lines(ledger, period, places)
    keys = [*CELL_KEYS, *(["basis", "method"] if bridge else [])]
    return lines.group_by(keys).agg(amount=lines.counted_amount.sum(), lines=lines.count())


def count_all_places(ledger: Ledger, period: str, places: Iterable[str] | None = None, *,
                     bridge: bool = False) -> dict[str, PlaceCount]:
    """Every place's count for the period, or only the places given (places with no lines in scope are absent);
    with `bridge`, also by basis and by method."""
    return fold_cells(count_cells(ledger, period, places, bridge=bridge).to_pyarrow().to_pylist(), period)


def fold_cells(rows: list[dict[str, object]], period: str) -> dict[str, PlaceCount]:
    """Sum the cells into counts, in Decimal; shared by the benchmark's baselines so all three fold alike
    (cells without basis and method leave those breakdowns empty)."""
    counts: dict[str, PlaceCount] = {}
    sums: dict[str, dict[str, dict[str, Decimal]]] = {
        key: defaultdict(lambda: defaultdict(lambda: ZERO)) for key in BREAKDOWNS.values()}
    for row in rows:
        place, status, amount = str(row["scope_place"]), row["status"], Decimal(row["amount"])  # type: ignore[arg-type]
        count = counts.setdefault(place, PlaceCount(place, period))
        count.lines += int(row["lines"])  # type: ignore[call-overload]
        if status == "eliminated":
            count.eliminated_transfers += amount
            continue
        if status == OUTTURN_DETAIL:
            count.outturn_detail += amount
            continue
        if status == "unreported":
            count.unreported_transfers += amount
        count.total += amount
        for column, breakdown in BREAKDOWNS.items():
            if column in row:
                sums[breakdown][place][str(row[column])] += amount
    for place, count in counts.items():
        for breakdown, by_place in sums.items():
            setattr(count, breakdown, dict(sorted(by_place[place].items())))
    return dict(sorted(counts.items()))


def body_totals(ledger: Ledger, period: str) -> ir.Table:
    """Counted money per place and the body it counts under (its spender, or an unreported recipient): the
    input of concentration (top-N shares, Herfindahl-Hirschman index, small bodies) for every place at once."""
    return _bodies(_body_cells(ledger, period))


def count_and_body_totals(ledger: Ledger, period: str) -> tuple[dict[str, PlaceCount], list[dict[str, object]]]:
    """`count_all_places` and `body_totals` together, from one pass over the lines.

    Why: pairing every line with its places and matching recipients to reporters is most of the cost of
    each; here it is done once into a temporary table of (place, status, division, type, body) cells, which
    both then fold (a few hundred thousand rows at 10M lines instead of the lines twice). An engine without
    temporary tables (Spark through Ibis) computes the two apart, with the same results."""
    if not ledger.capabilities.temp_tables:
        return count_all_places(ledger, period), body_totals(ledger, period).to_pyarrow().to_pylist()
    with ledger.materialised(_body_cells(ledger, period)) as cells:
        counted = cells.group_by(CELL_KEYS).agg(amount=cells.amount.sum(), lines=cells.lines.sum())
        counts = fold_cells(counted.to_pyarrow().to_pylist(), period)
        bodies = _bodies(cells).to_pyarrow().to_pylist()
    return counts, bodies


def _body_cells(ledger: Ledger, period: str) -> ir.Table:
    lines = all_places_lines(ledger, period)
    body = ibis.cases((lines.status == "spend", lines.spender), (lines.status == "unreported", lines.recipient),
                      else_=ibis.null("string"))
    return lines.group_by(scope_place=lines.scope_place, status=lines.status, cofog_division=lines.cofog_division,
                          counted_type=lines.counted_type, body=body).agg(
        amount=lines.counted_amount.sum(), lines=lines.count())


def _bodies(cells: ir.Table) -> ir.Table:
    counted = cells.filter(cells.status.isin(COUNTED_STATUSES))
    return counted.group_by(scope_place=counted.scope_place, body=counted.body,
                            body_type=counted.counted_type).agg(amount=counted.amount.sum())
