"""Commands that read the ledger: count and explain."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from placespend.app.quick_count import quick_count
from placespend.cli.context import (
    Engine,
    EngineOption,
    Format,
    console,
    db_file,
    guard,
    in_server,
    print_notes,
    workspace,
)
from placespend.cli.count_show import show_count
from placespend.report.money import pounds, to_json

PlaceOption = Annotated[str, typer.Option("--place", "-p", help="Place code (GSS) or place id.")]
YearOption = Annotated[str, typer.Option("--year", "-y", help="Financial year, e.g. 2008-09.")]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
# _LAZY: `app.figures` is imported inside the commands, not with this module: it imports Ibis and pandas (1.2 s of
# a process's start-up), which the quick count (app.quick_count) does without.


@guard
def count(ctx: typer.Context, place: PlaceOption, year: YearOption, fmt: FormatOption = Format.table,
          engine: EngineOption = Engine.duckdb) -> None:
    """The high-level count: every pound once, where it is finally spent (DESIGN.md §4)."""
    quick = quick_count(db_file(ctx), place, year) if engine == Engine.duckdb and not in_server(ctx) else None
    if quick is None:
        from placespend.app import figures  # imported here for start-up, not a cycle: see `_LAZY`

        counted = figures.count(workspace(ctx), place, year, engine.value)
        notes, result, rec = counted.asked.notes, counted.result, counted.reconciliation
    else:
        notes, (result, rec) = (), quick  # a known place with lines that year: no note
    print_notes(notes)
    show_count(result, rec, fmt.value, notes)


@guard
def explain(
    ctx: typer.Context,
    place: PlaceOption,
    year: YearOption,
    cofog: Annotated[str | None, typer.Option(help="COFOG division (10) or group (10.2).")] = None,
    body_type: Annotated[str | None, typer.Option(help="Body type the amount counts under.")] = None,
    status: Annotated[str | None, typer.Option(
        help="spend, unreported, eliminated or outturn_detail (grants inside their council's outturn).")] = None,
    fmt: FormatOption = Format.table,
    engine: EngineOption = Engine.duckdb,
) -> None:
    """List the lines behind a figure of the count, with the file, sheet and row each came from."""
    from placespend.app import figures  # imported here for start-up, not a cycle: see `_LAZY`

    chosen, rows = figures.lines(workspace(ctx), place, year, cofog=cofog, body_type=body_type, status=status,
                                 engine=engine.value)
    print_notes(chosen.notes)
    if fmt == Format.json:
        typer.echo(to_json(rows))
        return
    if fmt == Format.csv:
        import csv
        import sys

        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else [], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    table = Table(title=f"Lines behind {chosen.place} {chosen.period}" + (f", COFOG {chosen.cofog}" if chosen.cofog
                                                                          else ""))
    for col in ("file", "sheet", "row", "spender", "flow", "cofog", "counted as", "status", "GBP counted"):
        table.add_column(col, justify="right" if col in {"row", "GBP counted"} else "left")
    for row in rows:
        table.add_row(row["file_name"], row["source_sheet"] or "", str(row["source_row"]), row["spender"],
                      row["flow"], row["cofog"], row["counted_type"], row["status"], pounds(row["counted_amount"]))
    console.print(table)
    total = figures.counted_total(rows)
    console.print(f"{len(rows):,} lines, {pounds(total)} counted")


def register(app: typer.Typer) -> None:
    app.command()(count)
    app.command()(explain)
