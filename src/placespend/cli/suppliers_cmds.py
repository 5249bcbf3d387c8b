"""`placespend suppliers`: shared suppliers across partners' spend files (collaborative procurement)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from placespend.app import suppliers as uc
from placespend.cli.context import Format, console, fail, guard, print_report, workspace
from placespend.report.exports import rows_csv
from placespend.report.money import pounds, to_json

app = typer.Typer(help="Shared suppliers: resolve partners' payees into suppliers (names, VAT, company and "
                  "charity numbers), see who pays whom for what, explain and override, and price joint "
                  "procurement.", no_args_is_help=True)
By = Annotated[str | None, typer.Option("--by", help="Who makes the change (default: your login name).")]
Reason = Annotated[str, typer.Option("--reason", "-r", help="Why (kept with the override).")]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table or json (shared: also csv)")]
Years = Annotated[list[str] | None, typer.Option("--year", "-y", help="Financial year of the payments, e.g. "
                                                 "2019-20 (repeat for several; default all read).")]
MinPartners = Annotated[int, typer.Option("--min-partners", help="Partners that must pay a supplier for it to be "
                                          "shared.")]


@app.command()
@guard
def resolve(ctx: typer.Context,
            files: Annotated[list[Path] | None, typer.Argument(exists=True, dir_okay=False, help="Partners' "
                             "transaction spend files (CSV, .gz or a zip of one CSV) to read first.")] = None,
            threshold: Annotated[float | None, typer.Option(help="Match probability from which the name model "
                                                             "joins two names (default 0.99).")] = None,
            by: By = None, fmt: FormatOption = Format.table) -> None:
    """Read spend files (all or nothing), then resolve every payee into suppliers and keep the evidence."""
    result, reports = uc.resolve(workspace(ctx), list(files or []), threshold, by)
    if fmt == Format.json:
        typer.echo(to_json(result))
    else:
        for report in reports:
            print_report(report, "rejected" if not report.ok else "loaded")
        if result["summary"]:
            _print_summary(result)
    if any(not r.ok for r in reports):
        raise typer.Exit(1)


def _print_summary(result: dict[str, Any]) -> None:
    stored, summary = result["stored"], result["summary"]
    if stored:
        for key in ("loaded", "unchanged", "replaced"):
            if stored[key]:
                console.print(f"{key}: {', '.join(stored[key])}", highlight=False)
    console.print(f"{summary['spellings']:,} spellings, {summary['names']:,} names once folded, "
                  f"{summary['suppliers']:,} suppliers (name model threshold {summary['threshold']}).")
    for rule, count in summary["joins_by_rule"].items():
        console.print(f"  joined by {rule}: {count:,}")
    if summary["refused_by_split"]:
        console.print(f"  refused by a split: {summary['refused_by_split']:,}")


@app.command()
@guard
def shared(ctx: typer.Context, year: Years = None, min_partners: MinPartners = 2,
           include_public: Annotated[bool, typer.Option("--include-public", help="Also list public bodies "
                                                        "(councils, NHS, HMRC ...) paid by several partners.")]
           = False,
           top: Annotated[int, typer.Option(help="Suppliers shown in the table (JSON and CSV give all).")] = 30,
           fmt: FormatOption = Format.table) -> None:
    """Suppliers several partners pay: for what, how much, their share of each partner's spend."""
    result = uc.shared(workspace(ctx), year, min_partners, include_public)
    if fmt == Format.json:
        typer.echo(to_json(result))
        return
    if fmt == Format.csv:
        typer.echo(rows_csv(_shared_rows(result)), nl=False)
        return
    _print_partners(result)
    table = Table(title=f"{len(result['suppliers']):,} suppliers paid by at least {min_partners} partners")
    for column in ("Supplier", "Partners", "Total", "Paid by (share of its spend; what for)"):
        table.add_column(column, justify="right" if column in ("Partners", "Total") else "left")
    for supplier in result["suppliers"][:top]:
        paid = "\n".join(f"{e['partner_name'] or e['partner']}: {pounds(e['amount'])} ({e['share'] * 100:.2f}%); "
                         + ", ".join(c["category"] for c in e["categories"]) for e in supplier["by_partner"])
        table.add_row(supplier["name"], str(supplier["partners"]), pounds(supplier["total"]), paid)
    console.print(table)
    for note in result["resolution"]["notes"]:
        console.print(f"note: {note}", highlight=False)


def _print_partners(result: dict[str, Any]) -> None:
    table = Table(title="Partners: third-party spend and how concentrated it is")
    for column in ("Partner", "Years", "Third-party spend", "Named suppliers", "Top 10", "HHI",
                   "With shared suppliers"):
        table.add_column(column, justify="left" if column in ("Partner", "Years") else "right")
    for p in result["partners"]:
        table.add_row(p["name"] or p["partner"], ", ".join(p["periods"]), pounds(p["third_party_spend"]),
                      f"{p['named_suppliers']:,}", f"{p['top10_share'] * 100:.1f}%", f"{p['hhi']:,.0f}",
                      f"{pounds(p['shared_spend'])} ({p['shared_share'] * 100:.1f}%)")
    console.print(table)


def _shared_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"supplier": s["supplier"], "name": s["name"], "partners": s["partners"], "total": s["total"],
             "partner": e["partner"], "amount": e["amount"], "share": e["share"], "rank": e["rank"],
             "categories": [f"{c['category']} ({c['amount']})" for c in e["categories"]]}
            for s in result["suppliers"] for e in s["by_partner"]]


@app.command()
@guard
def explain(ctx: typer.Context, left: Annotated[str, typer.Argument(help="A supplier name as published.")],
            right: Annotated[str, typer.Argument(help="Another.")], fmt: FormatOption = Format.table) -> None:
    """Why two names are one supplier (each rule, or the name model's levels and weights), or why not."""
    result = uc.explain(workspace(ctx), left, right)
    if fmt == Format.json:
        typer.echo(to_json(result))
        return
    verdict = "one supplier" if result["same_supplier"] else "different suppliers"
    console.print(f"'{left}' and '{right}': {verdict}.", highlight=False)
    for side in ("left", "right"):
        view = result[side]
        console.print(f"  '{view['key']}' ({', '.join(view['partners'])}): "
                      + "; ".join(f"{s['published']} [{', '.join(s['folding']) or 'as published'}]"
                                  for s in view["spellings"][:5]), highlight=False)
    for step in result["steps"]:
        console.print(f"  {step['left']} = {step['right']}: {_step(step)}", highlight=False)
    if "why_not" in result:
        console.print(f"  why not: {result['why_not']['reason']}", highlight=False)
        if result["why_not"].get("split"):
            split = result["why_not"]["split"]
            console.print(f"  split by {split['by']} (override {split['override']}): {split['reason']}")


def _step(step: dict[str, Any]) -> str:
    if step["rule"] != "name model":
        detail = ", ".join(f"{k} {v}" for k, v in (step.get("detail") or {}).items() if v)
        return f"{step['rule']}" + (f" ({detail})" if detail else "")
    levels = "; ".join(f"{lvl['comparison']}: {lvl['level']} ({lvl['weight']:+.1f})"
                       for lvl in step["detail"]["levels"])
    return f"name model, probability {step['probability']:.4f}, weight {step['weight']:+.1f} = {levels}"


def _override(ctx: typer.Context, action: str, left: str, right: str, reason: str, by: str | None) -> None:
    result = uc.override(workspace(ctx), action, left, right, reason, by)
    verdict = "one supplier" if result["same_supplier"] else "different suppliers"
    console.print(f"Override {result['override']} ({action}): '{result['left']}' and '{result['right']}' are now "
                  f"{verdict}.", highlight=False)
    for refused in result["refused"]:
        console.print(f"  refused: {refused['left']} = {refused['right']} by {refused['rule']} "
                      f"({refused['because']})", highlight=False)


@app.command()
@guard
def link(ctx: typer.Context, left: Annotated[str, typer.Argument(help="A supplier name.")],
         right: Annotated[str, typer.Argument(help="The name of the same supplier.")], reason: Reason,
         by: By = None) -> None:
    """Record that two names are one supplier; applied to every later reading (audited)."""
    _override(ctx, "link", left, right, reason, by)


@app.command()
@guard
def split(ctx: typer.Context, left: Annotated[str, typer.Argument(help="A supplier name.")],
          right: Annotated[str, typer.Argument(help="The name of a different supplier.")], reason: Reason,
          by: By = None) -> None:
    """Record that two names are different suppliers, whatever joins them; applied to every later reading."""
    _override(ctx, "split", left, right, reason, by)


@app.command()
@guard
def overrides(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Every link and split: who, when, why."""
    rows = uc.overrides(workspace(ctx))
    if fmt == Format.json:
        typer.echo(to_json(rows))
        return
    for row in rows:
        console.print(f"{row['override_id']}. {row['made_at']:%Y-%m-%d %H:%M} {row['made_by']} {row['action']} "
                      f"'{row['left_name']}' / '{row['right_name']}': {row['reason']}", highlight=False)


@app.command()
@guard
def payments(ctx: typer.Context, name: Annotated[str, typer.Argument(help="A supplier name.")],
             limit: Annotated[int, typer.Option(help="Payments shown at most.")] = 50,
             fmt: FormatOption = Format.table) -> None:
    """The payments behind a supplier, each with the file and row it came from."""
    result = uc.payments(workspace(ctx), name, limit)
    if fmt == Format.json:
        typer.echo(to_json(result))
        return
    table = Table(title=f"Payments to {result['supplier']} (names: {'; '.join(result['names'])})")
    for column in ("Partner", "Year", "Amount", "Payee", "What for", "File", "Row"):
        table.add_column(column, justify="right" if column in ("Amount", "Row") else "left")
    for p in result["payments"]:
        table.add_row(p["partner"], p["period"], pounds(p["amount"]), p["payee"], p["category"] or "",
                      p["file_name"], str(p["source_row"]))
    console.print(table)


def _percent(text: str, name: str) -> Decimal:
    try:
        return Decimal(text.strip().rstrip("%"))
    except InvalidOperation:
        raise fail(f"--{name} must be a percentage, e.g. 5 or 2.5, not '{text}'.") from None


@app.command()
@guard
def savings(ctx: typer.Context,
            central: Annotated[str, typer.Option(help="Central discount from buying together, per cent.")],
            low: Annotated[str | None, typer.Option(help="Low discount, per cent (default: the central).")] = None,
            high: Annotated[str | None, typer.Option(help="High discount, per cent (default: the central).")] = None,
            year: Years = None, min_partners: MinPartners = 2,
            start: Annotated[str | None, typer.Option(help="First financial year of the saving, e.g. 2025-26 "
                                                      "(default: the year after the latest payments).")] = None,
            register: Annotated[Path | None, typer.Option(dir_okay=False, help="A savings register CSV to put "
                                                          "the entries in (created, or its earlier joint-"
                                                          "procurement entries replaced).")] = None,
            fmt: FormatOption = Format.table) -> None:
    """The savings range of joint procurement with shared suppliers at your discounts, by partner."""
    mid = _percent(central, "central")
    discounts = uc.Discounts(_percent(low, "low") if low else mid, mid, _percent(high, "high") if high else mid)
    start_year = _start_year(start)
    result = uc.savings(workspace(ctx), discounts, year, start_year, min_partners, register)
    if fmt == Format.json:
        typer.echo(to_json(result))
        return
    table = Table(title=f"Joint procurement at {discounts.low}% / {discounts.central}% / {discounts.high}% from "
                        f"{result['start_year']} (a year)")
    for column in ("Partner", "Years", "Shared suppliers", "Addressable", "Low", "Central", "High"):
        table.add_column(column, justify="left" if column in ("Partner", "Years") else "right")
    for row in result["by_partner"]:
        table.add_row(row["name"] or row["partner"], ", ".join(row["periods"]), f"{row['shared_suppliers']:,}",
                      pounds(row["addressable"]), pounds(row["low"]), pounds(row["central"]), pounds(row["high"]))
    total = result["total"]
    table.add_row("Total", "", "", pounds(result["addressable"]), pounds(total["low"]), pounds(total["central"]),
                  pounds(total["high"]))
    console.print(table)
    console.print("Assumptions:")
    for assumption in result["assumptions"]:
        console.print(f"  - {assumption}", highlight=False)
    if "register" in result:
        reg = result["register"]
        console.print(f"Savings register {reg['file']}: {reg['added']} entries added, {reg['kept']} kept; over "
                      f"{reg['years'][0]}..{reg['years'][-1]} central {pounds(reg['total']['central'])}. Total it "
                      f"with: placespend deepdive savings {reg['file']}", highlight=False)


def _start_year(text: str | None) -> int | None:
    if text is None:
        return None
    head = text.strip()[:4]
    if not head.isdigit():
        raise fail(f"--start must be a financial year such as 2025-26, not '{text}'.")
    return int(head)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="suppliers")

