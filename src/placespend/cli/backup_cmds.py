"""`placespend backup DEST` and `placespend restore SRC`: the whole workspace, checked by content hash."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from placespend.app import backup as backups
from placespend.cli.context import Format, console, guard, workspace
from placespend.report.money import to_json

FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format (table or json).")]


@guard
def backup(
    ctx: typer.Context,
    dest: Annotated[Path, typer.Argument(help="A new (or empty) folder to write the backup into.")],
    fmt: FormatOption = Format.table,
) -> None:
    """Back up the workspace: its database (checkpointed) and stored submissions, with a manifest of hashes.

    Safe while `placespend serve` runs: the server takes the copy between two writes.
    """
    summary = backups.backup(workspace(ctx), dest)
    if fmt == Format.json:
        typer.echo(to_json(summary.to_dict()))
        return
    console.print(f"Backed up [bold]{summary.database}[/] (schema version {summary.schema_version}) and "
                  f"{summary.stored_files:,} stored files, {summary.bytes:,} bytes, to [bold]{summary.folder}[/]")


@guard
def restore(
    ctx: typer.Context,
    src: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="A folder written by `placespend backup`.")],
    replace: Annotated[bool, typer.Option(help="Restore over an existing workspace (it is kept, renamed).")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Restore a workspace from a backup, after checking every file against the backup's manifest.

    A backup with a missing, extra or changed file is refused and nothing is touched. Stop `placespend serve`
    first: a workspace cannot be replaced under a running server.
    """
    summary = backups.restore(workspace(ctx), src, replace)
    if fmt == Format.json:
        typer.echo(to_json(summary.to_dict()))
        return
    console.print(f"Restored [bold]{workspace(ctx).path}[/] from {summary.folder}: schema version "
                  f"{summary.schema_version}, {summary.stored_files:,} stored files, every hash checked")
    for path in summary.put_aside or []:
        console.print(f"  the workspace it replaced is kept as {path}")


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(restore)
