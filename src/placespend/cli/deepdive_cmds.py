"""`placespend cba FILE` and `placespend deepdive ...`: themes, unit costs, journeys, cohorts, savings, report.

Thin: options become a `DossierSpec`; `app.deepdives` reads and computes (the same functions serve the web pages
and the JSON API, so their figures are these); the report layer prints.
Bad input prints each problem with its row and column and exits 1; nothing is computed from half a file.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from placespend.app import deepdive as dd
from placespend.app import deepdives
from placespend.app.deepdive import DEFAULT_DRAWS, DEFAULT_HORIZON, DEFAULT_SEED, Distribution, Simulation
from placespend.cli.context import console, guard, print_notes, print_problems, workspace
from placespend.domain.problems import PlacespendError
from placespend.report import deepdive_report as out
from placespend.report.money import to_json


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


File = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Input CSV file.")]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
RateOption = Annotated[str, typer.Option("--discount-rate", help="0.035, 3.5% or 3.5 (Green Book default 3.5%).")]
BiasOption = Annotated[str, typer.Option("--optimism-bias", help="Uplift to investment costs, e.g. 20%.")]
DeadweightOption = Annotated[str, typer.Option("--deadweight", help="Share of benefits that would happen anyway.")]
DrawsOption = Annotated[int, typer.Option("--draws", min=100, help="Monte Carlo draws.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Monte Carlo seed (same seed, same results).")]
DistOption = Annotated[Distribution, typer.Option("--distribution", help="Shape drawn from low/central/high.")]
UnitCostsOption = Annotated[Path | None, typer.Option("--unit-costs", exists=True, dir_okay=False,
                                                      help="Unit cost library CSV (GMCA layout accepted).")]
DeflatorsOption = Annotated[Path | None, typer.Option("--deflators", exists=True, dir_okay=False,
                                                      help="Deflator series CSV (year, index).")]
PriceYearOption = Annotated[str | None, typer.Option("--price-year", help="Bring unit costs to this price year.")]
MoveOption = Annotated[list[str] | None, typer.Option("--move", help="What-if FROM>TO:NUMBER; repeatable.")]
PlaceOption = Annotated[str | None, typer.Option("--place", "-p", help="Place code (GSS) or place id.")]
YearOption = Annotated[str | None, typer.Option("--year", "-y", help="Financial year, e.g. 2008-09.")]
RulesOption = Annotated[Path | None, typer.Option("--rules", exists=True, dir_okay=False,
                                                  help="Theme rules CSV (theme, field, pattern).")]
ThemeOption = Annotated[str | None, typer.Option("--theme", help="Only this theme.")]

deepdive_app = typer.Typer(help="Deep dives: themes, unit costs, journeys, cohorts, savings ranges, report.",
                           no_args_is_help=True)


def _simulation(draws: int, seed: int, distribution: Distribution) -> Simulation:
    return Simulation(draws, seed, distribution)


def _build(ctx: typer.Context, spec: dd.DossierSpec) -> dd.Dossier:
    """Build the dossier (with a read-only workspace when a place is given); problems go to stderr with their
    row and column, and any error exits 1."""
    built = deepdives.build(spec, workspace(ctx) if spec.place is not None else None)
    print_notes(built.notes)
    dossier = built.dossier
    print_problems(dossier.reports)
    if not dossier.ok:
        raise typer.Exit(1)
    return dossier


def _emit(part: Any, fmt: OutputFormat, title: str) -> None:
    if fmt == OutputFormat.json:
        typer.echo(to_json(out.for_output(part)))
    else:
        console.print(out.terminal(part, title))


def _emit_part(dossier: dd.Dossier, part: str, fmt: OutputFormat, title: str) -> None:
    """One part of the dossier: as JSON exactly what the web shows for it (`app.deepdives.figures`)."""
    if fmt == OutputFormat.json:
        typer.echo(to_json(deepdives.figures(dossier, part)))
    else:
        console.print(out.terminal(dossier.to_dict()[part], title))


@guard
def cba(ctx: typer.Context, file: File, discount_rate: RateOption = "0.035", optimism_bias: BiasOption = "0",
        deadweight: DeadweightOption = "0", draws: DrawsOption = DEFAULT_DRAWS, seed: SeedOption = DEFAULT_SEED,
        distribution: DistOption = Distribution.pert, fmt: FormatOption = OutputFormat.table) -> None:
    """Cost-benefit analysis of a file of cash flows (year, agency, kind, amount): NPV, BCR, ROI, payback,
    who invests / who benefits, A - (B + C) = Y, and Monte Carlo P10/P50/P90 for rows with low and high."""
    spec = dd.DossierSpec(cba=file, appraisal=dd.appraisal(discount_rate, optimism_bias, deadweight),
                          simulation=_simulation(draws, seed, distribution))
    _emit_part(_build(ctx, spec), "cba", fmt, f"CBA of {file.name}")


@deepdive_app.command()
@guard
def themes(ctx: typer.Context, place: PlaceOption = None, year: YearOption = None, rules: RulesOption = None,
           theme: ThemeOption = None,
           lines: Annotated[bool, typer.Option("--lines", help="List the lines behind the theme.")] = False,
           fmt: FormatOption = OutputFormat.table) -> None:
    """Theme totals across COFOG divisions and agencies, and the theme's inventory (projects, providers,
    funding streams, access points), from hand tags and rules."""
    if place is None or year is None:
        raise PlacespendError("Give --place and --year.")
    dossier = _build(ctx, dd.DossierSpec(place=place, period=year, rules=rules, theme=theme or ""))
    if lines:
        if not theme:
            raise PlacespendError("--lines needs --theme.")
        rule_list = dossier.theme.rules if dossier.theme else []
        _emit({"lines": dd.theme_lines(workspace(ctx), dossier.spec, rule_list, theme)}, fmt, f"Lines in {theme}")
        return
    _emit_part(dossier, "theme", fmt, f"Themes in {place} {year}")


@deepdive_app.command("unit-costs")
@guard
def unit_costs(ctx: typer.Context, file: File, deflators: DeflatorsOption = None, price_year: PriceYearOption = None,
               fmt: FormatOption = OutputFormat.table) -> None:
    """Read a unit cost library and uprate it to one price year with a deflator series."""
    spec = dd.DossierSpec(unit_costs=file, deflators=deflators, price_year=dd.price_year(price_year))
    _emit_part(_build(ctx, spec), "unit_costs", fmt, f"Unit costs ({price_year or 'as given'})")


@deepdive_app.command()
@guard
def journey(ctx: typer.Context, file: File, unit_costs: UnitCostsOption = None, deflators: DeflatorsOption = None,
            price_year: PriceYearOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """Cost customer journeys stop by stop: totals by agency, stage and kind; repeated and avoidable contacts."""
    spec = dd.DossierSpec(journeys=file, unit_costs=unit_costs, deflators=deflators,
                          price_year=dd.price_year(price_year))
    dossier = _build(ctx, spec)
    if fmt == OutputFormat.json:
        _emit_part(dossier, "journeys", fmt, "")
    for one in dossier.to_dict()["journeys"] if fmt == OutputFormat.table else []:
        _emit(one, fmt, f"Journey: {one['journey']}")


@deepdive_app.command()
@guard
def cohorts(ctx: typer.Context, file: File, move: MoveOption = None, unit_costs: UnitCostsOption = None,
            fmt: FormatOption = OutputFormat.table) -> None:
    """Cohort costs and ratios by segment (family type), with what-if moves between segments."""
    spec = dd.DossierSpec(segments=file, moves=dd.moves(move), unit_costs=unit_costs)
    _emit_part(_build(ctx, spec), "cohorts", fmt, f"Cohorts in {file.name}")


@deepdive_app.command()
@guard
def savings(ctx: typer.Context, file: File,
            horizon: Annotated[int, typer.Option("--horizon", min=1, help="Years totalled.")] = DEFAULT_HORIZON,
            draws: DrawsOption = DEFAULT_DRAWS, seed: SeedOption = DEFAULT_SEED,
            distribution: DistOption = Distribution.pert, fmt: FormatOption = OutputFormat.table) -> None:
    """Total a savings register with its ranges: central, P10/P50/P90 (Monte Carlo), by agency, status, basis."""
    spec = dd.DossierSpec(savings=file, horizon=horizon, simulation=_simulation(draws, seed, distribution))
    _emit_part(_build(ctx, spec), "savings", fmt, f"Savings in {file.name}")


@deepdive_app.command()
@guard
def report(
    ctx: typer.Context,
    html: Annotated[Path | None, typer.Option("--html", help="Write the HTML report here.")] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the PDF report here.")] = None,
    title: Annotated[str, typer.Option("--title", help="Report title.")] = "Deep dive",
    place: PlaceOption = None, year: YearOption = None, theme: ThemeOption = None, rules: RulesOption = None,
    unit_costs: UnitCostsOption = None, deflators: DeflatorsOption = None, price_year: PriceYearOption = None,
    journeys: Annotated[Path | None, typer.Option("--journeys", exists=True, dir_okay=False)] = None,
    segments: Annotated[Path | None, typer.Option("--segments", exists=True, dir_okay=False)] = None,
    move: MoveOption = None,
    savings_file: Annotated[Path | None, typer.Option("--savings", exists=True, dir_okay=False)] = None,
    horizon: Annotated[int, typer.Option("--horizon", min=1)] = DEFAULT_HORIZON,
    cba_file: Annotated[Path | None, typer.Option("--cba", exists=True, dir_okay=False)] = None,
    discount_rate: RateOption = "0.035", optimism_bias: BiasOption = "0", deadweight: DeadweightOption = "0",
    draws: DrawsOption = DEFAULT_DRAWS, seed: SeedOption = DEFAULT_SEED, distribution: DistOption = Distribution.pert,
) -> None:
    """The deep-dive report for a programme board, as HTML and/or PDF: theme spend, journeys, cohorts,
    savings with ranges and the CBA, each figure citing its input row."""
    if html is None and pdf is None:
        raise PlacespendError("Give --html PATH and/or --pdf PATH.")
    spec = dd.DossierSpec(
        title=title, place=place, period=year, theme=theme, rules=rules, unit_costs=unit_costs,
        deflators=deflators, price_year=dd.price_year(price_year), journeys=journeys, segments=segments,
        moves=dd.moves(move), savings=savings_file, horizon=horizon, cba=cba_file,
        appraisal=dd.appraisal(discount_rate, optimism_bias, deadweight),
        simulation=_simulation(draws, seed, distribution))
    dossier = _build(ctx, spec)
    for path, writer in ((html, out.write_html), (pdf, out.write_pdf)):
        if path is not None:
            console.print(f"wrote {writer(dossier, path)}")


@deepdive_app.command()
def examples(folder: Annotated[Path, typer.Argument(file_okay=False, help="Folder to write the examples into.")]
             ) -> None:
    """Write example inputs (unit costs, deflators, journeys, segments, savings, CBA, theme rules) to FOLDER."""
    for path in dd.write_examples(folder):
        console.print(f"wrote {path}")


def register(app: typer.Typer) -> None:
    app.command("cba")(cba)
    app.add_typer(deepdive_app, name="deepdive")
