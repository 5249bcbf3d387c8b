"""A deep dive's findings in one bundle for the programme board's report: the theme's spend, the journeys, the
cohorts, the savings register and the CBA, each with the input files (name, SHA-256, rows) it came from, so
every number in the report can be traced back to a file and a row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ibis.backends.duckdb import Backend

from placespend.deepdive import inputs
from placespend.deepdive.cba import Appraisal, CashFlow, CbaResult, appraise
from placespend.deepdive.cba_montecarlo import simulate
from placespend.deepdive.cohorts import CohortResult, Move, cohorts
from placespend.deepdive.journeys import JourneyCost, cost_journeys
from placespend.deepdive.savings import DEFAULT_HORIZON, SavingsResult, total_savings
from placespend.deepdive.themes import ThemeReport, ThemeRule, theme_report
from placespend.deepdive.uncertainty import Simulation
from placespend.deepdive.unit_costs import Deflators, Library, build_library
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


def fingerprint(path: Path, kind: str, rows: int) -> dict[str, Any]:
    return {"kind": kind, "file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "rows": rows}


def load_library(spec: DossierSpec, dossier: Dossier) -> Library | None:
    """The unit cost library in the spec's price year (None when no unit costs were given)."""
    if spec.unit_costs is None:
        return None
    costs, report = inputs.read_unit_costs(spec.unit_costs)
    dossier.reports.append(report)
    dossier.files.append(fingerprint(spec.unit_costs, "unit costs", report.rows_read))
    deflators: Deflators | None = None
    if spec.deflators is not None:
        deflators, deflator_report = inputs.read_deflators(spec.deflators)
        dossier.reports.append(deflator_report)
        dossier.files.append(fingerprint(spec.deflators, "deflators", deflator_report.rows_read))
    library = build_library(costs, deflators, spec.price_year, spec.unit_costs.name)
    dossier.reports.append(library.report)
    return library


def build(spec: DossierSpec, con: Backend | None = None) -> Dossier:
    """Read every input the spec names, compute each part, and keep the problems; nothing raises on bad data."""
    dossier = Dossier(spec)
    if spec.rules is not None or spec.theme is not None:
        _theme(spec, dossier, con)
    dossier.library = load_library(spec, dossier)
    if spec.journeys is not None:
        stops, report = inputs.read_journeys(spec.journeys)
        dossier.files.append(fingerprint(spec.journeys, "journeys", report.rows_read))
        dossier.journeys, costing = cost_journeys(stops, dossier.library, spec.journeys.name)
        dossier.reports += [report, costing]
    if spec.segments is not None:
        segments, report = inputs.read_segments(spec.segments, dossier.library)
        dossier.files.append(fingerprint(spec.segments, "segments", report.rows_read))
        dossier.reports.append(report)
        if segments:
            dossier.cohorts = cohorts(segments, spec.moves, spec.segments.name)
            dossier.reports.append(dossier.cohorts.report)
    if spec.savings is not None:
        entries, report = inputs.read_savings(spec.savings)
        dossier.files.append(fingerprint(spec.savings, "savings register", report.rows_read))
        dossier.reports.append(report)
        dossier.savings = total_savings(entries, spec.horizon, simulation=spec.simulation)
    if spec.cba is not None:
        flows, report = inputs.read_cba(spec.cba)
        dossier.files.append(fingerprint(spec.cba, "CBA cash flows", report.rows_read))
        dossier.reports.append(report)
        dossier.cba = run_cba(flows, spec.appraisal, spec.simulation)
    return dossier


def run_cba(flows: list[CashFlow], appraisal: Appraisal, simulation: Simulation) -> CbaResult:
    result = appraise(flows, appraisal)
    result.monte_carlo, result.npv_draws = simulate(result, simulation)
    return result


def _theme(spec: DossierSpec, dossier: Dossier, con: Backend | None) -> None:
    rules: list[ThemeRule] = []
    if spec.rules is not None:
        rules, report = inputs.read_rules(spec.rules)
        dossier.files.append(fingerprint(spec.rules, "theme rules", report.rows_read))
        dossier.reports.append(report)
    if con is None or spec.place is None or spec.period is None:
        missing = Report("theme")
        missing.error("theme-needs-ledger", "A theme needs a workspace, a place and a year (--place, --year).")
        dossier.reports.append(missing)
        return
    dossier.theme = theme_report(con, spec.place, spec.period, rules, spec.theme)
    dossier.files.append({"kind": "ledger", "file": f"workspace: {spec.place} {spec.period}", "sha256": "",
                          "rows": sum(t.lines for t in dossier.theme.themes)})
