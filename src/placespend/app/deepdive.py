"""The deep-dive use case: read the input files a `DossierSpec` names (through ingest's table reader) and the
ledger, and let the deep-dive methods compute each part; every problem is kept with its file, row and column,
nothing raises on bad data (DESIGN.md §2: data problems are values)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from placespend.app.workspace import Workspace, checked_read, no_notes
from placespend.deepdive import inputs
from placespend.deepdive.cba import Appraisal
from placespend.deepdive.cohorts import Move, cohorts
from placespend.deepdive.dossier import Dossier, DossierSpec, run_cba
from placespend.deepdive.examples import write_examples
from placespend.deepdive.journeys import cost_journeys
from placespend.deepdive.layout import Layout, UserTable
from placespend.deepdive.savings import DEFAULT_HORIZON, total_savings
from placespend.deepdive.themes import ThemeRule, theme_provenance, theme_report
from placespend.deepdive.uncertainty import DEFAULT_DRAWS, DEFAULT_SEED, Distribution, Simulation
from placespend.deepdive.unit_costs import Deflators, Library, build_library
from placespend.deepdive.unit_costs import price_year as parse_price_year
from placespend.domain.ledger import Ledger
from placespend.domain.problems import PlacespendError, Report
from placespend.ingest.tabular import read_rows

# What the doors (cli, web) name when they ask for a deep dive: the spec, its defaults, the examples.
__all__ = ["DEFAULT_DRAWS", "DEFAULT_HORIZON", "DEFAULT_SEED", "Distribution", "Dossier", "DossierSpec",
           "Simulation", "appraisal", "build", "build_in", "moves", "price_year", "theme_lines", "unit_prices",
           "user_table", "write_examples"]


def appraisal(rate: str, bias: str, deadweight: str) -> Appraisal:
    """The Green Book appraisal settings as a user types them (0.035, 3.5% or 3.5); a bad one is refused."""
    try:
        return Appraisal(inputs.parse_fraction(rate, "--discount-rate"),
                         inputs.parse_fraction(bias, "--optimism-bias", Decimal(10)),
                         inputs.parse_fraction(deadweight, "--deadweight"))
    except ValueError as exc:
        raise PlacespendError(str(exc)) from None


def moves(texts: list[str] | None) -> list[Move]:
    """What-if moves as typed (FROM>TO:NUMBER); a bad one is refused."""
    try:
        return [inputs.parse_move(text) for text in texts or []]
    except ValueError as exc:
        raise PlacespendError(str(exc)) from None


def price_year(text: str | None) -> str | None:
    """The price year a user asked for (None: costs as given); a bad one is refused."""
    try:
        return parse_price_year(text) if text else None
    except ValueError as exc:
        raise PlacespendError(str(exc)) from None


def user_table(path: Path, layout: Layout, sheet: str | None = None) -> UserTable:
    """A user's input file as rows of cells: a CSV, or the sheet of a workbook named as the layout's kind."""
    report = Report(path.name)
    _, rows = read_rows(path, report, sheet=sheet or layout.kind)
    return UserTable(path.name, rows, report)


def fingerprint(path: Path, kind: str, rows: int) -> dict[str, Any]:
    return {"kind": kind, "file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "rows": rows}


def load_library(spec: DossierSpec, dossier: Dossier) -> Library | None:
    """The unit cost library in the spec's price year (None when no unit costs were given)."""
    if spec.unit_costs is None:
        return None
    costs, report = inputs.read_unit_costs(user_table(spec.unit_costs, inputs.UNIT_COSTS))
    dossier.reports.append(report)
    dossier.files.append(fingerprint(spec.unit_costs, "unit costs", report.rows_read))
    deflators: Deflators | None = None
    if spec.deflators is not None:
        deflators, deflator_report = inputs.read_deflators(user_table(spec.deflators, inputs.DEFLATORS))
        dossier.reports.append(deflator_report)
        dossier.files.append(fingerprint(spec.deflators, "deflators", deflator_report.rows_read))
    library = build_library(costs, deflators, spec.price_year, spec.unit_costs.name)
    dossier.reports.append(library.report)
    return library


def build(spec: DossierSpec, ledger: Ledger | None = None) -> Dossier:
    """Read every input the spec names, compute each part, and keep the problems; nothing raises on bad data."""
    dossier = Dossier(spec)
    if spec.rules is not None or spec.theme is not None:
        _theme(spec, dossier, ledger)
    dossier.library = load_library(spec, dossier)
    if spec.journeys is not None:
        stops, report = inputs.read_journeys(user_table(spec.journeys, inputs.JOURNEYS))
        dossier.files.append(fingerprint(spec.journeys, "journeys", report.rows_read))
        dossier.journeys, costing = cost_journeys(stops, dossier.library, spec.journeys.name)
        dossier.reports += [report, costing]
    if spec.segments is not None:
        segments, report = inputs.read_segments(user_table(spec.segments, inputs.SEGMENTS), dossier.library)
        dossier.files.append(fingerprint(spec.segments, "segments", report.rows_read))
        dossier.reports.append(report)
        if segments:
            dossier.cohorts = cohorts(segments, spec.moves, spec.segments.name)
            dossier.reports.append(dossier.cohorts.report)
    if spec.savings is not None:
        entries, report = inputs.read_savings(user_table(spec.savings, inputs.SAVINGS))
        dossier.files.append(fingerprint(spec.savings, "savings register", report.rows_read))
        dossier.reports.append(report)
        dossier.savings = total_savings(entries, spec.horizon, simulation=spec.simulation)
    if spec.cba is not None:
        flows, report = inputs.read_cba(user_table(spec.cba, inputs.CBA))
        dossier.files.append(fingerprint(spec.cba, "CBA cash flows", report.rows_read))
        dossier.reports.append(report)
        dossier.cba = run_cba(flows, spec.appraisal, spec.simulation)
    return dossier


def build_in(ws: Workspace, spec: DossierSpec,
             notes: Callable[[tuple[str, ...]], None] = no_notes) -> Dossier:
    """The dossier of a place's year: the place and year checked against the workspace first (an unknown one is
    refused before anything is read), the spec's place and period then the checked ones."""
    with checked_read(ws, notes=notes, place=spec.place, year=spec.period) as (asked, ledger):
        spec.place, spec.period = asked.place, asked.period
        return build(spec, ledger)


def theme_lines(ws: Workspace, spec: DossierSpec, rules: list[ThemeRule], theme: str) -> list[dict[str, Any]]:
    """The ledger lines behind one theme of the dossier's place and year, each with where it came from."""
    with checked_read(ws, place=spec.place, year=spec.period) as (_, ledger):
        return theme_provenance(ledger, spec.place, spec.period, rules, theme).to_pyarrow().to_pylist()


def _theme(spec: DossierSpec, dossier: Dossier, ledger: Ledger | None) -> None:
    rules: list[ThemeRule] = []
    if spec.rules is not None:
        rules, report = inputs.read_rules(user_table(spec.rules, inputs.RULES))
        dossier.files.append(fingerprint(spec.rules, "theme rules", report.rows_read))
        dossier.reports.append(report)
    if ledger is None or spec.place is None or spec.period is None:
        missing = Report("theme")
        missing.error("theme-needs-ledger", "A theme needs a workspace, a place and a year (--place, --year).")
        dossier.reports.append(missing)
        return
    dossier.theme = theme_report(ledger, spec.place, spec.period, rules, spec.theme)
    dossier.files.append({"kind": "ledger", "file": f"workspace: {spec.place} {spec.period}", "sha256": "",
                          "rows": sum(t.lines for t in dossier.theme.themes)})


def unit_prices(path: Path) -> tuple[dict[str, Decimal] | None, Report]:
    """Each code's unit cost from a unit cost library file (GMCA layout), or None and the first failing report."""
    costs, report = inputs.read_unit_costs(user_table(path, inputs.UNIT_COSTS))
    library = build_library(costs, file=path.name)
    if not (report.ok and library.report.ok):
        return None, report if not report.ok else library.report
    return {code: priced.cost for code, priced in library.costs.items()}, report
