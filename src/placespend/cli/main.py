"""Entry point: `placespend [--db PATH] COMMAND`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from placespend import __version__
from placespend.app.workspace import WorkspaceBusy
from placespend.cli import (
    analysis_cmds,
    assets_cmds,
    backup_cmds,
    bench_cmds,
    beside_server,
    bodies_cmds,
    count_cmds,
    deepdive_cmds,
    demo_cmds,
    estimate_cmds,
    insight_cmds,
    ledger_cmds,
    places_cmds,
    report_cmds,
    suppliers_cmds,
    user_cmds,
    wards_cmds,
)
from placespend.cli.context import BESIDE_SERVER, ROOT_APP

app = typer.Typer(
    help="Count and explain all public money spent in a place (the Total Place method).",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"placespend {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[Path | None, typer.Option("--db", envvar="PLACESPEND_DB",
                                            help="Workspace DuckDB file (default ./placespend.duckdb).")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    ctx.ensure_object(dict).update({"db": db, ROOT_APP: app})


ledger_cmds.register(app)
places_cmds.register(app)
count_cmds.register(app)
estimate_cmds.register(app)
analysis_cmds.register(app)
wards_cmds.register(app)
deepdive_cmds.register(app)
bodies_cmds.register(app)
demo_cmds.register(app)
user_cmds.register(app)
bench_cmds.register(app)
insight_cmds.register(app)
assets_cmds.register(app)
suppliers_cmds.register(app)
report_cmds.register(app)
backup_cmds.register(app)


def run() -> None:
    """`placespend` as a program: a command that finds the workspace held by `placespend serve` is run by it."""
    try:
        app(obj={BESIDE_SERVER: True})
    except WorkspaceBusy as busy:
        sys.exit(beside_server.through_server(busy))


if __name__ == "__main__":
    run()
