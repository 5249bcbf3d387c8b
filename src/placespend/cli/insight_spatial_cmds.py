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

from placespend import spatial_insight
from placespend.cli.context import console, errors, guard
from placespend.report.money import to_json


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


InputFile = Annotated[Path, typer.Option(exists=True, dir_okay=False, readable=True)]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]


def _finish(outcome: spatial_insight.Outcome) -> dict[str, Any]:
    """Print the inputs' problems (warnings too) to stderr; exit 1 when any input had an error."""
    for report in outcome.reports:
        for problem in report.problems:
            colour = "red" if problem.severity == "error" else "yellow"
            errors.print(f"[{colour}]{problem.severity}[/] [dim]{problem.slug}[/] {problem.where()}: "
                         f"{problem.message}", highlight=False, soft_wrap=True, markup=True)
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


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `insight` group."""
    app.command()(hotspots)
