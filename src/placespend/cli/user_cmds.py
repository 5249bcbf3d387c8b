"""Accounts: `placespend user add` and `placespend user token`."""

from __future__ import annotations

from typing import Annotated

import typer

from placespend.app import accounts
from placespend.cli.context import console, fail, guard, workspace

app = typer.Typer(help="Accounts for the web app and API.", no_args_is_help=True)


@app.command("add")
@guard
def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Sign-in name.")],
    role: Annotated[str, typer.Option(help="admin, analyst, partner or viewer.")],
    organisation: Annotated[str | None, typer.Option(help="Partners: the body id they submit for.")] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    password: Annotated[str | None, typer.Option(envvar="PLACESPEND_PASSWORD", help="Password (prompted if not given).",
                                                 hidden=True)] = None,
) -> None:
    """Create an account (the password is asked for twice unless PLACESPEND_PASSWORD is set)."""
    secret = password or typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = accounts.add_user(workspace(ctx), username, secret, role, organisation, name)
    console.print(f"Created {user.username} ({user.role}{', ' + user.organisation if user.organisation else ''})")


@app.command("token")
@guard
def token(ctx: typer.Context, username: Annotated[str, typer.Argument(help="Whose token.")],
          label: Annotated[str, typer.Option(help="What the token is for.")] = "script") -> None:
    """Issue an API token (shown once; send it as 'Authorization: Bearer TOKEN')."""
    ws = workspace(ctx)
    user = accounts.user_named(ws, username)
    if user is None:
        raise fail(f"no user {username}")
    typer.echo(accounts.new_api_token(ws, user, label))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="user")
