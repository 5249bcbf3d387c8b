"""The deep-dive use case: read the input files a `DossierSpec` names (through ingest's table reader) and the
ledger, and let the deep-dive methods compute each part; every problem is kept with its file, row and column,
nothing raises on bad data (DESIGN.md §2: data problems are values)."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

from placespend.deepdive import inputs
from placespend.deepdive.cohorts import cohorts
from placespend.deepdive.dossier import Dossier, DossierSpec, run_cba
from placespend.deepdive.journeys import cost_journeys
from placespend.deepdive.layout import Layout, UserTable
from placespend.deepdive.savings import total_savings
from placespend.deepdive.themes import ThemeRule, theme_report
from placespend.deepdive.unit_costs import Deflators, Library, build_library
from placespend.domain.ledger import Ledger
from placespend.domain.problems import Report
from placespend.ingest.tabular import read_rows


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
