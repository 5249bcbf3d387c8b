"""The analyses of seed 000 §4 for the places a user names (composition, concentration, local control, per head,
funding routes) and the ward mapping: each checks what was asked, reads the workspace on the chosen engine and
hands the ledger to the method (analysis). The defaults are the methods' own, named here for the CLI's options.
"""

from __future__ import annotations

from decimal import Decimal

from placespend.analysis.composition import CompositionReport
from placespend.analysis.composition import composition as composition_of
from placespend.analysis.concentration import DEFAULT_THRESHOLDS, ConcentrationReport
from placespend.analysis.concentration import concentration as concentration_of
from placespend.analysis.funding_routes import DEFAULT_LOSS_RATE, DEFAULT_MAX_HOPS, RoutesReport, funding_routes
from placespend.analysis.local_control import LocalControlReport
from placespend.analysis.local_control import local_control as local_control_of
from placespend.analysis.per_head import DEFAULT_NEED, POPULATION, PerHeadReport
from placespend.analysis.per_head import per_head as per_head_of
from placespend.analysis.ward_mapping import WardMapping, map_to_wards
from placespend.app.criteria import criteria_named
from placespend.app.workspace import checked_read, no_notes
from placespend.engine.area_figures_store import save_ward_figures
from placespend.engine.workspace import Workspace

__all__ = ["DEFAULT_LOSS_RATE", "DEFAULT_MAX_HOPS", "DEFAULT_NEED", "DEFAULT_THRESHOLDS", "POPULATION", "composition",
           "concentration", "local_control", "per_head", "routes", "wards"]


def composition(ws: Workspace, places: list[str], year: str, engine: str = "duckdb",
                notes=no_notes) -> CompositionReport:
    with checked_read(ws, engine, notes, place=places, year=year) as (asked, ledger):
        return composition_of(ledger, list(asked.places), asked.period)  # type: ignore[arg-type]


def concentration(ws: Workspace, places: list[str], year: str, thresholds: tuple[Decimal, ...] = DEFAULT_THRESHOLDS,
                  engine: str = "duckdb", notes=no_notes) -> ConcentrationReport:
    with checked_read(ws, engine, notes, place=places, year=year) as (asked, ledger):
        return concentration_of(ledger, list(asked.places), asked.period, thresholds)  # type: ignore[arg-type]


def local_control(ws: Workspace, places: list[str], year: str, max_hops: int = DEFAULT_MAX_HOPS,
                  engine: str = "duckdb", notes=no_notes) -> LocalControlReport:
    with checked_read(ws, engine, notes, place=places, year=year) as (asked, ledger):
        return local_control_of(ledger, list(asked.places), asked.period, max_hops)  # type: ignore[arg-type]


def per_head(ws: Workspace, places: list[str], year: str, cofog: str | None, need: str | None, need_reference: str,
             population: str, engine: str = "duckdb", notes=no_notes) -> PerHeadReport:
    with checked_read(ws, engine, notes, place=places, year=year, cofog=cofog, division=True) as (asked, ledger):
        return per_head_of(ledger, list(asked.places), asked.period, asked.cofog, need,  # type: ignore[arg-type]
                           need_reference, population)


def routes(ws: Workspace, places: list[str], year: str, loss_rate: Decimal = DEFAULT_LOSS_RATE,
           max_hops: int = DEFAULT_MAX_HOPS, engine: str = "duckdb", notes=no_notes) -> RoutesReport:
    with checked_read(ws, engine, notes, place=places, year=year) as (asked, ledger):
        return funding_routes(ledger, list(asked.places), asked.period, loss_rate, max_hops)  # type: ignore[arg-type]


def wards(ws: Workspace, place: str, year: str, vintage: str, drivers: str, spender: str | None = None,
          notes=no_notes) -> WardMapping:
    """Apportion a district's spending to wards by declared drivers and keep the ward figures for its page."""
    with checked_read(ws, "duckdb", notes, place=place, year=year, spender=spender) as (asked, ledger):
        mapping = map_to_wards(ledger, asked.place, asked.period, criteria_named(drivers),  # type: ignore[arg-type]
                               vintage, asked.spender)
    save_ward_figures(ws, mapping.place, mapping.period, mapping.vintage, mapping.spender,
                      [(f.area, f.name, f.cofog, f.amount, f.drivers) for f in mapping.wards])
    return mapping
