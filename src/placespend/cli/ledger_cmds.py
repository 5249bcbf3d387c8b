"""Commands that put data in: template, ingest, import, submissions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress
from rich.table import Table

from placespend.app import ingest_files
from placespend.cli.context import Format, console, guard, print_report, workspace
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
    submitter: Annotated[str | None, typer.Option(
        help="One body submitting the whole file for the others (a partnership's compiled ledger). "
             "Default: each spender's lines are that body's own return.")] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Confirm that a return dropping most of the previous one's lines, or moving its "
                          "place's total by a large share, replaces it.")] = False,
    confirm_large: Annotated[bool, typer.Option(
        "--confirm-large", help="Confirm lines larger than the body's whole previous return are right.")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Validate partners' returns (template .xlsx, flows CSV or Parquet) and load them, all or nothing.

    A file's lines are grouped by spender, one submission per body; a newer return from the same body for the
    same place and period supersedes the previous one, and one that replaces most of it needs --replace.
    """
    ws = workspace(ctx)
    with Progress(transient=True, disable=fmt == Format.json or len(files) < 2) as progress:
        progress.add_task("Validating and loading", total=None)
        results = ingest_files.ingest_returns(ws, list(files), submitter, confirm_large=confirm_large, replace=replace)
    if fmt != Format.json:
        _replacements(results)
    _finish(results, fmt, _loaded, lambda r: f"already loaded as submission {r.submission_id}; nothing changed")


def _loaded(result: ingest_files.IngestResult) -> str:
    said = [f"loaded {p.line_count:,} lines, {pounds(p.total)} counted in place, as submission {p.submission_id} "
            f"from {p.submitter}" for p in result.parts]
    return "\n  ".join(said) or "loaded no lines"


def _replacements(results: list[ingest_files.IngestResult]) -> None:
    """The difference a new return makes, shown before the report that refuses or records it."""
    found = [r for result in results for r in result.replacements if r.guarded]
    if not found:
        return
    table = Table(title="What the new return would replace")
    for col in ("submitter", "place", "period", "replaces", "lines before", "lines now", "GBP before", "GBP now",
                "place total before", "place total after", "moved"):
        table.add_column(col, justify="left" if col in {"submitter", "place", "period"} else "right")
    for r in found:
        moved = "from nothing" if r.moved_share is None else f"{r.moved_share:+.1%}"
        table.add_row(r.submitter, r.place, r.period, f"submission {r.previous.submission_id}",
                      f"{r.previous.lines:,}", f"{r.new.lines:,}", pounds(r.previous.total), pounds(r.new.total),
                      pounds(r.place_before), pounds(r.place_after), moved)
    console.print(table)


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
            results.append(ingest_files.import_reference(ws, path, kind))
            progress.advance(task)
    _finish(results, fmt, lambda r: f"read as {r.reader}: "
                                    + ", ".join(f"{n:,} {k.replace('_', ' ')} rows" for k, n in r.rows.items()),
            lambda r: f"already imported{f' (import {r.import_id})' if r.import_id else ''}; nothing changed")


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
    rows = ingest_files.submission_history(workspace(ctx))
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
