"""`placespend report --place P --year Y --out FILE`: the board report of a place as PDF, XLSX, HTML or JSON.

Thin: the use case (app.board_report) builds the report's data once; the report layer writes it in the format the
file's suffix names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from placespend.app import board_report
from placespend.cli.context import console, guard, print_notes, workspace
from placespend.report import board_report as out


@guard
def report(
    ctx: typer.Context,
    place: Annotated[str, typer.Option("--place", "-p", help="Place code (GSS) or place id.")],
    output: Annotated[Path, typer.Option("--out", "-o", help="File to write: .pdf, .xlsx, .html or .json.")],
    year: Annotated[str | None, typer.Option("--year", "-y", help="Financial year, e.g. 2008-09 (default: the "
                                                                "latest year with lines).")] = None,
    savings: Annotated[Path | None, typer.Option(
        "--savings", exists=True, dir_okay=False, help="A savings register CSV (as `placespend deepdive savings`).")]
    = None,
    cba: Annotated[Path | None, typer.Option(
        "--cba", exists=True, dir_okay=False, help="CBA cash flows CSV (as `placespend cba`).")] = None,
    draws: Annotated[int, typer.Option("--draws", min=100, help="Monte Carlo draws for the ranges.")]
    = board_report.DEFAULT_DRAWS,
    seed: Annotated[int, typer.Option("--seed", help="Monte Carlo seed.")] = board_report.DEFAULT_SEED,
) -> None:
    """The board report of a place: the count, the centre-out estimate and the bridge, the analyses with charts,
    deep-dive results (of --savings / --cba, else of the latest savings register and CBA case kept for the place on
    the Deep dives page), insight and assets the workspace holds, sources and licences."""
    spec = board_report.deepdive_files(savings, cba, draws, seed)
    out.format_of(output)  # a wrong suffix is refused before the report is built
    found = board_report.build(workspace(ctx), place, year, spec)
    print_notes(found.notes)
    console.print(f"wrote {out.write(found.to_dict(), output)}")


def register(app: typer.Typer) -> None:
    app.command()(report)
