"""`placespend insight` commands: sharing agreements, their audit, and retention (DESIGN.md §7)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated

import typer
from rich.table import Table

from placespend.app import sharing
from placespend.app.bodies.register import current_user
from placespend.app.sharing import DEFAULT_THRESHOLD
from placespend.cli.context import Format, console, guard, workspace
from placespend.domain.problems import PlacespendError
from placespend.report.money import to_json

agreement_app = typer.Typer(help="Information-sharing agreements: who shares which fields, why, on what "
                            "lawful basis, for how long.", no_args_is_help=True)
By = Annotated[str | None, typer.Option("--by", help="Who makes the change (default: your login name).")]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table or json")]


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PlacespendError(f"{option} must be a date YYYY-MM-DD, not '{text}'") from None


@agreement_app.command("add")
@guard
def add(ctx: typer.Context,
        agreement_id: Annotated[str, typer.Argument(help="A short id for the agreement, e.g. 'falls-2026'.")],
        purpose: Annotated[str, typer.Option("--purpose", help="Why the partners share.")],
        basis: Annotated[str, typer.Option("--legal-basis", help="UK GDPR Art. 6(1) basis, e.g. '6(1)(e)' or "
                                           "'public task'.")],
        party: Annotated[list[str], typer.Option("--party", help="A party's body id (repeat, at least two).")],
        field: Annotated[list[str], typer.Option("--field", help="A field the parties may share (repeat).")],
        analyst: Annotated[list[str], typer.Option("--analyst", help="Username who may see linkage results "
                                                   "(repeat).")],
        review_date: Annotated[str, typer.Option("--review-date", help="When it must be reviewed, YYYY-MM-DD.")],
        special: Annotated[str | None, typer.Option("--special-basis", help="Art. 9(2) condition, for special "
                                                    "category data, e.g. '9(2)(h)'.")] = None,
        retention_days: Annotated[int | None, typer.Option("--retention-days", help="Keep a run's results this "
                                                           "many days.")] = None,
        retain_until: Annotated[str | None, typer.Option("--retain-until", help="Keep results (and share) no later "
                                                         "than this date.")] = None,
        rounding: Annotated[int | None, typer.Option("--rounding", help="Round published counts to this base.")]
        = None,
        threshold: Annotated[int, typer.Option("--threshold", help="Suppress counts below this "
                                                 f"(at least {DEFAULT_THRESHOLD}).")] = DEFAULT_THRESHOLD,
        by: By = None) -> None:
    """Register an information-sharing agreement (ICO data sharing code)."""
    found = sharing.add_agreement(workspace(ctx), agreement_id, purpose, basis, party, field, analyst,
                                  _date(review_date, "--review-date"), by or current_user(), special,
                                  retention_days, _date(retain_until, "--retain-until"), rounding, threshold)
    console.print(f"Agreement {found.agreement_id} registered: {', '.join(found.parties)} may share "
                  f"{', '.join(found.fields)} under UK GDPR Art. {found.legal_basis}.")


@agreement_app.command("list")
@guard
def list_(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Every agreement, live or not, with why not."""
    rows = sharing.agreements(workspace(ctx))
    today = dt.date.today()
    if fmt == Format.json:
        typer.echo(to_json([{**dataclasses.asdict(a), "problem": a.problem(today)} for a in rows]))
        return
    table = Table(title=f"Sharing agreements ({len(rows)})")
    for col in ("Id", "Parties", "Fields", "Basis", "Review", "Status"):
        table.add_column(col)
    for a in rows:
        table.add_row(a.agreement_id, ", ".join(a.parties), ", ".join(a.fields), a.legal_basis, str(a.review_date),
                      a.problem(today) or "live")
    console.print(table)


@agreement_app.command("show")
@guard
def show(ctx: typer.Context, agreement_id: Annotated[str, typer.Argument(help="The agreement.")],
         fmt: FormatOption = Format.table) -> None:
    """One agreement with its runs and its audit trail."""
    ws = workspace(ctx)
    found = sharing.agreement(ws, agreement_id)
    payload = {**dataclasses.asdict(found), "problem": found.problem(dt.date.today()),
               "runs": sharing.runs(ws, agreement_id), "audit": sharing.audit_trail(ws, agreement_id)}
    if fmt == Format.json:
        typer.echo(to_json(payload))
        return
    for key, value in payload.items():
        if key not in {"runs", "audit"}:
            console.print(f"[bold]{key}[/]: {value}", highlight=False)
    console.print(f"[bold]runs[/]: {len(payload['runs'])}; [bold]audit entries[/]: {len(payload['audit'])}")
    for entry in payload["audit"]:
        console.print(f"  {entry['happened_at']:%Y-%m-%d %H:%M} {entry['who']} {entry['action']} "
                      f"{entry['run_id'] or ''}", highlight=False)


@agreement_app.command("retire")
@guard
def retire(ctx: typer.Context, agreement_id: Annotated[str, typer.Argument(help="The agreement.")],
           reason: Annotated[str, typer.Option("--reason", "-r", help="Why it ends.")] = "", by: By = None) -> None:
    """End an agreement: no linkage or overlap may run under it any more."""
    sharing.retire(workspace(ctx), agreement_id, by or current_user(), reason)
    console.print(f"Agreement {agreement_id} retired.")


@agreement_app.command("review")
@guard
def review(ctx: typer.Context, agreement_id: Annotated[str, typer.Argument(help="The agreement.")],
           next_review: Annotated[str, typer.Option("--next", help="Date of the next review, YYYY-MM-DD.")],
           by: By = None) -> None:
    """Record a review: the agreement is still needed; sets the next review date."""
    found = sharing.review(workspace(ctx), agreement_id, by or current_user(), _date(next_review, "--next"))
    console.print(f"Agreement {agreement_id} reviewed; next review {found.review_date}.")


def purge(ctx: typer.Context, by: By = None, fmt: FormatOption = Format.table) -> None:
    """Delete stored linkage results past their agreement's retention, recording that they were."""
    done = sharing.purge(workspace(ctx), by or current_user())
    if fmt == Format.json:
        typer.echo(to_json({"purged": done}))
        return
    for entry in done:
        console.print(f"Run {entry['run_id']}: {entry['pairs_deleted']} pairs deleted ({entry['reason']}).")
    console.print(f"{len(done)} runs purged.")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `insight` group."""
    app.add_typer(agreement_app, name="agreement")
    app.command("purge")(guard(purge))
