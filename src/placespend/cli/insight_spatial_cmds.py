"""`placespend insight` commands: spatial (DESIGN.md §7): hotspots, surveys, access points.

Thin: each command hands its files to a use case and prints what comes back. Bad input prints every problem
with its file, row and column on stderr and exits 1; nothing is computed from half a file.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from placespend.app import spatial_insight, survey_insight
from placespend.app.survey_insight import DEFAULT_THRESHOLD
from placespend.cli.context import console, guard, print_problems
from placespend.report.money import to_json


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


InputFile = Annotated[Path, typer.Option(exists=True, dir_okay=False, readable=True)]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]


def _finish(outcome: spatial_insight.Outcome) -> dict[str, Any]:
    """Print the inputs' problems (warnings too) to stderr; exit 1 when any input had an error."""
    print_problems(outcome.reports)
    if not outcome.ok or outcome.result is None:
        raise typer.Exit(1)
    return outcome.result


def _table(title: str, rows: list[dict[str, Any]], columns: list[str]) -> Table:
    table = Table(title=title)
    for column in columns:
        table.add_column(column, justify="left" if column in {"area", "class", "site", "name"} else "right")
    for row in rows:
        table.add_row(*("" if row.get(c) is None else f"{row[c]:.3f}" if isinstance(row.get(c), float)
                        else str(row[c]) for c in columns))
    return table


@guard
def hotspots(
    values: Annotated[Path, typer.Option("--values", exists=True, dir_okay=False,
                                         help="CSV with columns area, value.")],
    boundaries: Annotated[Path, typer.Option("--boundaries", exists=True, dir_okay=False,
                                             help="GeoJSON FeatureCollection or TopoJSON of the areas' polygons.")],
    id_property: Annotated[str | None, typer.Option("--id-property", help="Property holding the area code "
                                                    "(default: the first ending in CD, e.g. LSOA11CD).")] = None,
    projected: Annotated[Path | None, typer.Option("--projected", exists=True, dir_okay=False,
                                                   help="A second values CSV (e.g. a demand projection), "
                                                   "shown beside the current values with the change.")] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Getis-Ord Gi* hotspots: queen contiguity within 1e-6 degrees, binary weights with the area itself,
    analytical z, and hot/cold classes after a Benjamini-Hochberg FDR correction at 0.05."""
    result = _finish(spatial_insight.hotspot_map(values, boundaries, id_property, projected))
    if fmt == OutputFormat.json:
        typer.echo(to_json(result))
        return
    columns = ["area", "value", "z", "p", "class"]
    if projected is not None:
        columns += ["projected_value", "projected_z", "projected_class", "change"]
    ranked = sorted(result["areas"], key=lambda a: -(a["z"] or 0))
    console.print(_table(f"Gi* hotspots: {result['summary']} (FDR {result['fdr_alpha']})", ranked, columns))


class Objective(StrEnum):
    median = "median"
    cover = "cover"


@guard
def access_points(
    demand: Annotated[Path, typer.Option("--demand", exists=True, dir_okay=False,
                                         help="CSV with columns area, value (population or a segment's count).")],
    boundaries: Annotated[Path, typer.Option("--boundaries", exists=True, dir_okay=False,
                                             help="GeoJSON or TopoJSON of the areas (their centroids are used).")],
    sites: Annotated[Path, typer.Option("--sites", exists=True, dir_okay=False,
                                        help="CSV of candidate sites: site, lon, lat, optional name.")],
    count: Annotated[int, typer.Option("--count", "-n", help="How many sites to choose.")],
    objective: Annotated[Objective, typer.Option("--objective", help="median: least weighted distance; "
                                                 "cover: most demand within --within-km.")] = Objective.median,
    within_km: Annotated[float | None, typer.Option("--within-km", min=0, help="Access distance (km).")] = None,
    id_property: Annotated[str | None, typer.Option("--id-property", help="Boundary property with the code.")]
    = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Choose N candidate sites (p-median or maximal covering, spopt + CBC) and show who is beyond the distance."""
    result = _finish(spatial_insight.access_plan(demand, boundaries, sites, count, objective.value, within_km,
                                                 id_property))
    if fmt == OutputFormat.json:
        typer.echo(to_json(result))
        return
    console.print(_table(f"{result['objective']}: sites chosen", result["sites"], ["site", "name"]))
    beyond = [a for a in result["areas"] if a["beyond"]]
    console.print(f"Demand {result['total_demand']:,.0f}; within the distance {result['covered_demand']:,.0f}; "
                  f"beyond {result['uncovered_demand']:,.0f} in {len(beyond)} area(s).")
    if beyond:
        console.print(_table("Beyond the distance", beyond, ["area", "demand", "site", "km"]))


@guard
def surveys(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Respondent-level survey CSV.")],
    overall: Annotated[str, typer.Option("--overall", help="The overall satisfaction column.")] = "overall",
    threshold: Annotated[int, typer.Option("--threshold", help="Suppress cells with fewer respondents (at least "
                                           f"{DEFAULT_THRESHOLD}: it may be raised, never lowered).")]
    = DEFAULT_THRESHOLD,
    satisfied_from: Annotated[float, typer.Option("--satisfied-from", help="Lowest score counted as "
                                                  "satisfied.")] = 4,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Weighted satisfaction with design-based 95% CIs by segment, area and journey stage (question columns in
    file order), and key drivers of overall satisfaction; small cells suppressed."""
    result = _finish(survey_insight.survey_results(file, overall, threshold, satisfied_from))
    if fmt == OutputFormat.json:
        typer.echo(to_json(result))
        return
    for question in result["questions"]:
        for group, rows in question["by"].items():
            shown = [{**r, "mean": r.get("mean"), "ci_low": r.get("ci_low"), "ci_high": r.get("ci_high"),
                      "note": r.get("suppressed", "")} for r in rows]
            console.print(_table(f"{question['question']} by {group}", shown,
                                 ["group", "n", "mean", "ci_low", "ci_high", "note"]))
    drivers = result["key_drivers"]
    console.print(_table(f"Key drivers of {drivers['overall']} (n={drivers['n']})", drivers.get("drivers", []),
                         ["question", "coefficient", "ci_low", "ci_high", "p"]))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `insight` group."""
    app.command()(hotspots)
    app.command("access-points")(access_points)
    app.command()(surveys)
