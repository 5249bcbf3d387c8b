"""Accounts: `placespend user add`, `placespend user token` and `placespend user mfa-off`."""

from __future__ import annotations

from typing import Annotated

import typer

from placespend.app import accounts, totp
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
          label: Annotated[str, typer.Option(help="What the token is for.")] = "script",
          days: Annotated[int, typer.Option(help="How many days the token works (1 to 366).")] = accounts.TOKEN_DAYS,
          ) -> None:
    """Issue an API token (shown once; send it as 'Authorization: Bearer TOKEN'); it expires after --days."""
    ws = workspace(ctx)
    typer.echo(accounts.new_api_token(ws, _user(ws, username), label, days))


@app.command("mfa-off")
@guard
def mfa_off(ctx: typer.Context, username: Annotated[str, typer.Argument(help="Whose sign-in codes to turn off.")],
            ) -> None:
    """Turn off a user's sign-in codes (a lost phone): they sign in with the password alone until they set
    codes up again on /account. Audited."""
    ws = workspace(ctx)
    totp.remove(ws, _user(ws, username), None)
    console.print(f"Sign-in codes are off for {username}.")


def _user(ws, username: str) -> accounts.User:
    user = accounts.user_named(ws, username)
    if user is None:
        raise fail(f"no user {username}")
    return user


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="user")
