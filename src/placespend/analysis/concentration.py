"""How concentrated a place's spend is among its spending bodies, and how many small bodies it has.

Seed 000 §3.1.5: "spend is highly concentrated among three spending bodies with 77% of the total", with a
long tail of bodies that spend little; §4.2.2: "a large number of bodies spend less than £50k per annum in
individual pilot areas - and even more spend less than £100k per annum - this suggests that time and
effort is being spent on administering and managing relatively low levels of funds", and "many examples
of them contributing to one COFOG category (for example, 80 agencies spend on economic affairs ...)".

A body's spend is what it counts under: its own spend lines, plus transfers it received that nobody
reports spending (an unreported recipient's spend, DESIGN.md §4).

The Herfindahl-Hirschman index is the sum of the squared shares: 1 (10,000 points) when one body spends
everything, 1/n for n equal bodies. The bands follow the US merger guidelines' reading of the 0-10,000
scale (below 1,500 unconcentrated, 1,500-2,500 moderately, above 2,500 highly concentrated); they are a
familiar yardstick, not a finding about public services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from placespend.analysis.shares import ZERO, money, ratio, share
from placespend.analysis.streams import counted_streams
from placespend.count.consolidate import ScopedLines, scoped
from placespend.domain.ledger import Ledger

DEFAULT_THRESHOLDS = (Decimal(50_000), Decimal(100_000))
HHI_SCALE = Decimal(10_000)
HHI_BANDS = ((Decimal(1_500), "unconcentrated"), (Decimal(2_500), "moderately concentrated"))


@dataclass(frozen=True)
class RankedBody:
    rank: int
    body: str
    name: str | None
    body_type: str
    amount: Decimal
    share: Decimal
    cumulative_share: Decimal   # the Pareto curve: share of the total spent by the bodies ranked 1..rank
    divisions: int

    def to_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "body": self.body, "name": self.name, "body_type": self.body_type,
                "amount": money(self.amount), "share": share(self.share),
                "cumulative_share": share(self.cumulative_share), "divisions": self.divisions}


@dataclass(frozen=True)
class SmallBodies:
    """Bodies spending less than `threshold` in the place: how many, and how much they spend together."""

    threshold: Decimal
    bodies: int
    total: Decimal
    share: Decimal
    names: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"threshold": money(self.threshold), "bodies": self.bodies, "total": money(self.total),
                "share": share(self.share), "body_ids": self.names}


@dataclass
class PlaceConcentration:
    place: str
    period: str
    total: Decimal
    ranking: list[RankedBody]
    bodies_per_division: dict[str, dict[str, Any]]
    small_bodies: list[SmallBodies] = field(default_factory=list)

    def top_share(self, n: int) -> Decimal:
        return self.ranking[min(n, len(self.ranking)) - 1].cumulative_share if self.ranking else ZERO

    @property
    def hhi(self) -> Decimal:
        """Herfindahl-Hirschman index on the 0-1 scale: the sum of the squared shares of the bodies."""
        return sum((body.share * body.share for body in self.ranking), ZERO)

    @property
    def hhi_points(self) -> Decimal:
        return self.hhi * HHI_SCALE

    @property
    def hhi_band(self) -> str:
        return next((label for limit, label in HHI_BANDS if self.hhi_points < limit), "highly concentrated")

    @property
    def multi_division_bodies(self) -> int:
        """Bodies spending in more than one division: seed 000 found "very few examples"."""
        return sum(1 for body in self.ranking if body.divisions > 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "place": self.place, "period": self.period, "total": money(self.total), "bodies": len(self.ranking),
            "top3_share": share(self.top_share(3)), "top10_share": share(self.top_share(10)),
            "hhi": self.hhi_points.quantize(Decimal("0.01")), "hhi_fraction": share(self.hhi),
            "hhi_band": self.hhi_band, "multi_division_bodies": self.multi_division_bodies,
            "divisions_per_body": {body.body: body.divisions for body in self.ranking},
            "bodies_per_division": {code: {"bodies": row["bodies"], "amount": money(row["amount"])}
                                    for code, row in self.bodies_per_division.items()},
            "small_bodies": [small.to_dict() for small in self.small_bodies],
            "ranking": [body.to_dict() for body in self.ranking],
        }


@dataclass
class ConcentrationReport:
    period: str
    thresholds: tuple[Decimal, ...]
    places: list[PlaceConcentration]

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "thresholds": [money(t) for t in self.thresholds],
                "hhi_method": "sum over bodies of (body's counted spend / place total)^2; x10,000 for points",
                "places": [place.to_dict() for place in self.places]}


def place_concentration(scope: ScopedLines,
                        thresholds: tuple[Decimal, ...] = DEFAULT_THRESHOLDS) -> PlaceConcentration:
    streams = counted_streams(scope)
    per_body = streams.group_by("body").agg(
        amount=streams.counted_amount.sum(), name=streams.body_name.max(), body_type=streams.body_type.max(),
        divisions=streams.cofog_division.nunique(),
    )
    rows = per_body.to_pyarrow().to_pylist()
    rows.sort(key=lambda r: (-r["amount"], r["body"]))
    total = sum((row["amount"] for row in rows), ZERO)
    ranking, running = [], ZERO
    for rank, row in enumerate(rows, start=1):
        running += row["amount"]
        ranking.append(RankedBody(rank, row["body"], row["name"], row["body_type"], row["amount"],
                                  ratio(row["amount"], total), ratio(running, total), int(row["divisions"])))
    per_division = streams.group_by("cofog_division").agg(bodies=streams.body.nunique(),
                                                          amount=streams.counted_amount.sum())
    divisions = {row["cofog_division"]: {"bodies": int(row["bodies"]), "amount": row["amount"]}
                 for row in sorted(per_division.to_pyarrow().to_pylist(), key=lambda r: r["cofog_division"])}
    return PlaceConcentration(scope.place, scope.period, total, ranking, divisions,
                              [_small(ranking, limit, total) for limit in sorted(thresholds)])


def concentration(ledger: Ledger, places: list[str], period: str,
                  thresholds: tuple[Decimal, ...] = DEFAULT_THRESHOLDS) -> ConcentrationReport:
    ordered = tuple(sorted(thresholds))
    return ConcentrationReport(period, ordered, [place_concentration(scoped(ledger, p, period), ordered)
                                                   for p in places])


def _small(ranking: list[RankedBody], threshold: Decimal, total: Decimal) -> SmallBodies:
    below = [body for body in ranking if body.amount < threshold]
    spent = sum((body.amount for body in below), ZERO)
    return SmallBodies(threshold, len(below), spent, ratio(spent, total), sorted(body.body for body in below))
