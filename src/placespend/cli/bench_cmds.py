"""`placespend bench generate`: a synthetic national ledger for timing the engines (see benchmarks/)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from placespend.app.workspace import export_ledger
from placespend.cli.context import console, fail, workspace
from placespend.domain.problems import PlacespendError

bench_app = typer.Typer(help="Synthetic national ledgers for benchmarks (timings live in benchmarks/).",
                        no_args_is_help=True)


@bench_app.command()
def generate(
    lines: Annotated[int, typer.Option("--lines", "-n", min=1, help="Ledger lines to generate.")],
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same ledger.")] = 1,
    out: Annotated[Path, typer.Option(help="A new workspace (.duckdb), or a canonical flows file (.csv, .parquet).")]
    = Path("bench.duckdb"),
) -> None:
    """Generate a ledger of ~400 places, tens of thousands of bodies, transfer chains and three periods."""
    from placespend.app.bench.generate import generate_workspace, write_file

    started = time.perf_counter()
    if out.suffix in (".csv", ".parquet"):
        write_file(out, lines, seed)
        console.print(f"{lines:,} lines written to [bold]{out}[/] in {time.perf_counter() - started:.1f} s")
        return
    if out.exists():
        raise fail(f"{out} exists; the generator writes a new workspace only.")
    counts = generate_workspace(out, lines, seed)
    console.print(f"Workspace [bold]{out}[/] in {time.perf_counter() - started:.1f} s: "
                  + ", ".join(f"{n:,} {name}" for name, n in counts.items()))


def export_parquet(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option(help="Folder to write (default: beside the workspace, "
                                                  "<name>.parquet, where --engine spark looks).")] = None,
) -> None:
    """Export the ledger as Parquet, one folder per table, for Spark (copy it to shared storage for a cluster)."""
    ws = workspace(ctx)
    if not ws.exists:
        raise fail(f"No workspace at {ws.path}.")
    try:
        target, counts = export_ledger(ws, out)
    except PlacespendError as exc:
        raise fail(str(exc)) from None
    console.print(f"Ledger exported to [bold]{target}[/]: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))


def register(app: typer.Typer) -> None:
    app.add_typer(bench_app, name="bench")
    app.command("export-parquet")(export_parquet)
