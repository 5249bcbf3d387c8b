"""The estimate and the comparison as JSON-ready dicts and Rich tables."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from rich.console import Group
from rich.table import Table

from placespend.analysis.compare import Comparison
from placespend.domain import classifications as cls
from placespend.estimate.centre_out import Estimate
from placespend.report.money import pounds, short_pounds


def estimate_dict(estimate: Estimate) -> dict[str, Any]:
    payload = asdict(estimate)
    payload["shares"] = {f.cofog: f.share for f in estimate.functions}
    return payload


def estimate_tables(estimate: Estimate) -> Group:
    names = cls.cofog_divisions()
    table = Table(title=f"Centre-out estimate for {estimate.place}, {estimate.period} ({estimate.region}, "
                        f"{estimate.vintage}, criteria: {estimate.criteria})")
    for col in ("COFOG division", f"{estimate.region} GBP", "Share", "Estimate GBP", "Criteria"):
        table.add_column(col, justify="left" if col in {"COFOG division", "Criteria"} else "right")
    for f in estimate.functions:
        criteria = " + ".join(f"{p['weight']} x {p['indicator']}" for p in f.criteria)
        table.add_row(f"{f.cofog} {names.get(f.cofog, '')}", pounds(f.regional), f"{f.share * 100:.3f}%",
                      pounds(f.estimate), criteria)
    table.add_row("Total", "", "", pounds(estimate.total), "", style="bold")
    vintages = Table(title="Indicators used")
    for col in ("Indicator", "Place", "Region", "Vintage"):
        vintages.add_column(col)
    for name, info in estimate.indicators.items():
        vintages.add_row(name, f"{info['place']:,.0f}", f"{info['region']:,.0f}",
                         f"{info['vintage']}" + (" (nearest)" if info["nearest"] else ""))
    return Group(table, vintages, *[f"note: {n}" for n in estimate.notes])


def comparison_dict(rows: list[Comparison], aggregate: Decimal | None) -> dict[str, Any]:
    places = []
    for row in rows:
        item = asdict(row)
        item.pop("estimate")
        places.append(item)
    return {"places": places, "aggregate_difference": aggregate}


def comparison_table(rows: list[Comparison], aggregate: Decimal | None, period: str) -> Group:
    table = Table(title=f"Centre-out (A) vs locally-led (B), {period}: difference = 1 - B/A (seed 000 Table 1)")
    for col in ("Place", "A centre-out", "A published", "A vs published", "B count", "B published", "1 - B/A",
                "A range over criteria"):
        table.add_column(col, justify="left" if col == "Place" else "right")
    for row in rows:
        pub_a, pub_b = row.published.get("centre_out"), row.published.get("locally_led")
        versus = f"{(row.centre_out / pub_a - 1) * 100:+.1f}%" if row.centre_out and pub_a else ""
        diff = f"{row.difference * 100:.1f}%" if row.difference is not None else ""
        spread = " .. ".join(short_pounds(v) for v in sorted(row.a_range.values())) if len(row.a_range) > 1 else ""
        table.add_row(row.name, short_pounds(row.centre_out) if row.centre_out else row.problem or "-",
                      short_pounds(pub_a), versus, short_pounds(row.locally_led), short_pounds(pub_b), diff, spread)
    parts: list[Any] = [table]
    if aggregate is not None:
        parts.append(f"Aggregate difference over places with both A and B: 1 - sum B / sum A = {aggregate * 100:.2f}%")
    for row in rows:
        if row.bridge:
            bridge = Table(title=f"Bridge for {row.name}: why A and B differ")
            for col in ("Reason", "GBP", "Explanation"):
                bridge.add_column(col, justify="right" if col == "GBP" else "left")
            for item in row.bridge:
                bridge.add_row(str(item["reason"]), pounds(item["amount"]) if item["amount"] is not None else "",
                               str(item["explanation"]))
            parts.append(bridge)
    return Group(*parts)
