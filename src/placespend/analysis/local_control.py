"""Every counted flow on seed 000's spectrum of local control, from locally decided to centrally directed.

Seed 000 §4.4.1 (Figure 2, "Spectrum of Local Control"): the identity of the spending body "can be used
to infer degrees of decentralisation", but "even for PCT and local authority spending, the level of real
local discretion might be more limited than has been suggested, because of: legislation governing the
type and level of service ...; central government prescribed targets or standards; funding conditions
and restrictions, including issues of ring fencing; the weakening of control as funding is channelled
through one or more intermediate bodies". Worcestershire found "local government controls only about 25%".

The scoring rule (`RULE`) turns those four limits into points, from the ledger's own fields:

1. Who decides. Money that counts under a national body (central government, executive agency, NDPB,
   justice, EU, lottery) is **centrally directed**, whatever else is true.
2. Otherwise score the limits on a local body's discretion:
   - ring-fenced (``ring_fenced = yes``): 2 points, the strongest funding condition;
   - statutory (``statutory = yes``): 1 point, legislation fixes the type and level of service;
   - national original source (the route's first body is central government, an agency, an NDPB, the
     EU or a lottery distributor, as traced by ``funding_routes``): 1 point, central targets and grant
     conditions come with the money;
   - intermediaries (bodies between the original source and the spender, i.e. hand-overs - 1): 1 point
     each, at most 2, each "a gateway controlled by the higher level distributor".
   0 points = **locally decided**, 1 = **local discretion**, 2-3 = **locally constrained**,
   4-6 = **centrally conditioned**.

"Under local control" is the first two bands. Blank ``ring_fenced``/``statutory`` score as "no" (the
returns rarely fill them), so the share is an upper bound; the amount with blank flags is reported.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from placespend.analysis.funding_routes import DEFAULT_MAX_HOPS
from placespend.analysis.shares import ZERO, money, ratio, share
from placespend.analysis.streams import NATIONAL_SOURCES, body_types_in_scope, traced_streams
from placespend.count.consolidate import ScopedLines, scoped
from placespend.domain.ledger import Ledger

CENTRAL_DECIDERS = frozenset({"central_government", "executive_agency", "ndpb", "justice", "eu", "lottery"})
MAX_INTERMEDIARY_POINTS = 2


@dataclass(frozen=True)
class Band:
    name: str
    label: str
    rule: str
    local: bool


BANDS = (
    Band("locally_decided", "Locally decided", "local body, own or local income, no ring-fence, not statutory",
         True),
    Band("local_discretion", "Local discretion", "local body, one light limit (1 point)", True),
    Band("locally_constrained", "Locally constrained", "local body, 2-3 points (e.g. ring-fenced)", False),
    Band("centrally_conditioned", "Centrally conditioned", "local body, 4-6 points", False),
    Band("centrally_directed", "Centrally directed", "money spent by a national body", False),
)
RULE = ("Spent by a national body (central government, agency, NDPB, justice, EU, lottery) -> centrally "
        "directed. Otherwise points: ring-fenced 2, statutory 1, national original source 1, 1 per intermediary "
        "body between source and spender (max 2); 0 locally decided, 1 local discretion, 2-3 locally "
        "constrained, 4+ centrally conditioned. Blank ring_fenced/statutory count as no. Seed 000 §4.4.1.")


def score(body_type: str, source_type: str | None, ring_fenced: bool | None, statutory: bool | None,
          hand_overs: int) -> tuple[str, dict[str, int]]:
    """The band a flow falls in, and the points behind it (empty for a national spender)."""
    if body_type in CENTRAL_DECIDERS:
        return "centrally_directed", {}
    points = {
        "ring_fenced": 2 if ring_fenced else 0,
        "statutory": 1 if statutory else 0,
        "national_source": 1 if source_type in NATIONAL_SOURCES else 0,
        "intermediaries": min(max(hand_overs - 1, 0), MAX_INTERMEDIARY_POINTS),
    }
    total = sum(points.values())
    band = ("locally_decided" if total == 0 else "local_discretion" if total == 1
            else "locally_constrained" if total <= 3 else "centrally_conditioned")
    return band, points


@dataclass(frozen=True)
class ScoredFlow:
    body: str
    body_type: str
    source: str
    source_type: str | None
    hand_overs: int
    ring_fenced: bool | None
    statutory: bool | None
    band: str
    points: dict[str, int]
    amount: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {"body": self.body, "body_type": self.body_type, "source": self.source,
                "source_type": self.source_type, "hand_overs": self.hand_overs, "ring_fenced": self.ring_fenced,
                "statutory": self.statutory, "band": self.band, "points": self.points,
                "score": sum(self.points.values()), "amount": money(self.amount)}


@dataclass
class PlaceLocalControl:
    place: str
    period: str
    flows: list[ScoredFlow] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((flow.amount for flow in self.flows), ZERO)

    def by_band(self) -> dict[str, Decimal]:
        sums = {band.name: ZERO for band in BANDS}
        for flow in self.flows:
            sums[flow.band] += flow.amount
        return sums

    @property
    def under_local_control(self) -> Decimal:
        local = {band.name for band in BANDS if band.local}
        return sum((amount for name, amount in self.by_band().items() if name in local), ZERO)

    @property
    def unknown_flags(self) -> Decimal:
        """Spend by local bodies whose ring-fence or statutory flag was left blank (scored as 'no')."""
        return sum((f.amount for f in self.flows if f.band != "centrally_directed"
                    and (f.ring_fenced is None or f.statutory is None)), ZERO)

    def by_body_type(self) -> dict[str, dict[str, Decimal]]:
        table: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
        for flow in self.flows:
            table[flow.body_type][flow.band] += flow.amount
        return {kind: dict(bands) for kind, bands in sorted(table.items())}

    def to_dict(self) -> dict[str, Any]:
        total = self.total
        return {
            "place": self.place, "period": self.period, "total": money(total), "rule": RULE,
            "bands": [{"band": b.name, "label": b.label, "rule": b.rule, "local": b.local,
                       "amount": money(amount), "share": share(ratio(amount, total))}
                      for b, amount in zip(BANDS, self.by_band().values(), strict=True)],
            "under_local_control": money(self.under_local_control),
            "under_local_control_share": share(ratio(self.under_local_control, total)),
            "blank_flags_amount": money(self.unknown_flags),
            "by_body_type": {k: {b: money(a) for b, a in v.items()} for k, v in self.by_body_type().items()},
            "flows": [flow.to_dict() for flow in self.flows],
        }


@dataclass
class LocalControlReport:
    period: str
    places: list[PlaceLocalControl]

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "rule": RULE, "places": [place.to_dict() for place in self.places]}


def place_local_control(scope: ScopedLines, max_hops: int = DEFAULT_MAX_HOPS) -> PlaceLocalControl:
    """Each counted flow, traced to its original source, scored and banded; largest flows first."""
    types = body_types_in_scope(scope)
    sums: dict[tuple[Any, ...], Decimal] = defaultdict(lambda: ZERO)
    for stream in traced_streams(scope, keys=("ring_fenced", "statutory"), max_hops=max_hops):
        keys, route = stream.keys, stream.route
        sums[(keys["body"], keys["body_type"], route.source, route.hand_overs, keys["ring_fenced"],
              keys["statutory"])] += stream.amount
    flows = []
    for (body, kind, source, hand_overs, ring_fenced, statutory), amount in sums.items():
        source_type = kind if source == body else types.get(source)
        band, points = score(kind, source_type, ring_fenced, statutory, hand_overs)
        flows.append(ScoredFlow(body, kind, source, source_type, hand_overs, ring_fenced, statutory, band,
                                points, amount))
    flows.sort(key=lambda f: (-f.amount, f.body, f.source, f.hand_overs))
    return PlaceLocalControl(scope.place, scope.period, flows)


def local_control(ledger: Ledger, places: list[str], period: str,
                  max_hops: int = DEFAULT_MAX_HOPS) -> LocalControlReport:
    return LocalControlReport(period, [place_local_control(scoped(ledger, place, period), max_hops)
                                       for place in places])
