"""The count as a JSON-ready dict, CSV rows and Rich tables."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from rich.console import Group
from rich.table import Table

from placespend.count.result import CountResult
from placespend.domain import classifications as cls
from placespend.report.money import percent, pounds

BREAKDOWNS = ("by_cofog", "by_spender_type", "by_funder_type", "by_capital_revenue", "by_basis", "by_method",
              "by_apportionment")


def count_dict(result: CountResult, reconciliation: list[dict[str, Any]]) -> dict[str, Any]:
    payload = asdict(result)
    payload["transfer_reconciliation"] = reconciliation
    return payload


def count_csv(result: CountResult) -> str:
    """Long format (breakdown, key, amount): one file a spreadsheet can pivot."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["place", "period", "breakdown", "key", "amount"])
    writer.writerow([result.place, result.period, "total", "total", f"{result.total:.2f}"])
    for name in ("unreported_transfers", "eliminated_transfers", "outturn_detail"):
        writer.writerow([result.place, result.period, name, name, f"{getattr(result, name):.2f}"])
    for name in BREAKDOWNS:
        for key, amount in getattr(result, name).items():
            writer.writerow([result.place, result.period, name, key, f"{amount:.2f}"])
    return out.getvalue()


def count_tables(result: CountResult, reconciliation: list[dict[str, Any]]) -> Group:
    head = Table(title=f"Count for {result.place}, {result.period}", show_header=False)
    head.add_row("Total", pounds(result.total))
    head.add_row("Lines in scope", f"{result.lines:,}")
    head.add_row("Unreported transfers (counted)", pounds(result.unreported_transfers))
    head.add_row("Eliminated transfers (not counted twice)", pounds(result.eliminated_transfers))
    if result.outturn_detail:
        head.add_row("Grants inside their council's outturn (shown, not counted)", pounds(result.outturn_detail))
    for method in ("reported", "estimated", "proxied"):
        amount = result.by_method.get(method, Decimal(0))
        head.add_row(f"  {method.capitalize()}", f"{pounds(amount)} ({percent(amount, result.total)})")
    names = cls.cofog_divisions()
    parts: list[Any] = [head, _breakdown("By COFOG division", result.by_cofog, result.total,
                                         lambda k: f"{k} {names.get(k, '')}")]
    parts.append(_breakdown("By body type", result.by_spender_type, result.total, lambda k: k.replace("_", " ")))
    parts.append(_breakdown("By origin of funds", result.by_funder_type, result.total, lambda k: k.replace("_", " ")))
    if reconciliation:
        rec = Table(title="Transfer reconciliation")
        for col in ("Funder", "Recipient", "Passed on", "Recipient reports", "Gap", "Status"):
            rec.add_column(col, justify="right" if col in {"Passed on", "Recipient reports", "Gap"} else "left")
        for row in reconciliation:
            rec.add_row(row["funder_id"], row["recipient_id"], pounds(row["passed_on"]),
                        pounds(row["recipient_reports"]), pounds(row["gap"]), row["status"])
        parts.append(rec)
    if result.pass_through:
        parts.append(_pass_through_table(result.pass_through))
    parts.extend(f"{w['type']}: {w['message']}" for w in result.overlap_warnings)
    return Group(*parts)


def _pass_through_table(rows: list[dict[str, Any]]) -> Table:
    """DESIGN.md §4: what each body that only passes money on received and passed on; the difference is
    shown here, never counted."""
    table = Table(title="Pass-through bodies (received vs passed on; the difference is not counted)")
    for col in ("Body", "Received", "Passed on", "Difference"):
        table.add_column(col, justify="left" if col == "Body" else "right")
    for row in rows:
        table.add_row(str(row["body"]), pounds(row["received"]), pounds(row["passed_on"]), pounds(row["difference"]))
    return table


def _breakdown(title: str, amounts: dict[str, Decimal], total: Decimal, label: Any) -> Table:
    table = Table(title=title)
    table.add_column("")
    table.add_column("GBP", justify="right")
    table.add_column("Share", justify="right")
    for key, amount in sorted(amounts.items(), key=lambda kv: -kv[1]):
        table.add_row(label(key), pounds(amount), percent(amount, total))
    return table
