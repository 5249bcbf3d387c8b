"""Shared CLI plumbing: the workspace option, output formats, and turning misuse into a clean exit."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from placespend.app.workspace import Workspace, open_workspace, read_on
from placespend.domain.problems import PlacespendError, Report

console = Console()
errors = Console(stderr=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


EngineOption = Annotated[Engine, typer.Option(
    "--engine", envvar="PLACESPEND_ENGINE",
    help="Query engine: duckdb (the workspace file) or spark (the ledger as Parquet; needs placespend[spark]).")]


def workspace(ctx: typer.Context) -> Workspace:
    return open_workspace(ctx.obj.get("db") if ctx.obj else None)


@contextmanager
def read(ctx: typer.Context, engine: Engine = Engine.duckdb) -> Iterator[Any]:
    """A read-only Ibis connection to the workspace's ledger on the chosen engine."""
    with read_on(workspace(ctx), engine.value) as con:
        yield con


def fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[bold red]Error:[/] {message}", soft_wrap=True)  # one line, however long, for scripts to read
    return typer.Exit(code)


def print_notes(notes: Iterable[str]) -> None:
    """Notes beside a figure (a year with no lines) go to stderr, so JSON on stdout stays JSON."""
    for text in notes:
        errors.print(f"[yellow]note:[/] {escape(text)}", highlight=False)


def print_report(report: Report, outcome: str = "") -> None:
    """Errors and warnings as a finance officer reads them: where, what, and what to do."""
    style = {"loaded": "green", "unchanged": "cyan", "rejected": "red"}.get(outcome, "white")
    label = f" [{style}]{outcome}[/]" if outcome else ""
    console.print(f"[bold]{report.file}[/]{label}: {len(report.errors)} errors, {len(report.warnings)} warnings")
    for problem in report.problems:
        colour = "red" if problem.severity == "error" else "yellow"
        where = problem.where().removeprefix(report.file).lstrip(", ") or "file"
        console.print(f"  [{colour}]{problem.severity}[/] [dim]{problem.slug}[/] {where}: {problem.message}",
                      highlight=False)


def print_problems(reports: list[Report]) -> None:
    """Every problem of the inputs (warnings too) on stderr, so that stdout stays the result (e.g. JSON)."""
    for report in reports:
        for problem in report.problems:
            colour = "red" if problem.severity == "error" else "yellow"
            errors.print(f"[{colour}]{problem.severity}[/] [dim]{problem.slug}[/] {problem.where()}: "
                         f"{problem.message}", highlight=False, soft_wrap=True)


def guard(func):
    """Misuse (no workspace, unknown place) exits 2 with one readable line instead of a traceback."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except PlacespendError as exc:
            raise fail(escape(str(exc))) from None  # a message's [brackets] are text, not Rich markup

    return wrapper
