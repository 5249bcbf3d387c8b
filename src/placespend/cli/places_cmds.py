"""`placespend places`: the places a workspace knows, as the web app lists them."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from placespend.app import place_view
from placespend.cli.context import Format, console, guard, workspace
from placespend.report.money import to_json


@guard
def places(ctx: typer.Context,
           fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json")] = Format.table) -> None:
    """The places with their name, region and the years with counted lines: the codes --place accepts."""
    rows = place_view.places(workspace(ctx))
    if fmt == Format.json:
        typer.echo(to_json(rows))
        return
    table = Table(title="Places")
    for column in ("Place", "Name", "Region", "Years with lines"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["place"], row["name"], row["region"] or "", ", ".join(row["periods"]) or "none yet")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(places)
