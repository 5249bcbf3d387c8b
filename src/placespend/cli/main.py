"""Entry point: `placespend [--db PATH] COMMAND`.

Why the commands are named here rather than imported: a command module brings in the libraries its command
uses (scikit-learn and spopt for assets, Splink for insight, Plotly and WeasyPrint for the report, ...), and
importing every one of them made each command, even `--help`, wait 1.2-2.1 s for libraries it did not use. So
the root group knows each command by name, module and one-line help (`COMMANDS`), lists them from that table,
and imports a command's module only when that command runs (BENCHMARKS.md, "CLI start-up").
tests/cli/test_lazy_commands.py keeps the table equal to what the modules register.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from placespend import __version__
from placespend.cli.root import BESIDE_SERVER, ROOT_APP
from placespend.domain.problems import WorkspaceBusy


@dataclass(frozen=True)
class Listed:
    """A command as `placespend --help` lists it, and the module whose `register(app)` adds it."""

    module: str
    summary: str  # the first paragraph of the command's help, on one line


# In the order `--help` lists them: the commands, then the groups of sub-commands.
COMMANDS: dict[str, Listed] = {
    "template": Listed("placespend.cli.ledger_cmds", "Write the partner template: instructions, the Spend sheet "
                       "with drop-downs, bodies, worked examples."),
    "ingest": Listed("placespend.cli.ledger_cmds", "Validate partners' returns (template .xlsx, flows CSV or "
                     "Parquet) and load them, all or nothing."),
    "import": Listed("placespend.cli.ledger_cmds", "Import reference and open data (places, HM Treasury regional "
                     "spend, ONS statistics, lookups)."),
    "submissions": Listed("placespend.cli.ledger_cmds", "Every submission with its history: which are live and "
                          "which were superseded by newer returns."),
    "places": Listed("placespend.cli.places_cmds", "The places with their name, region and the years with "
                     "counted lines: the codes --place accepts."),
    "count": Listed("placespend.cli.count_cmds", "The high-level count: every pound once, where it is finally "
                    "spent (DESIGN.md §4)."),
    "explain": Listed("placespend.cli.count_cmds", "List the lines behind a figure of the count, with the file, "
                      "sheet and row each came from."),
    "estimate": Listed("placespend.cli.estimate_cmds", "Allocate HM Treasury regional spending to a place with a "
                       "criteria set (DESIGN.md §5)."),
    "compare": Listed("placespend.cli.estimate_cmds", "Seed 000 Table 1 for any places: A centre-out, B "
                      "locally-led, 1 - B/A, and a bridge for each gap."),
    "wards": Listed("placespend.cli.wards_cmds", "Apportion spending to wards by declared drivers; ward figures sum "
                    "back exactly to the total."),
    "cba": Listed("placespend.cli.deepdive_cmds", "Cost-benefit analysis of a file of cash flows (year, agency, "
                  "kind, amount): NPV, BCR, ROI, payback, who invests / who benefits, A - (B + C) = Y, and Monte "
                  "Carlo P10/P50/P90 for rows with low and high."),
    "demo": Listed("placespend.cli.demo_cmds", "Build the demo workspace: the 13 Total Place pilots' published "
                   "figures and a synthetic partnership."),
    "serve": Listed("placespend.cli.demo_cmds", "Serve the web app and API (partners submit, analysts moderate, "
                    "councillors see the place)."),
    "export-parquet": Listed("placespend.cli.bench_cmds", "Export the ledger as Parquet, one folder per table, for "
                             "Spark (copy it to shared storage for a cluster)."),
    "report": Listed("placespend.cli.report_cmds", "The board report of a place: the count, the centre-out "
                     "estimate and the bridge, the analyses with charts, deep-dive results (of --savings / --cba, "
                     "else of the latest savings register and CBA case kept for the place on the Deep dives page), "
                     "insight and assets the workspace holds, sources and licences."),
    "backup": Listed("placespend.cli.backup_cmds", "Back up the workspace: its database (checkpointed) and stored "
                     "submissions, with a manifest of hashes."),
    "restore": Listed("placespend.cli.backup_cmds", "Restore a workspace from a backup, after checking every file "
                      "against the backup's manifest."),
    "analyse": Listed("placespend.cli.analysis_cmds", "Analyses that point to where money can work harder (seed "
                      "000 §4)."),
    "deepdive": Listed("placespend.cli.deepdive_cmds", "Deep dives: themes, unit costs, journeys, cohorts, savings "
                       "ranges, report."),
    "bodies": Listed("placespend.cli.bodies_cmds", "The bodies register: one canonical id per body, merges audited "
                     "and reversible."),
    "user": Listed("placespend.cli.user_cmds", "Accounts for the web app and API."),
    "bench": Listed("placespend.cli.bench_cmds", "Synthetic national ledgers for benchmarks (timings live in "
                    "benchmarks/)."),
    "insight": Listed("placespend.cli.insight_cmds", "Customer insight: areas (segments, hotspots, profiles, "
                      "surveys, access points) and people (pseudonymised matching between partners, with "
                      "disclosure control)."),
    "assets": Listed("placespend.cli.assets_cmds", "Total Capital and Assets: partners' land and buildings, "
                     "co-location, rationalisation, capital."),
    "suppliers": Listed("placespend.cli.suppliers_cmds", "Shared suppliers: resolve partners' payees into "
                        "suppliers (names, VAT, company and charity numbers), see who pays whom for what, explain "
                        "and override, and price joint procurement."),
}
MARKUP = "rich"

# True while help or shell completion lists the commands: they need each command's name and summary only.
_listing: ContextVar[bool] = ContextVar("listing", default=False)


@cache
def registered(module: str) -> TyperGroup:
    """The commands `module` registers, as a group (built once per process: `serve` may run many commands)."""
    scratch = typer.Typer(rich_markup_mode=MARKUP)
    importlib.import_module(module).register(scratch)
    return typer.main.get_group(scratch)


class _Commands(Mapping[str, Any]):
    """The root group's commands by name: the names are the table's, a command is imported when looked up."""

    def __getitem__(self, name: str) -> Any:
        return registered(COMMANDS[name].module).commands[name]

    def __iter__(self) -> Iterator[str]:
        return iter(COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS)


class LazyCommands(TyperGroup):
    """The root group: lists `COMMANDS` from the table, and imports a command's module only to run it (or to
    show that command's own help). "Did you mean" suggestions read the names only."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands()

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if _listing.get() and cmd_name in COMMANDS:
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name].summary, rich_markup_mode=MARKUP)
        return self.commands.get(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        with _summaries():
            super().format_help(ctx, formatter)

    def shell_complete(self, ctx: Any, incomplete: str) -> Any:
        with _summaries():
            return super().shell_complete(ctx, incomplete)


@contextmanager
def _summaries() -> Iterator[None]:
    token = _listing.set(True)
    try:
        yield
    finally:
        _listing.reset(token)


app = typer.Typer(
    cls=LazyCommands,
    help="Count and explain all public money spent in a place (the Total Place method).",
    no_args_is_help=True,
    rich_markup_mode=MARKUP,
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


def run() -> None:
    """`placespend` as a program: a command that finds the workspace held by `placespend serve` is run by it."""
    try:
        app(obj={BESIDE_SERVER: True})
    except WorkspaceBusy as busy:
        from placespend.cli import beside_server  # only when the workspace is busy: it brings in the web layer

        sys.exit(beside_server.through_server(busy))


if __name__ == "__main__":
    run()
