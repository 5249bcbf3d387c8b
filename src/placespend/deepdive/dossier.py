"""A deep dive's findings in one bundle for the programme board's report: the theme's spend, the journeys, the
cohorts, the savings register and the CBA, each with the input files (name, SHA-256, rows) it came from, so
every number in the report can be traced back to a file and a row. The app builds one (`app.deepdive.build`):
it reads the files and the ledger, the methods here compute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from placespend.deepdive.cba import Appraisal, CashFlow, CbaResult, appraise
from placespend.deepdive.cba_montecarlo import simulate
from placespend.deepdive.cohorts import CohortResult, Move
from placespend.deepdive.journeys import JourneyCost
from placespend.deepdive.savings import DEFAULT_HORIZON, SavingsResult
from placespend.deepdive.themes import ThemeReport
from placespend.deepdive.uncertainty import Simulation
from placespend.deepdive.unit_costs import Library
from placespend.domain.problems import Report

# The conventions behind every figure, printed in the report's appendix beside the inputs.
METHOD = (
    "Money is exact (Decimal) and rounded to pennies only for display.",
    "Discount factor 1/(1+r)^t, year 0 undiscounted (HM Treasury Green Book; r defaults to 3.5%).",
    "Optimism bias is an uplift to investment costs (cost x (1+ob)); deadweight reduces benefits (x (1-dw)).",
    "BCR = PV benefits / PV investment; ROI = NPV / PV investment; payback = first year cumulative PV benefit "
    ">= cumulative PV investment.",
    "Who invests / who benefits credits each beneficiary's PV benefit to investors pro rata to their PV "
    "investment; balancing transfers give every agency the programme's BCR. One rule, offered for negotiation.",
    "Ranges are drawn from PERT (or triangular) distributions by seeded Monte Carlo; P10/P50/P90 replace the "
    "sum of lows and highs, which assumes every estimate at its extreme at once.",
    "Journey stop cost = (unit or actual cost + staff hours x rate + travel) x repeats; repeat cost is the cost "
    "of stops where an agency does again what it did at an earlier stop.",
    "Theme totals count a line in every theme it belongs to, so they overlap.",
)


@dataclass
class DossierSpec:
    """What to put in the deep dive: every part is optional."""

    title: str = "Deep dive"
    place: str | None = None
    period: str | None = None
    theme: str | None = None
    rules: Path | None = None
    unit_costs: Path | None = None
    deflators: Path | None = None
    price_year: str | None = None
    journeys: Path | None = None
    segments: Path | None = None
    moves: list[Move] = field(default_factory=list)
    savings: Path | None = None
    horizon: int = DEFAULT_HORIZON
    cba: Path | None = None
    appraisal: Appraisal = field(default_factory=Appraisal)
    simulation: Simulation = field(default_factory=Simulation)


@dataclass
class Dossier:
    spec: DossierSpec
    theme: ThemeReport | None = None
    library: Library | None = None
    journeys: list[JourneyCost] = field(default_factory=list)
    cohorts: CohortResult | None = None
    savings: SavingsResult | None = None
    cba: CbaResult | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(report.ok for report in self.reports)

    def to_dict(self) -> dict[str, Any]:
        spec = self.spec
        return {
            "title": spec.title, "place": spec.place, "period": spec.period, "theme_name": spec.theme,
            "theme": self.theme.to_dict() if self.theme else None,
            "unit_costs": self.library.to_dict() if self.library else None,
            "journeys": [j.to_dict() for j in self.journeys],
            "cohorts": self.cohorts.to_dict() if self.cohorts else None,
            "savings": self.savings.to_dict() if self.savings else None,
            "cba": self.cba.to_dict() if self.cba else None,
            "inputs": self.files, "problems": [r.to_dict() for r in self.reports if r.problems],
        }


def run_cba(flows: list[CashFlow], appraisal: Appraisal, simulation: Simulation) -> CbaResult:
    result = appraise(flows, appraisal)
    result.monte_carlo, result.npv_draws = simulate(result, simulation)
    return result
