"""Cost-benefit analysis of prevention, in the manner of the HM Treasury Green Book and the GMCA CBA model.

Inputs are cash flows (year, agency, investment or benefit, GBP undiscounted). Conventions, all written out
in the report beside the figures:

- **Discounting** (Green Book): the discount factor of year t is 1 / (1 + r)^t, year 0 (the first year) is
  undiscounted; r defaults to the Green Book's 3.5%. The Green Book lowers r to 3.0% after year 30; this model
  keeps one rate and says so when a flow lies beyond year 30.
- **Optimism bias** is an uplift to investment costs: cost x (1 + ob). Appraisals are optimistic about costs,
  so the Green Book asks for an uplift unless evidence supports none.
- **Deadweight** is the share of benefits that would have happened anyway: benefit x (1 - dw).
- NPV = PV(benefits) - PV(investment); BCR = PV(benefits) / PV(investment); ROI = NPV / PV(investment);
  payback year = the first year in which cumulative discounted benefit >= cumulative discounted investment.
- **Who invests, who benefits** (seed 004: "if I'm putting money in my budget but the benefit's going to
  somebody else's budget, why should I do it?" ... "there's no final arbiter"): each agency's discounted net
  benefit; a matrix that credits each beneficiary's benefit to the investors in proportion to their
  discounted investment (a pooled-budget reading); and the balancing transfers that would give every agency
  the programme's BCR on its own investment. That is one possible rule, offered for negotiation, not a ruling.
- **A - (B + C) = Y** (seed 004, Dorset, Poole and Bournemouth): A the savings secured (benefits), B the
  increased investment in enhanced services, C the cost of sustained universal provision, Y the net
  contribution. Investment rows are B unless marked C; with discounting, Y equals the NPV.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from placespend.deepdive.uncertainty import Range

INVESTMENT, BENEFIT = "investment", "benefit"
KINDS = (INVESTMENT, BENEFIT)
COMPONENTS = ("A", "B", "C")
GREEN_BOOK_RATE = Decimal("0.035")
GREEN_BOOK_LONG_TERM_FROM = 31  # the Green Book's rate falls to 3.0% for years 31-75
ZERO = Decimal(0)


@dataclass(frozen=True)
class CashFlow:
    """One row of the CBA file: money one agency puts in, or saves, in one year (GBP, undiscounted)."""

    year: int
    agency: str
    kind: str
    amount: Range
    component: str = ""  # A, B or C; blank means A for benefits and B for investment
    stream: str = ""  # flows in one stream move together in the Monte Carlo; blank means agency + kind
    row: int | None = None
    note: str = ""

    @property
    def part(self) -> str:
        return self.component or ("A" if self.kind == BENEFIT else "B")

    @property
    def stream_key(self) -> str:
        return self.stream or f"{self.agency}|{self.kind}"


@dataclass(frozen=True)
class Appraisal:
    """The appraisal's parameters (fractions: 0.035 is 3.5%)."""

    discount_rate: Decimal = GREEN_BOOK_RATE
    optimism_bias: Decimal = ZERO
    deadweight: Decimal = ZERO

    def factor(self, year: int) -> Decimal:
        return 1 / (1 + self.discount_rate) ** year

    def adjustment(self, kind: str) -> Decimal:
        return 1 + self.optimism_bias if kind == INVESTMENT else 1 - self.deadweight

    def to_dict(self) -> dict[str, Decimal]:
        return {"discount_rate": self.discount_rate, "optimism_bias": self.optimism_bias,
                "deadweight": self.deadweight}


@dataclass
class Totals:
    """Investment and benefit after optimism bias and deadweight, undiscounted and discounted."""

    investment: Decimal = ZERO
    benefit: Decimal = ZERO
    pv_investment: Decimal = ZERO
    pv_benefit: Decimal = ZERO

    def add(self, kind: str, amount: Decimal, factor: Decimal) -> None:
        if kind == INVESTMENT:
            self.investment += amount
            self.pv_investment += amount * factor
        else:
            self.benefit += amount
            self.pv_benefit += amount * factor

    @property
    def npv(self) -> Decimal:
        return self.pv_benefit - self.pv_investment

    @property
    def bcr(self) -> Decimal | None:
        return self.pv_benefit / self.pv_investment if self.pv_investment else None

    def to_dict(self) -> dict[str, Any]:
        return {"investment": self.investment, "benefit": self.benefit, "pv_investment": self.pv_investment,
                "pv_benefit": self.pv_benefit, "npv": self.npv, "bcr": self.bcr}


@dataclass
class CbaResult:
    appraisal: Appraisal
    flows: list[CashFlow]
    total: Totals
    years: dict[int, Totals]
    agencies: dict[str, Totals]
    components: dict[str, Decimal]
    agency_years: dict[tuple[str, int], Totals] = field(default_factory=dict)
    monte_carlo: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    # NPV of every Monte Carlo draw, kept to draw its distribution (not in `to_dict`).
    npv_draws: Any = field(default=None, repr=False)

    @property
    def payback_year(self) -> int | None:
        cum_investment = cum_benefit = ZERO
        for year in sorted(self.years):
            cum_investment += self.years[year].pv_investment
            cum_benefit += self.years[year].pv_benefit
            if cum_benefit >= cum_investment:
                return year
        return None

    @property
    def undiscounted_bcr(self) -> Decimal | None:
        return self.total.benefit / self.total.investment if self.total.investment else None

    def matrix(self) -> dict[str, dict[str, Decimal]]:
        """investor -> beneficiary -> PV benefit credited to that investor (pro rata to PV investment)."""
        invested = self.total.pv_investment
        if not invested:
            return {}
        return {investor: {beneficiary: b.pv_benefit * i.pv_investment / invested
                           for beneficiary, b in self.agencies.items() if b.pv_benefit}
                for investor, i in self.agencies.items() if i.pv_investment}

    def balancing_transfers(self) -> dict[str, Decimal]:
        """What each agency would pay (+) or receive (-) for every agency to earn the programme's BCR."""
        bcr = self.total.bcr
        if bcr is None:
            return {}
        return {agency: t.pv_benefit - t.pv_investment * bcr for agency, t in self.agencies.items()}

    def net_contribution(self) -> dict[str, Decimal]:
        a, b, c = (self.components.get(part, ZERO) for part in COMPONENTS)
        return {"A": a, "B": b, "C": c, "Y": a - (b + c)}

    def to_dict(self) -> dict[str, Any]:
        total = self.total
        cumulative = Totals()
        years = []
        for year in sorted(self.years):
            row = self.years[year]
            cumulative.pv_investment += row.pv_investment
            cumulative.pv_benefit += row.pv_benefit
            years.append({"year": year, "discount_factor": self.appraisal.factor(year), **row.to_dict(),
                          "cumulative_pv_investment": cumulative.pv_investment,
                          "cumulative_pv_benefit": cumulative.pv_benefit})
        return {
            **self.appraisal.to_dict(),
            "npv": total.npv, "bcr": total.bcr, "roi": total.npv / total.pv_investment if total.pv_investment
            else None, "payback_year": self.payback_year,
            "pv_investment": total.pv_investment, "pv_benefit": total.pv_benefit,
            "undiscounted": {"investment": total.investment, "benefit": total.benefit,
                             "net": total.benefit - total.investment, "bcr": self.undiscounted_bcr},
            "by_agency": {agency: t.npv for agency, t in sorted(self.agencies.items())},
            "agencies": [{"agency": agency, **t.to_dict()} for agency, t in sorted(self.agencies.items())],
            "years": years,
            "by_agency_year": [{"agency": agency, "year": year, **t.to_dict()}
                               for (agency, year), t in sorted(self.agency_years.items())],
            "who_invests_who_benefits": self.matrix(),
            "balancing_transfers": self.balancing_transfers(),
            "net_contribution": self.net_contribution(),
            "monte_carlo": self.monte_carlo,
            "warnings": self.warnings,
            "rows": len(self.flows),
        }


def appraise(flows: list[CashFlow], appraisal: Appraisal | None = None) -> CbaResult:
    """Discount every flow at its central amount and total it by year, agency and A/B/C component."""
    appraisal = appraisal or Appraisal()
    total, years, agencies, agency_years = Totals(), defaultdict(Totals), defaultdict(Totals), defaultdict(Totals)
    components: dict[str, Decimal] = defaultdict(Decimal)
    if flows:
        for year in range(min(f.year for f in flows), max(f.year for f in flows) + 1):
            years[year] = Totals()  # a year with no flows still counts towards payback
    for flow in flows:
        amount = flow.amount.central * appraisal.adjustment(flow.kind)
        factor = appraisal.factor(flow.year)
        for totals in (total, years[flow.year], agencies[flow.agency], agency_years[(flow.agency, flow.year)]):
            totals.add(flow.kind, amount, factor)
        components[flow.part] += amount * factor
    result = CbaResult(appraisal, flows, total, dict(years), dict(agencies), dict(components), dict(agency_years))
    result.warnings = _warnings(result)
    return result


def _warnings(result: CbaResult) -> list[str]:
    notes = []
    appraisal = result.appraisal
    if appraisal.discount_rate != GREEN_BOOK_RATE:
        notes.append(f"Discount rate {float(appraisal.discount_rate):.2%} differs from the Green Book's 3.5%.")
    if any(year >= GREEN_BOOK_LONG_TERM_FROM for year in result.years):
        notes.append("Flows beyond year 30 are discounted at the same rate; the Green Book uses 3.0% for "
                     "years 31-75.")
    if not appraisal.optimism_bias and result.total.investment:
        notes.append("No optimism bias applied: the Green Book expects an uplift to costs unless evidence "
                     "supports none (--optimism-bias).")
    losers = sorted(agency for agency, t in result.agencies.items() if t.npv < 0)
    winners = sorted(agency for agency, t in result.agencies.items() if t.npv > 0)
    if losers and winners:
        notes.append(f"{', '.join(losers)} invest(s) more than they get back while {', '.join(winners)} "
                     "gain(s): agree who pays and who shares the savings before committing (see the balancing "
                     "transfers; seed 004: 'there's no final arbiter').")
    return notes
