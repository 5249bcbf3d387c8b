"""Funding routes: original source -> intermediaries -> final spender -> COFOG division, and what the
hand-overs on the way may cost.

Seed 000 §4.2.3: "The complexity in funding flows is evident from the spend route map ... their
complexity, and the number of funding bodies, does suggest that there is significant potential for
duplication of the costs of distribution, funding and governance." Every counted pound is traced back
through the transfers that brought it (see ``tracing``) and the routes are summed into a graph a
route map can draw, with the number of hand-overs on each route.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from placespend.analysis.shares import ONE, ZERO, money, ratio, share
from placespend.analysis.streams import body_types_in_scope, funding_edges, traced_streams
from placespend.analysis.tracing import find_cycles
from placespend.count.consolidate import ScopedLines, scoped
from placespend.domain.ledger import Ledger
from placespend.domain.problems import PlacespendError

DEFAULT_LOSS_RATE = Decimal("0.20")
DEFAULT_MAX_HOPS = 8


def administrative_cost(amount: Decimal, hand_overs: int, loss_rate: Decimal = DEFAULT_LOSS_RATE) -> Decimal:
    """What the hand-overs of a route cost in administration, on the Audit Commission's rule of thumb.

    Seed 004 (the practitioners' guide, page 108): "the Audit Commission have concluded that, for every
    hand-over of a funding stream from one organisation to another, some 20% of the value of that stream is
    lost in administration." If each of `h` hand-overs loses `r` of what it passes on, the amount that
    reaches the final spender is the original amount times (1 - r)^h, so for `amount` spent the source put
    in amount / (1 - r)^h and administration took the difference:

        cost = amount x ((1 - r)^-h - 1)

    With r = 20%: one hand-over costs 25% of what is finally spent, two 56%, three 95%. (Seed 004's
    Leicester example, GBP 180m of cost on GBP 230m delivered, is 78%: between two and three hand-overs on
    average.) It is an order of magnitude to prompt a conversation, not a measured cost.
    """
    if hand_overs <= 0:
        return ZERO
    return amount / (ONE - loss_rate) ** hand_overs - amount


def method_note(loss_rate: Decimal, max_hops: int) -> str:
    return (f"Each counted pound is traced back through the transfers that brought it to its original source "
            f"(a body spending its own income, or a funder that sends no return). Hand-overs are the transfers "
            f"on the route. Administrative cost = amount x ((1 - r)^-h - 1) with r = {r_text(loss_rate)} lost per "
            f"hand-over (Audit Commission, via seed 004) and h hand-overs: the source's outlay less what was "
            f"finally spent. Routes stop at a body already on them (a pooled-budget cycle) or after {max_hops} "
            f"hand-overs.")


def r_text(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


@dataclass(frozen=True)
class RoutePath:
    """Money that reached one final spender and one COFOG division by one route."""

    bodies: tuple[str, ...]
    division: str
    amount: Decimal
    cyclic: bool
    truncated: bool
    admin_cost: Decimal

    @property
    def hand_overs(self) -> int:
        return len(self.bodies) - 1

    def to_dict(self, types: dict[str, str]) -> dict[str, Any]:
        return {"source": self.bodies[0], "source_type": types.get(self.bodies[0]), "route": list(self.bodies),
                "final_spender": self.bodies[-1], "cofog_division": self.division, "amount": money(self.amount),
                "hand_overs": self.hand_overs, "admin_cost": money(self.admin_cost), "cyclic": self.cyclic,
                "truncated": self.truncated}


@dataclass
class PlaceRoutes:
    place: str
    period: str
    loss_rate: Decimal
    max_hops: int
    paths: list[RoutePath]
    body_types: dict[str, str]
    cycles: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((path.amount for path in self.paths), ZERO)

    @property
    def admin_cost(self) -> Decimal:
        return sum((path.admin_cost for path in self.paths), ZERO)

    def by_hand_overs(self) -> dict[int, Decimal]:
        return _sum_by(self.paths, lambda p: p.hand_overs)

    def by_source(self) -> dict[str, Decimal]:
        return _sum_by(self.paths, lambda p: p.bodies[0])

    def edges(self) -> list[dict[str, Any]]:
        """The route map: body -> body for each hand-over, and final spender -> COFOG division, summed."""
        sums: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
        for path in self.paths:
            for giver, receiver in zip(path.bodies, path.bodies[1:], strict=False):
                sums[(giver, receiver)] += path.amount
            sums[(path.bodies[-1], f"COFOG {path.division}")] += path.amount
        return [{"from": giver, "to": receiver, "amount": money(amount)}
                for (giver, receiver), amount in sorted(sums.items())]

    def to_dict(self) -> dict[str, Any]:
        cyclic = sum((p.amount for p in self.paths if p.cyclic), ZERO)
        truncated = sum((p.amount for p in self.paths if p.truncated), ZERO)
        return {
            "place": self.place, "period": self.period, "total": money(self.total),
            "loss_rate": self.loss_rate, "max_hops": self.max_hops, "method": method_note(self.loss_rate,
                                                                                         self.max_hops),
            "admin_cost": money(self.admin_cost), "admin_cost_share": share(ratio(self.admin_cost, self.total)),
            "by_hand_overs": {str(h): money(a) for h, a in self.by_hand_overs().items()},
            "by_source": {s: money(a) for s, a in self.by_source().items()},
            "cycles": [list(cycle) for cycle in self.cycles],
            "cyclic_amount": money(cyclic), "truncated_amount": money(truncated),
            "paths": [path.to_dict(self.body_types) for path in self.paths],
            "edges": self.edges(),
        }


@dataclass
class RoutesReport:
    period: str
    places: list[PlaceRoutes]

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "places": [place.to_dict() for place in self.places]}


def place_routes(scope: ScopedLines, loss_rate: Decimal = DEFAULT_LOSS_RATE,
                 max_hops: int = DEFAULT_MAX_HOPS) -> PlaceRoutes:
    """Every counted pound of the place on the route it came by, largest routes first."""
    sums: dict[tuple[tuple[str, ...], str, bool, bool], Decimal] = defaultdict(lambda: ZERO)
    for stream in traced_streams(scope, keys=("cofog_division",), max_hops=max_hops):
        route = stream.route
        sums[(route.bodies, stream.keys["cofog_division"], route.cyclic, route.truncated)] += stream.amount
    paths = [RoutePath(bodies, division, amount, cyclic, truncated,
                       administrative_cost(amount, len(bodies) - 1, loss_rate))
             for (bodies, division, cyclic, truncated), amount in sums.items()]
    paths.sort(key=lambda p: (-p.amount, p.bodies, p.division))
    cycles = find_cycles(funding_edges(scope), max_length=max_hops)
    return PlaceRoutes(scope.place, scope.period, loss_rate, max_hops, paths, body_types_in_scope(scope), cycles)


def funding_routes(ledger: Ledger, places: list[str], period: str, loss_rate: Decimal = DEFAULT_LOSS_RATE,
                   max_hops: int = DEFAULT_MAX_HOPS) -> RoutesReport:
    if not ZERO <= loss_rate < ONE:
        raise PlacespendError(f"The loss per hand-over must be at least 0 and below 1 (20% is 0.20), not {loss_rate}.")
    if max_hops < 1:
        raise PlacespendError(f"The longest route must be at least 1 hand-over, not {max_hops}.")
    return RoutesReport(period, [place_routes(scoped(ledger, p, period), loss_rate, max_hops) for p in places])


def _sum_by(paths: list[RoutePath], key: Any) -> dict[Any, Decimal]:
    sums: dict[Any, Decimal] = defaultdict(lambda: ZERO)
    for path in paths:
        sums[key(path)] += path.amount
    return dict(sorted(sums.items()))
