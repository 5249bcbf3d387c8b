"""`placespend bodies`: the register of bodies and suppliers, its merges, their audit and undo."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from placespend.app.bodies import register as bodies
from placespend.cli.context import Format, console, guard, workspace
from placespend.report.money import to_json

app = typer.Typer(help="The bodies register: one canonical id per body, merges audited and reversible.",
                  no_args_is_help=True)
By = Annotated[str | None, typer.Option("--by", help="Who makes the change (default: your login name).")]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table or json")]


@app.command("list")
@guard
def list_(ctx: typer.Context,
          search: Annotated[str | None, typer.Option("--search", "-s", help="Only ids, names or aliases "
                                                     "containing this text.")] = None,
          fmt: FormatOption = Format.table) -> None:
    """Canonical bodies with the ids merged into them and how many ledger lines name them."""
    rows = bodies.list_bodies(workspace(ctx), search)
    if fmt == Format.json:
        typer.echo(to_json([vars(b) for b in rows]))
        return
    table = Table(title=f"Bodies ({len(rows)})")
    for col in ("Body", "Name", "Type", "Lines", "Also known as"):
        table.add_column(col, justify="right" if col == "Lines" else "left")
    for b in rows:
        table.add_row(b.body, b.name or "", b.body_type or "", f"{b.lines:,}", ", ".join(b.aliases))
    console.print(table)


@app.command()
@guard
def merge(ctx: typer.Context,
          merged: Annotated[str, typer.Argument(help="The id to merge away (A).")],
          into: Annotated[str, typer.Argument(help="The id it is the same body as (B); B stays canonical.")],
          reason: Annotated[str, typer.Option("--reason", "-r", help="Why A and B are the same body.")],
          by: By = None) -> None:
    """Record that body A is body B: from now on A's lines count as B's everywhere."""
    merge_id = bodies.merge(workspace(ctx), merged, into, reason, by)
    console.print(f"Merge {merge_id}: '{merged}' now counts as '{into}'. Undo with: placespend bodies undo "
                  f"{merge_id}")


@app.command()
@guard
def undo(ctx: typer.Context,
         merge_id: Annotated[int, typer.Argument(help="The merge to reverse (see 'bodies history').")],
         reason: Annotated[str, typer.Option("--reason", "-r", help="Why it is undone.")] = "",
         by: By = None) -> None:
    """Reverse one merge; it stays in the history, marked undone."""
    found = bodies.undo(workspace(ctx), merge_id, by, reason)
    console.print(f"Merge {merge_id} undone: '{found.merged}' counts as itself again.")


@app.command()
@guard
def history(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Every merge: who, when, why (by hand or which rule), and whether it was undone."""
    rows = bodies.history(workspace(ctx))
    if fmt == Format.json:
        typer.echo(to_json([vars(m) for m in rows]))
        return
    table = Table(title="Merges")
    for col in ("Id", "Merged", "Into", "How", "Reason", "By", "At", "Undone"):
        table.add_column(col)
    for m in rows:
        undone = f"{m.undone_by} {m.undone_at:%Y-%m-%d %H:%M}" if m.undone_at else ""
        table.add_row(str(m.merge_id), m.merged, m.into_body, m.rule or m.kind, m.reason, m.merged_by,
                      f"{m.merged_at:%Y-%m-%d %H:%M}", undone)
    console.print(table)


@app.command()
@guard
def suggest(ctx: typer.Context,
            apply: Annotated[bool, typer.Option("--apply", help="Merge the suggestions (as rule merges).")] = False,
            rule: Annotated[str | None, typer.Option(help="Only this rule, e.g. 'same company number'.")] = None,
            by: By = None, fmt: FormatOption = Format.table) -> None:
    """Candidate duplicates: the same registered number, local authority area or normalised name."""
    ws = workspace(ctx)
    found = [s for s in bodies.suggest(ws) if rule is None or s.rule == rule]
    merged = bodies.apply_suggestions(ws, found, by) if apply else []
    if fmt == Format.json:
        typer.echo(to_json({"suggestions": [vars(s) for s in found], "merge_ids": merged}))
        return
    table = Table(title=f"Candidate duplicates ({len(found)})")
    for col in ("Keep", "Merge", "Rule", "Key"):
        table.add_column(col)
    for s in found:
        table.add_row(f"{s.bodies[0]} {s.names.get(s.bodies[0]) or ''}",
                      "\n".join(f"{b} {s.names.get(b) or ''}" for b in s.bodies[1:]), s.rule, s.key)
    console.print(table)
    if apply:
        console.print(f"{len(merged)} merges recorded; see 'placespend bodies history'.")


def register(app_: typer.Typer) -> None:
    app_.add_typer(app, name="bodies")
