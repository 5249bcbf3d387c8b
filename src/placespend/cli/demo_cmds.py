"""demo builds the demo workspace; serve will serve the web app (issue 4)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from placespend.cli.context import console, guard, workspace
from placespend.cli.root import ROOT_APP
from placespend.report.money import pounds


@guard
def demo(ctx: typer.Context) -> None:
    """Build the demo workspace: the 13 Total Place pilots' published figures and a synthetic partnership."""
    from placespend.app.demo.build import build_demo

    ws = workspace(ctx)
    summary = build_demo(ws)
    console.print(f"Demo workspace built at [bold]{ws.path}[/]")
    console.print(f"  {summary.submissions} partner returns loaded ({summary.lines:,} lines); "
                  f"{summary.published} published figures from seed 000 Tables 1-3")
    console.print(f"  {summary.place} {summary.period}: count {pounds(summary.total)} "
                  f"(published {pounds(summary.published_total)}) [dim]synthetic partners, calibrated[/]")
    table = Table(title="Seed 000 Table 1, recomputed: difference = 1 - B/A")
    for col in ("Pilot", "A centre-out", "B locally-led", "Printed", "Computed", "Check"):
        table.add_column(col, justify="left" if col in {"Pilot", "Check"} else "right")
    for row in summary.table1:
        table.add_row(*row)
    console.print(table)
    for discrepancy in summary.discrepancies:
        console.print(f"  [yellow]printed figure disagrees[/] {discrepancy}")
    console.print(f"Try: placespend --db {ws.path} count --place {summary.place} --year {summary.period}")
    if summary.users:
        console.print("Demo accounts (password for all: [bold]" + summary.password + "[/]): "
                      + ", ".join(summary.users))


@guard
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    public: Annotated[bool, typer.Option(help="Let anyone read published results without signing in.")] = False,
    secure_cookies: Annotated[bool, typer.Option(help="Mark session cookies Secure (serve behind HTTPS).")] = False,
    require_admin_mfa: Annotated[bool, typer.Option(
        help="Keep the administrative pages from admins who have not set up sign-in codes.")] = False,
) -> None:
    """Serve the web app and API (partners submit, analysts moderate, councillors see the place)."""
    import uvicorn

    from placespend.app.warm_start import warm_at_start
    from placespend.cli import beside_server
    from placespend.web.app import create_app

    ws = workspace(ctx)
    local = beside_server.local_cli(ws, ctx.obj[ROOT_APP])
    app = create_app(ws, public=public, secure_cookies=secure_cookies, local_cli=local,  # holds the workspace
                     require_admin_mfa=require_admin_mfa)
    beside_server.announce(ws, host, port, local)
    warm_at_start(ws)  # the first pages people open, computed while the server starts listening
    console.print(f"Serving http://{host}:{port}/  (API docs at /docs, OpenAPI at /openapi.json); "
                  f"placespend commands on {ws.path.name} run through this server meanwhile")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        local.stop()


def register(app: typer.Typer) -> None:
    app.command()(demo)
    app.command()(serve)
