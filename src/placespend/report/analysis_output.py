"""The analyses as Rich tables for the terminal and as JSON-ready dicts (`to_dict()` of each report).

Tables follow the layouts of seed 000 where it has one (Table 2: COFOG shares; Table 3: body types), one
row per place, so several places read side by side as the pilots did.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Group
from rich.table import Table

from placespend.analysis.composition import TABLE2_DIVISIONS, TABLE3_GROUPS, CompositionReport
from placespend.analysis.concentration import ConcentrationReport
from placespend.analysis.funding_routes import RoutesReport, method_note
from placespend.analysis.local_control import BANDS, RULE, LocalControlReport
from placespend.analysis.per_head import PerHeadReport
from placespend.domain.classifications import cofog_divisions
from placespend.report.money import pounds, short_pounds


def pct(fraction: Decimal | None, places: int = 1) -> str:
    """A share (0..1) as a percentage for display; '-' when there is none."""
    return "-" if fraction is None else f"{fraction * 100:.{places}f}%"


def _table(title: str, columns: list[str], right_from: int = 1) -> Table:
    table = Table(title=title)
    for index, column in enumerate(columns):
        table.add_column(column, justify="right" if index >= right_from else "left")
    return table


def composition_tables(report: CompositionReport) -> Group:
    heads = [name.replace("_", " ").capitalize() for name in TABLE2_DIVISIONS]
    table2 = _table(f"Percentages of total expenditure, {report.period} (seed 000 Table 2 layout)",
                    ["Place", *heads, "Total %", "Top 3 divisions", "Top 3 %", "Total"])
    table3 = _table(f"Percentage of spend by body type, {report.period} (seed 000 Table 3 layout)",
                    ["Place", "Local authorities", "NHS", "Central government", "Other"])
    for place in report.places:
        shares = place.table2()
        table2.add_row(place.place, *(pct(shares[k]) for k in TABLE2_DIVISIONS), pct(shares["total"]),
                       ", ".join(place.top3_divisions), pct(place.top3_share), short_pounds(place.total))
        groups = place.table3()
        table3.add_row(place.place, *(pct(groups[g]) for g in TABLE3_GROUPS))
    parts: list[Any] = [table2, table3]
    names = cofog_divisions()
    for place in report.places:
        detail = _table(f"{place.place}: by COFOG division", ["Division", "GBP", "Share"])
        for code, amount in place.by_division.items():
            detail.add_row(f"{code} {names.get(code, '')}", pounds(amount), pct(place.division_share(code)))
        parts.append(detail)
    return Group(*parts)


def concentration_tables(report: ConcentrationReport, top: int = 10) -> Group:
    summary = _table(f"Concentration of spending bodies, {report.period}",
                     ["Place", "Bodies", "Top 3 %", "Top 10 %", "HHI (0-10,000)", "Reading", "In >1 division",
                      *(f"Below {short_pounds(t)}" for t in report.thresholds)])
    parts: list[Any] = [summary]
    for place in report.places:
        summary.add_row(place.place, f"{len(place.ranking):,}", pct(place.top_share(3)), pct(place.top_share(10)),
                        f"{place.hhi_points:,.0f}", place.hhi_band, f"{place.multi_division_bodies:,}",
                        *(f"{s.bodies} ({short_pounds(s.total)})" for s in place.small_bodies))
        ranking = _table(f"{place.place}: largest bodies (Pareto)", ["#", "Body", "Type", "GBP", "Share",
                                                                     "Cumulative", "Divisions"], right_from=3)
        for body in place.ranking[:top]:
            ranking.add_row(str(body.rank), body.name or body.body, body.body_type.replace("_", " "),
                            pounds(body.amount), pct(body.share), pct(body.cumulative_share), str(body.divisions))
        divisions = _table(f"{place.place}: bodies per COFOG division", ["Division", "Bodies", "GBP"])
        for code, row in place.bodies_per_division.items():
            divisions.add_row(code, str(row["bodies"]), pounds(row["amount"]))
        parts += [ranking, divisions]
    return Group(*parts)


def local_control_tables(report: LocalControlReport, top: int = 10) -> Group:
    bands = _table(f"Spectrum of local control, {report.period} (seed 000 Figure 2)",
                   ["Place", *(band.label for band in BANDS), "Under local control", "Flags left blank"])
    parts: list[Any] = [bands]
    for place in report.places:
        total = place.total
        shares = [pct(amount / total if total else None) for amount in place.by_band().values()]
        local = place.under_local_control
        bands.add_row(place.place, *shares, f"{pct(local / total if total else None)} ({short_pounds(local)})",
                      short_pounds(place.unknown_flags))
        flows = _table(f"{place.place}: largest flows", ["Spent by", "Source", "Hand-overs", "Ring-fenced",
                                                          "Statutory", "Points", "Band", "GBP"], right_from=2)
        for flow in place.flows[:top]:
            flows.add_row(flow.body, flow.source, str(flow.hand_overs), _yes_no(flow.ring_fenced),
                          _yes_no(flow.statutory), str(sum(flow.points.values())) if flow.points else "-",
                          flow.band.replace("_", " "), pounds(flow.amount))
        parts.append(flows)
    parts.append(f"[dim]Rule: {RULE}[/]")
    return Group(*parts)


def per_head_tables(report: PerHeadReport) -> Group:
    scope = f"COFOG {report.division}" if report.division else "all spend"
    table = _table(f"Spend per head, {report.period}, {scope}",
                   ["Place", "Spend", "Population", "Per head", "Flag", "Need index", "Need-adjusted per head",
                    "Flag "])
    for row in report.places:
        vintage = f" ({row.population.period})" if row.population.nearest else ""
        table.add_row(row.name or row.place, short_pounds(row.spend), f"{row.population.value:,.0f}{vintage}",
                      pounds(row.per_head), row.flags.get("per_head") or "",
                      f"{row.need_index:.3f}" if row.need_index is not None else "-",
                      pounds(row.need_adjusted), row.flags.get("need_adjusted_per_head") or "")
    near = " (nearest vintage)" if report.population_nearest else ""
    lines: list[Any] = [table, f"Population: '{report.population_indicator}' {report.population_vintage}{near}."]
    lines += [f"Back-cast, {row.place}: {pounds(row.backcast_per_head)} per head; population {b.population:,.0f} in "
              f"{b.period} = ONS {b.vintage} "
              f"{b.vintage_population:,.0f} x region {b.region} on {b.region_date} {b.region_in_year:,.0f} / its "
              f"districts at ONS {b.vintage} {b.region_at_vintage:,.0f}." for row in report.places
              if (b := row.backcast)]
    if report.need_indicator:
        near = " (nearest vintage)" if report.need_nearest else ""
        lines.append(f"Need index: '{report.need_indicator}' {report.need_vintage}{near}, relative to the "
                     f"{'places compared' if report.need_reference == 'group' else 'England'}.")
    lines += [f"[yellow]note[/] {note}" for note in report.notes]
    return Group(*lines)


def routes_tables(report: RoutesReport, top: int = 15) -> Group:
    parts: list[Any] = []
    for place in report.places:
        head = Table(title=f"Funding routes for {place.place}, {report.period}", show_header=False)
        head.add_row("Counted spend traced", pounds(place.total))
        for hand_overs, amount in place.by_hand_overs().items():
            head.add_row(f"  after {hand_overs} hand-over{'s' if hand_overs != 1 else ''}",
                         f"{pounds(amount)} ({pct(amount / place.total if place.total else None)})")
        head.add_row(f"Administrative cost at {pct(place.loss_rate, 0)} per hand-over", pounds(place.admin_cost))
        head.add_row("Cycles (pooled budgets)", "; ".join(" -> ".join((*c, c[0])) for c in place.cycles) or "none")
        paths = _table("Largest routes", ["Route", "COFOG", "Hand-overs", "GBP", "Admin cost", "Note"],
                       right_from=2)
        for path in place.paths[:top]:
            note = "cycle" if path.cyclic else "cut at max hops" if path.truncated else ""
            paths.add_row(" -> ".join(path.bodies), path.division, str(path.hand_overs), pounds(path.amount),
                          pounds(path.admin_cost), note)
        parts += [head, paths, f"[dim]{method_note(place.loss_rate, place.max_hops)}[/]"]
    return Group(*parts)


def _yes_no(flag: bool | None) -> str:
    return "" if flag is None else "yes" if flag else "no"
