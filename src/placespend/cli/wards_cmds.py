"""`placespend wards`: Mapping the Money, a place's or a body's spending by ward."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from placespend.app import analyses
from placespend.cli.context import Format, console, guard, print_notes, workspace
from placespend.report.money import pounds, to_json


@guard
def wards(
    ctx: typer.Context,
    place: Annotated[str, typer.Option("--place", "-p", help="A district (GSS code) with LSOA lookups imported.")],
    year: Annotated[str, typer.Option("--year", "-y", help="Financial year, e.g. 2019-20.")],
    vintage: Annotated[str, typer.Option(help="Ward boundaries: the lookup vintage (e.g. 2010, 2019).")] = "2019",
    drivers: Annotated[str, typer.Option(help="Drivers per COFOG division: population, or a criteria CSV of "
                                              "LSOA indicators (cofog,indicator,weight,explanation).")] = "population",
    spender: Annotated[str | None, typer.Option(help="Only this body's spending.")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json")] = Format.table,
) -> None:
    """Apportion spending to wards by declared drivers; ward figures sum back exactly to the total."""
    mapping = analyses.wards(workspace(ctx), place, year, vintage, drivers, spender, print_notes)
    totals = mapping.ward_totals()
    names = {f.area: f.name for f in mapping.wards}
    rows = [{"ward": w, "name": names[w], "amount": a, "population": mapping.population.get(w),
             "per_head": (a / mapping.population[w]).quantize(a.__class__("0.01")) if mapping.population.get(w)
             else None} for w, a in sorted(totals.items())]
    if fmt == Format.json:
        typer.echo(to_json({"place": mapping.place, "period": mapping.period, "vintage": mapping.vintage,
                            "spender": mapping.spender, "total": mapping.total, "lsoas": mapping.lsoas,
                            "wards": rows, "by_ward_and_cofog": [vars(f) for f in mapping.wards],
                            "notes": mapping.notes}))
        return
    table = Table(title=f"{mapping.place} {mapping.period} by ward ({mapping.vintage} boundaries)")
    for col in ("Ward", "Name", "GBP", "Per head"):
        table.add_column(col, justify="right" if col in {"GBP", "Per head"} else "left")
    for row in rows:
        table.add_row(row["ward"], row["name"] or "", pounds(row["amount"]),
                      pounds(row["per_head"]) if row["per_head"] is not None else "")
    console.print(table)
    console.print(f"{len(rows)} wards from {mapping.lsoas} LSOAs; total {pounds(sum(totals.values()))} "
                  f"(count {pounds(mapping.total)}). Drivers: {drivers}.")
    for note in mapping.notes:
        console.print(f"note: {note}")


def register(app: typer.Typer) -> None:
    app.command()(wards)
