"""Commands of the centre-out estimate: estimate and compare."""

from __future__ import annotations

from typing import Annotated

import typer

from placespend.app import figures
from placespend.app.criteria import criteria_named
from placespend.cli.context import Engine, EngineOption, Format, console, guard, workspace
from placespend.report.estimate_output import comparison_dict, comparison_table, estimate_dict, estimate_tables
from placespend.report.money import to_json

YearOption = Annotated[str, typer.Option("--year", "-y", help="Financial year, e.g. 2008-09.")]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format (table or json).")]
VintageOption = Annotated[str | None, typer.Option(help="Regional spend vintage (default: most recently imported).")]


@guard
def estimate(
    ctx: typer.Context,
    place: Annotated[str, typer.Option("--place", "-p", help="Place code (GSS) or place id.")],
    year: YearOption,
    criteria: Annotated[str, typer.Option(help="Criteria set: population, needs, or a CSV file.")] = "population",
    vintage: VintageOption = None,
    fmt: FormatOption = Format.table,
    engine: EngineOption = Engine.duckdb,
) -> None:
    """Allocate HM Treasury regional spending to a place with a criteria set (DESIGN.md §5)."""
    chosen = criteria_named(criteria)
    result = figures.estimate(workspace(ctx), place, year, chosen, vintage, engine.value)
    if fmt == Format.json:
        typer.echo(to_json(estimate_dict(result)))
    else:
        console.print(estimate_tables(result))


@guard
def compare(
    ctx: typer.Context,
    year: YearOption,
    place: Annotated[list[str] | None, typer.Option("--place", "-p", help="Places (default: every place).")] = None,
    criteria: Annotated[list[str] | None, typer.Option(help="Criteria sets; the first gives A, all give its "
                                                       "range (default: population and needs).")] = None,
    vintage: VintageOption = None,
    fmt: FormatOption = Format.table,
    engine: EngineOption = Engine.duckdb,
) -> None:
    """Seed 000 Table 1 for any places: A centre-out, B locally-led, 1 - B/A, and a bridge for each gap."""
    sets = [criteria_named(c) for c in (criteria or ["population", "needs"])]
    rows, aggregate = figures.compare(workspace(ctx), year, place or None, sets, vintage, engine.value)
    if fmt == Format.json:
        typer.echo(to_json(comparison_dict(rows, aggregate)))
    else:
        console.print(comparison_table(rows, aggregate, year))


def register(app: typer.Typer) -> None:
    app.command()(estimate)
    app.command()(compare)
