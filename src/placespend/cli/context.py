"""Shared CLI plumbing: the workspace option, output formats, and turning misuse into a clean exit."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import Enum, StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from placespend.cli.root import BESIDE_SERVER
from placespend.domain.problems import PlacespendError, Report, WorkspaceBusy

if TYPE_CHECKING:
    from placespend.app.workspace import Workspace

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
    """The workspace of `--db`; inside `placespend serve`, running a command line sent by the CLI, the server's
    own open workspace."""
    # Imported here for start-up (not a cycle): opening a workspace imports Ibis (0.8 s), which a command that
    # never opens one (`--help`, the quick count) should not wait for.
    from placespend.app.workspace import open_workspace

    obj = ctx.obj or {}
    return obj.get("workspace") or open_workspace(obj.get("db"))


def db_file(ctx: typer.Context) -> str | None:
    """`--db` (None: $PLACESPEND_DB or the default file)."""
    return (ctx.obj or {}).get("db")


def in_server(ctx: typer.Context) -> bool:
    """Whether the command runs inside `placespend serve` (a command line sent by the CLI), reading the server's
    own open workspace rather than the file."""
    return bool((ctx.obj or {}).get("workspace"))


@contextmanager
def read(ctx: typer.Context, engine: Engine = Engine.duckdb) -> Iterator[Any]:
    """A read-only Ibis connection to the workspace's ledger on the chosen engine."""
    from placespend.app.workspace import read_on  # here for start-up, as in `workspace`

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

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except WorkspaceBusy as busy:
            ctx = next((a for a in (*args, *kwargs.values()) if hasattr(a, "find_root")), None)  # the Context
            if ctx is not None and (ctx.find_root().obj or {}).get(BESIDE_SERVER):
                busy.command_line = command_line(ctx)
                raise
            raise fail(escape(str(busy))) from None
        except PlacespendError as exc:
            raise fail(escape(str(exc))) from None  # a message's [brackets] are text, not Rich markup

    return wrapper


def command_line(ctx: typer.Context) -> list[str]:
    """The command line that made `ctx`, rebuilt from what was parsed, with every file and folder made absolute
    (whoever runs it again may run it from another folder) and without `--db`. Values that came from
    environment variables are written out, since whoever runs it again does not share the environment."""
    levels = []
    while ctx.parent is not None:
        levels.append(ctx)
        ctx = ctx.parent
    words: list[str] = []
    for level in reversed(levels):
        words.append(level.info_name or "")
        arguments: list[str] = []
        for param in level.command.params:
            source = level.get_parameter_source(param.name)
            value = level.params.get(param.name)
            if source is None or source.name == "DEFAULT" or value is None:
                continue
            values = [_word(v) for v in value] if isinstance(value, list | tuple) else [_word(value)]
            if param.param_type_name == "argument":
                arguments.extend(values)
            elif getattr(param, "is_bool_flag", False):
                words.extend([param.opts[0]] if value else param.secondary_opts[:1])
            else:
                for word in values:
                    words.extend([param.opts[0], word])
        if arguments:
            words.extend(["--", *arguments])
    return words


def _word(value: Any) -> str:
    if isinstance(value, Path):
        return str(value.absolute())
    if isinstance(value, Enum):
        return str(value.value)
    text = str(value)
    if isinstance(value, str) and ("/" in text or "." in text) and Path(text).exists():
        return str(Path(text).absolute())  # a file named in a text option, e.g. `--criteria FILE`
    return text
