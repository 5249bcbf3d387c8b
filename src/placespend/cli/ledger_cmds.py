"""Commands that put data in: template, ingest, import, submissions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress
from rich.table import Table

from placespend import service
from placespend.cli.context import Format, console, guard, print_report, workspace
from placespend.engine import tables
from placespend.report.money import pounds, to_json
from placespend.report.template import write_template

Files = Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True, help="Files to read.")]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def template(out: Annotated[Path, typer.Argument(help="Where to write the .xlsx template.")]) -> None:
    """Write the partner template: instructions, the Spend sheet with drop-downs, bodies, worked examples."""
    write_template(out)
    console.print(f"Template written to [bold]{out}[/]")


@guard
def ingest(
    ctx: typer.Context,
    files: Files,
    submitter: Annotated[str | None, typer.Option(help="Body submitting the files (default: the spender).")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Validate partners' returns (template .xlsx, flows CSV or Parquet) and load them, all or nothing."""
    ws = workspace(ctx)
    with Progress(transient=True, disable=fmt == Format.json or len(files) < 2) as progress:
        progress.add_task("Validating and loading", total=None)
        results = service.ingest_returns(ws, list(files), submitter)
    _finish(results, fmt, lambda r: f"loaded {r.line_count:,} lines, {pounds(r.total)} counted in place, "
                                    f"as submission {r.submission_id} from {r.submitter}",
            lambda r: f"already loaded as submission {r.submission_id}; nothing changed")


@guard
def import_(
    ctx: typer.Context,
    files: Files,
    kind: Annotated[str | None, typer.Option(help="Force the reader (e.g. places, regional-spend, cra2014).")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Import reference and open data (places, HM Treasury regional spend, ONS statistics, lookups).

    The kind of each file is recognised from its header; --kind forces it.
    """
    ws = workspace(ctx)
    results = []
    with Progress(transient=True, disable=fmt == Format.json) as progress:
        task = progress.add_task("Importing", total=len(files))
        for path in files:
            results.append(service.import_reference(ws, path, kind))
            progress.advance(task)
    _finish(results, fmt, lambda r: f"read as {r.reader}: "
                                    + ", ".join(f"{n:,} {k.replace('_', ' ')} rows" for k, n in r.rows.items()),
            lambda r: f"already imported (import {r.import_id}); nothing changed")


def _finish(results: list, fmt: Format, loaded: Callable[[Any], str], unchanged: Callable[[Any], str]) -> None:
    """Print every file's report (or JSON), and exit 1 if any file was rejected: nothing half-done."""
    if fmt == Format.json:
        typer.echo(to_json([r.to_dict() for r in results]))
    else:
        for result in results:
            print_report(result.report, result.outcome)
            if result.outcome in ("loaded", "unchanged"):
                console.print("  " + (loaded if result.outcome == "loaded" else unchanged)(result))
    if any(r.outcome == "rejected" for r in results):
        raise typer.Exit(1)


@guard
def submissions(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Every submission with its history: which are live and which were superseded by newer returns."""
    with workspace(ctx).read() as con:
        rows = tables.submissions(con).to_pyarrow().to_pylist()
    if fmt == Format.json:
        typer.echo(to_json(rows))
        return
    table = Table(title="Submissions")
    for col in ("id", "file", "submitter", "places", "periods", "lines", "GBP in place", "state", "loaded at"):
        table.add_column(col, justify="right" if col in {"id", "lines", "GBP in place"} else "left")
    for row in rows:
        state = "live" if row["live_slices"] else f"superseded by {row['superseded_by']}"
        table.add_row(str(row["submission_id"]), row["file_name"], row["submitter"], ", ".join(row["places"]),
                      ", ".join(row["periods"]), f"{row['line_count']:,}", pounds(row["total_amount"]),
                      f"{row['status']}, {state}", f"{row['loaded_at']:%Y-%m-%d %H:%M}")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(template)
    app.command()(ingest)
    app.command("import")(import_)
    app.command()(submissions)
