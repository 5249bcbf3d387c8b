"""A register of savings with their margins for error (seed 000 §6.3.2), totalled honestly.

Each entry gives a low, central and high *annual* saving (or one-off amount), whether it recurs, whether it is
revenue or capital, the financial year it starts, a profile, the agency that saves, an evidence link and its
status (idea, estimate, business case). Totals over the horizon are:

- **central**: every entry at its central figure, in Decimal, exactly;
- **P10 / P50 / P90**: from a seeded Monte Carlo over every entry's range (`uncertainty`); entries are
  independent unless they share a `group`, whose entries move together;
- **all at worst / all at best**: the sums of the lows and the highs, shown only to say why they are wrong.

Profiles are fractions per year from the start year, separated by `;`. For a recurring saving they ramp the
annual saving up (`0.25;0.5;1`) and the last fraction holds for the rest of the horizon; for a one-off they
split the amount over years and must add up to 1. A blank profile means `1`.

Seed 004 warns against "the tendency to aggregate [the pilots' savings] and then just expect everywhere to
make those same savings": entries whose basis is `pilot` (achieved elsewhere, assumed here) or `scaled` (a
pilot's saving multiplied up) are flagged, and totals are also shown by basis and by status.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from placespend.deepdive.uncertainty import Range, Simulation, draw, spread, uniforms

ZERO = Decimal(0)
RECURRING, ONE_OFF = "recurring", "one_off"
STATUSES = ("idea", "estimate", "business_case")
BASES = ("local", "pilot", "scaled")
DEFAULT_HORIZON = 5


@dataclass(frozen=True)
class Saving:
    id: str
    description: str
    agency: str
    amount: Range
    start_year: int  # the first calendar year of the financial year, 2010 for 2010-11
    recurrence: str = RECURRING
    capital_revenue: str = "revenue"
    profile: tuple[Decimal, ...] = (Decimal(1),)
    status: str = "estimate"
    basis: str = "local"
    evidence: str = ""
    theme: str = ""
    group: str = ""
    row: int | None = None

    def shares(self, years: list[int]) -> list[Decimal]:
        """Fraction of `amount` that falls in each of `years`."""
        shares = []
        for year in years:
            offset = year - self.start_year
            if offset < 0:
                shares.append(ZERO)
            elif self.recurrence == ONE_OFF:
                shares.append(self.profile[offset] if offset < len(self.profile) else ZERO)
            else:
                shares.append(self.profile[min(offset, len(self.profile) - 1)])
        return shares


def financial_year(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


@dataclass
class SavingsResult:
    entries: list[Saving]
    years: list[int]
    simulation: Simulation
    by_year: list[dict[str, Any]] = field(default_factory=list)
    total: dict[str, Decimal] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # The simulated totals over the horizon, one per draw: what P10/P50/P90 are read from, kept so the web can
    # draw their distribution (not in `to_dict`: ten thousand numbers are a chart, not a figure).
    draws: np.ndarray | None = field(default=None, repr=False)

    def central_by(self, key: str) -> dict[str, Decimal]:
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for entry in self.entries:
            sums[str(getattr(entry, key))] += entry.amount.central * sum(entry.shares(self.years), ZERO)
        return dict(sorted(sums.items()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "years": [financial_year(y) for y in self.years], "total": self.total, "by_year": self.by_year,
            **{f"by_{key}": self.central_by(key) for key in ("agency", "status", "basis", "recurrence",
                                                              "capital_revenue", "theme")},
            "entries": [{"id": e.id, "description": e.description, "agency": e.agency, **e.amount.to_dict(),
                         "start_year": financial_year(e.start_year), "recurrence": e.recurrence,
                         "capital_revenue": e.capital_revenue, "profile": list(e.profile), "status": e.status,
                         "basis": e.basis, "evidence": e.evidence, "theme": e.theme,
                         "over_horizon": e.amount.central * sum(e.shares(self.years), ZERO), "row": e.row}
                        for e in self.entries],
            "simulation": self.simulation.to_dict(), "warnings": self.warnings,
        }


def total_savings(entries: list[Saving], horizon: int = DEFAULT_HORIZON, first_year: int | None = None,
                  simulation: Simulation | None = None) -> SavingsResult:
    """Savings by year and over the horizon: central exactly, P10/P50/P90 by simulation."""
    simulation = simulation or Simulation()
    start = first_year if first_year is not None else min((e.start_year for e in entries), default=0)
    years = list(range(start, start + horizon))
    result = SavingsResult(entries, years, simulation)
    u = uniforms((e.group or f"entry:{e.id}" for e in entries if not e.amount.certain), simulation.draws,
                 simulation.seed)
    samples = np.zeros((len(years), simulation.draws))
    central, lows, highs = ([ZERO] * len(years) for _ in range(3))
    for entry in entries:
        shares = entry.shares(years)
        values = (np.full(simulation.draws, float(entry.amount.central)) if entry.amount.certain
                  else draw(entry.amount, u[entry.group or f"entry:{entry.id}"], simulation.distribution))
        for index, share in enumerate(shares):
            samples[index] += values * float(share)
            central[index] += entry.amount.central * share
            lows[index] += entry.amount.low * share
            highs[index] += entry.amount.high * share
    for index, year in enumerate(years):
        row = spread(samples[index], central[index], lows[index], highs[index]).to_dict()
        result.by_year.append({"year": financial_year(year), **row})
    result.draws = samples.sum(axis=0)
    result.total = spread(result.draws, sum(central, ZERO), sum(lows, ZERO), sum(highs, ZERO)).to_dict()
    result.warnings = _warnings(entries, years)
    return result


def _warnings(entries: list[Saving], years: list[int]) -> list[str]:
    notes = []
    borrowed = [e.id for e in entries if e.basis in ("pilot", "scaled")]
    if borrowed:
        notes.append(f"{', '.join(borrowed)}: savings achieved in a pilot and assumed or scaled up here. Seed 004 "
                     "warns against aggregating pilots' savings and expecting everywhere to make the same; "
                     "test them locally before counting on them.")
    no_range = [e.id for e in entries if e.amount.certain]
    if no_range:
        notes.append(f"{', '.join(no_range)}: no margin for error given (low = central = high); seed 000 §6.3.2 "
                     "asks every estimate to show one.")
    ideas = [e.id for e in entries if e.status == "idea"]
    if ideas:
        notes.append(f"{', '.join(ideas)}: ideas, not yet estimates; see the totals by status.")
    unsupported = [e.id for e in entries if e.status == "business_case" and not e.evidence]
    if unsupported:
        notes.append(f"{', '.join(unsupported)}: business cases without an evidence link.")
    late = [e.id for e in entries if years and e.start_year > years[-1]]
    if late:
        notes.append(f"{', '.join(late)}: start after the horizon and add nothing to it.")
    return notes
