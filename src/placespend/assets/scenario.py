"""A "close or share these sites" scenario, as a range of annual revenue savings with its assumptions stated.

Seed 001 §3.2 and §5.21-5.22 put the prize at "up to 10 per cent" of the estate's running costs a year (Kent,
Worcestershire; Cambridgeshire up to 20% over time, after GBP 30m of investment). A scenario prices named
sites instead, each from its own running cost:

- **close**: the site is vacated and its services move to the partners' remaining sites. The saving is a share
  of its running cost: not all of it, because some costs run on until it is sold or re-let (security, empty
  rates) and the sites receiving the services spend more. Default 50% / 75% / 90% (low / central / high).
- **share**: the site stays open and is shared with another partner, whose own costs of space and facilities
  management fall. Default 10% / 20% / 30% of the site's running cost.

These defaults are judgements, not findings: replace them with local evidence (`--close-range`,
`--share-range`). Capital receipts from disposals are not estimated (the Code's registers carry no values),
nor are one-off costs of moving; put those in the savings register or the cost-benefit analysis by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from placespend.domain.assets import Asset

CLOSE, SHARE = "close", "share"
ACTIONS = (CLOSE, SHARE)
PILOT_SHARE = Decimal("0.10")  # seed 001 §3.2: up to 10% of running costs a year (Kent, Worcestershire)
PENNY = Decimal("0.01")


@dataclass(frozen=True)
class Shares:
    low: Decimal
    central: Decimal
    high: Decimal

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.low <= self.central <= self.high <= Decimal(1):
            raise ValueError("a range of shares must satisfy 0 <= low <= central <= high <= 1")


DEFAULT_SHARES = {CLOSE: Shares(Decimal("0.50"), Decimal("0.75"), Decimal("0.90")),
                  SHARE: Shares(Decimal("0.10"), Decimal("0.20"), Decimal("0.30"))}
ASSUMPTIONS = {
    CLOSE: "closing a site saves this share of its annual running cost: some costs run on until it is disposed "
           "of, and the sites that take its services spend more",
    SHARE: "sharing a site with another partner saves this share of its annual running cost (space and facilities "
           "management the partners no longer pay twice)",
}


@dataclass(frozen=True)
class SiteSaving:
    asset: Asset
    action: str
    low: Decimal
    central: Decimal
    high: Decimal

    def to_dict(self) -> dict[str, object]:
        return {"asset": self.asset.asset_code, "owner": self.asset.owner, "name": self.asset.name,
                "action": self.action, "running_cost": self.asset.running_cost, "low": self.low,
                "central": self.central, "high": self.high}


@dataclass
class Scenario:
    sites: list[SiteSaving] = field(default_factory=list)
    unpriced: list[tuple[Asset, str]] = field(default_factory=list)  # (asset, action) without a running cost
    shares: dict[str, Shares] = field(default_factory=dict)
    estate_running_cost: Decimal = Decimal(0)

    def total(self, which: str) -> Decimal:
        return sum((getattr(s, which) for s in self.sites), Decimal(0))

    def to_dict(self) -> dict[str, object]:
        central = self.total("central")
        share = central / self.estate_running_cost if self.estate_running_cost else None
        return {
            "sites": [s.to_dict() for s in self.sites],
            "unpriced": [{"asset": a.asset_code, "owner": a.owner, "name": a.name, "action": action}
                         for a, action in self.unpriced],
            "total": {"low": self.total("low"), "central": central, "high": self.total("high")},
            "assumptions": {action: {"low": s.low, "central": s.central, "high": s.high, "why": ASSUMPTIONS[action]}
                            for action, s in self.shares.items()},
            "estate_running_cost": self.estate_running_cost,
            "central_share_of_estate": share,
            "context": _context(share),
            "not_estimated": "capital receipts from disposals and one-off costs of moving",
        }


def _context(share: Decimal | None) -> str:
    if share is None:
        return "No running costs are reported for the estate, so the scenario cannot be set against it."
    pilots = (f"Seed 001 §3.2: Kent and Worcestershire indicated savings of up to {PILOT_SHARE:.0%} a year of the "
              "estate's running costs.")
    if share > PILOT_SHARE:
        return (f"The central saving is {share:.1%} of the partners' estate running cost, above what the pilots "
                f"thought possible. {pilots} Check the assumptions.")
    return f"The central saving is {share:.1%} of the partners' estate running cost. {pilots}"


def price(actions: list[tuple[Asset, str]], estate: list[Asset],
          shares: dict[str, Shares] | None = None) -> Scenario:
    """Each named site's saving range from its running cost; `estate` is every asset the scenario is part of."""
    shares = {**DEFAULT_SHARES, **(shares or {})}
    used = {action for _, action in actions}
    scenario = Scenario(shares={a: shares[a] for a in ACTIONS if a in used},
                        estate_running_cost=sum((a.running_cost for a in estate if a.running_cost), Decimal(0)))
    for asset, action in actions:
        if asset.running_cost is None:
            scenario.unpriced.append((asset, action))
            continue
        rate = shares[action]
        scenario.sites.append(SiteSaving(asset, action, *(
            (asset.running_cost * getattr(rate, which)).quantize(PENNY) for which in ("low", "central", "high"))))
    return scenario
