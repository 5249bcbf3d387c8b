"""`placespend analyse ...`: composition, concentration, local control, per head and funding routes.

Thin: parse options, open the workspace read-only, call the method layer, print a table or JSON.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any

import typer

from placespend.app import analyses
from placespend.app.analyses import DEFAULT_LOSS_RATE, DEFAULT_MAX_HOPS, DEFAULT_NEED, DEFAULT_THRESHOLDS, POPULATION
from placespend.cli.context import Engine, EngineOption, console, guard, print_notes, workspace
from placespend.domain.problems import PlacespendError
from placespend.report import analysis_output as out
from placespend.report.money import to_json


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


class NeedReference(StrEnum):
    group = "group"
    england = "england"


PlacesOption = Annotated[list[str], typer.Option("--place", "-p", help="Place code (GSS) or place id; repeat "
                                                 "for several places.")]
YearOption = Annotated[str, typer.Option("--year", "-y", help="Financial year, e.g. 2008-09.")]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
TopOption = Annotated[int, typer.Option("--top", min=1, help="Rows to show per place in tables.")]
HopsOption = Annotated[int, typer.Option("--max-hops", min=1, help="Longest route traced, in hand-overs.")]

analyse_app = typer.Typer(help="Analyses that point to where money can work harder (seed 000 §4).",
                          no_args_is_help=True)


def _decimal(text: str, name: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").replace("£", "").strip())
    except InvalidOperation:
        raise PlacespendError(f"{name} must be a number, not '{text}'.") from None
    if not value.is_finite() or value < 0:
        raise PlacespendError(f"{name} must be a number of 0 or more, not '{text}'.")
    return value


def _emit(report: Any, fmt: OutputFormat, tables: Any) -> None:
    if fmt == OutputFormat.json:
        typer.echo(to_json(report.to_dict()))
    else:
        console.print(tables)


@analyse_app.command()
@guard
def composition(ctx: typer.Context, place: PlacesOption, year: YearOption,
                fmt: FormatOption = OutputFormat.table, engine: EngineOption = Engine.duckdb) -> None:
    """Shares by COFOG division (Table 2 layout) and by body type (Table 3 layout)."""
    report = analyses.composition(workspace(ctx), place, year, engine.value, print_notes)
    _emit(report, fmt, out.composition_tables(report) if fmt == OutputFormat.table else None)


@analyse_app.command()
@guard
def concentration(
    ctx: typer.Context, place: PlacesOption, year: YearOption,
    threshold: Annotated[list[str] | None, typer.Option(
        "--threshold", "-t", help="Small-body threshold in GBP; repeat for several (default 50000 and 100000).",
    )] = None,
    top: TopOption = 10, fmt: FormatOption = OutputFormat.table, engine: EngineOption = Engine.duckdb,
) -> None:
    """Bodies ranked, top-3/top-10 shares, Herfindahl-Hirschman index, bodies below thresholds."""
    limits = tuple(_decimal(t, "--threshold") for t in threshold) if threshold else DEFAULT_THRESHOLDS
    report = analyses.concentration(workspace(ctx), place, year, limits, engine.value, print_notes)
    _emit(report, fmt, out.concentration_tables(report, top) if fmt == OutputFormat.table else None)


@analyse_app.command("local-control")
@guard
def local_control(ctx: typer.Context, place: PlacesOption, year: YearOption, max_hops: HopsOption = DEFAULT_MAX_HOPS,
                  top: TopOption = 10, fmt: FormatOption = OutputFormat.table,
                  engine: EngineOption = Engine.duckdb) -> None:
    """Every counted flow on the spectrum from locally decided to centrally directed."""
    report = analyses.local_control(workspace(ctx), place, year, max_hops, engine.value, print_notes)
    _emit(report, fmt, out.local_control_tables(report, top) if fmt == OutputFormat.table else None)


@analyse_app.command("per-head")
@guard
def per_head(
    ctx: typer.Context, place: PlacesOption, year: YearOption,
    cofog: Annotated[str | None, typer.Option(help="Only this COFOG division, e.g. 07 for health.")] = None,
    need: Annotated[str, typer.Option(help="Need indicator (products with *), or 'none'.")] = DEFAULT_NEED,
    need_reference: Annotated[NeedReference, typer.Option(
        help="Need relative to the places compared (group) or to England.")] = NeedReference.group,
    population: Annotated[str, typer.Option(help="Population indicator.")] = POPULATION,
    fmt: FormatOption = OutputFormat.table, engine: EngineOption = Engine.duckdb,
) -> None:
    """Spend per head and need-adjusted per head, benchmarked across the places (seed 000 footnote 14)."""
    need_indicator = None if need.strip().lower() in ("", "none") else need.strip().lower()
    report = analyses.per_head(workspace(ctx), place, year, cofog, need_indicator, need_reference.value,
                               population.strip().lower(), engine.value, print_notes)
    _emit(report, fmt, out.per_head_tables(report) if fmt == OutputFormat.table else None)


@analyse_app.command()
@guard
def routes(
    ctx: typer.Context, place: PlacesOption, year: YearOption,
    loss_rate: Annotated[str, typer.Option(help="Share of a stream lost per hand-over (Audit Commission: 0.20).")]
    = str(DEFAULT_LOSS_RATE),
    max_hops: HopsOption = DEFAULT_MAX_HOPS, top: TopOption = 15, fmt: FormatOption = OutputFormat.table,
    engine: EngineOption = Engine.duckdb,
) -> None:
    """Funding routes from original source to final spender, hand-overs and their administrative cost."""
    rate = _decimal(loss_rate, "--loss-rate")
    report = analyses.routes(workspace(ctx), place, year, rate, max_hops, engine.value, print_notes)
    _emit(report, fmt, out.routes_tables(report, top) if fmt == OutputFormat.table else None)


def register(app: typer.Typer) -> None:
    """Add `analyse` with its sub-commands to the main app."""
    app.add_typer(analyse_app, name="analyse")
