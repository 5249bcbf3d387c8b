"""Plotly figures of the deep dives for the web pages, drawn from the figures the CLI prints (and, for the Monte
Carlo charts, from the draws those figures were read from), so a chart can never disagree with its table.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

import numpy as np
import plotly.graph_objects as go

from placespend.domain import classifications as cls
from placespend.report.charts import LAYOUT, PALETTE, to_json
from placespend.report.money import short_pounds

BINS = 40
CDF_POINTS = 101
GREY = "#595959"  # dark enough to read on white (contrast above 4.5:1)


def _f(value: Any) -> float:
    return float(value) if value is not None else float("nan")


def distribution(draws: np.ndarray, spread: dict[str, Any], title: str, what: str) -> go.Figure:
    """Histogram of the draws with their cumulative share, P10 / P50 / P90 and the central figure marked, and the
    'all at worst' / 'all at best' sums dashed beside them to show how much wider they are."""
    counts, edges = np.histogram(draws, bins=BINS)
    middles = ((edges[:-1] + edges[1:]) / 2).tolist()  # plain lists: the page's JSON stays readable and checkable
    share = (counts / max(len(draws), 1)).tolist()
    levels = np.linspace(0, 100, CDF_POINTS)
    figure = go.Figure([
        go.Bar(x=middles, y=share, width=np.diff(edges).tolist(), name="Share of draws", marker_color=PALETTE[2],
               hovertemplate=f"{what} £%{{x:,.0f}}: %{{y:.1%}} of draws<extra></extra>"),
        go.Scatter(x=np.percentile(draws, levels).tolist(), y=(levels / 100).tolist(), yaxis="y2", mode="lines",
                   name="Cumulative share",
                   line={"color": PALETTE[0], "width": 2},
                   hovertemplate="%{y:.0%} of draws at or below £%{x:,.0f}<extra></extra>"),
    ])
    # Percentiles labelled on the first row above the plot, the central figure and the naive sums on a second,
    # so labels of marks that lie close together do not overprint each other.
    marks = [("p10", "P10 (low)", PALETTE[3], "solid", 1.0), ("p50", "P50", PALETTE[0], "solid", 1.0),
             ("p90", "P90 (high)", PALETTE[3], "solid", 1.0), ("central", "central", PALETTE[5], "dot", 1.12),
             ("all_at_worst", "all at worst", GREY, "dash", 1.12), ("all_at_best", "all at best", GREY, "dash", 1.12)]
    for key, label, colour, dash, row in marks:
        value = _f(spread.get(key))
        figure.add_vline(x=value, line={"color": colour, "dash": dash, "width": 2})
        figure.add_annotation(x=value, y=row, yref="paper", text=f"{label} {short_pounds(Decimal(str(value)))}",
                              showarrow=False, yanchor="bottom", font={"size": 11, "color": colour}, textangle=0)
    figure.update_layout(title={"text": title, "y": 0.98}, xaxis_title=f"{what} (GBP)", height=440,
                         yaxis={"title": "Share of draws", "tickformat": ".0%"},
                         yaxis2={"title": "Cumulative share", "overlaying": "y", "side": "right", "range": [0, 1],
                                 "tickformat": ".0%", "dtick": 0.25, "showgrid": False},
                         legend={"orientation": "h", "y": -0.2}, bargap=0.02,
                         **{**LAYOUT, "margin": {"l": 10, "r": 10, "t": 110, "b": 10}})
    return figure


def savings_by_year(savings: dict[str, Any]) -> go.Figure:
    rows = savings["by_year"]
    central = [_f(r["central"]) for r in rows]
    figure = go.Figure(go.Bar(
        x=[r["year"] for r in rows], y=central, name="Central", marker_color=PALETTE[1],
        error_y={"type": "data", "symmetric": False, "color": PALETTE[0], "thickness": 2,
                 "array": [_f(r["p90"]) - c for r, c in zip(rows, central, strict=True)],
                 "arrayminus": [c - _f(r["p10"]) for r, c in zip(rows, central, strict=True)]},
        text=[short_pounds(r["central"]) for r in rows], textposition="inside", insidetextanchor="start",
        hovertemplate="%{x}: central £%{y:,.0f}<extra></extra>"))
    figure.update_layout(title="Savings by year: central, whiskers P10 to P90", yaxis_title="GBP", height=380,
                         xaxis_type="category",
                         **LAYOUT)
    return figure


def who_invests_who_benefits(cba: dict[str, Any]) -> go.Figure:
    """Each partner's discounted investment (below the line) and benefit (above) in each year."""
    agencies = sorted({r["agency"] for r in cba["by_agency_year"]})
    years = [y["year"] for y in cba["years"]]
    cells = {(r["agency"], r["year"]): r for r in cba["by_agency_year"]}
    traces = []
    for index, agency in enumerate(agencies):
        colour = PALETTE[index % len(PALETTE)]
        for key, sign, label in (("pv_investment", -1, "invests"), ("pv_benefit", 1, "benefits")):
            values = [sign * _f(cells[(agency, y)][key]) if (agency, y) in cells else 0.0 for y in years]
            if any(values):
                hover = f"{agency} {label} in year %{{x}}: £%{{y:,.0f}} (PV)<extra></extra>"
                traces.append(go.Bar(x=years, y=values, name=f"{agency} {label}", marker_color=colour,
                                     marker_pattern_shape="/" if sign < 0 else "", legendgroup=agency,
                                     hovertemplate=hover))
    figure = go.Figure(traces)
    figure.update_layout(title="Who invests (below the line) and who benefits (above), by partner and year",
                         barmode="relative", xaxis_title="Year (0 = first year)", yaxis_title="GBP, present value",
                         height=460, legend={"orientation": "h", "y": -0.25}, **LAYOUT)
    return figure


def journey_timeline(journey: dict[str, Any]) -> go.Figure:
    """The journey's stages in the order it reaches them, each bar split by the agency that pays for it."""
    stages = [s["stage"] for s in journey["stages"]]
    paid: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for stop in journey["stops"]:
        paid[stop["agency"]][stop["stage"]] += _f(stop["total"])
    figure = go.Figure([go.Bar(x=stages, y=[paid[agency].get(s, 0.0) for s in stages], name=agency,
                               marker_color=PALETTE[index % len(PALETTE)],
                               hovertemplate=f"{agency} at %{{x}}: £%{{y:,.2f}}<extra></extra>")
                        for index, agency in enumerate(journey["by_agency"])])
    for stage in journey["stages"]:
        score = f"<br>satisfaction {stage['satisfaction']:.1f}/5" if stage["satisfaction"] is not None else ""
        figure.add_annotation(x=stage["stage"], y=_f(stage["cost"]), text=f"{short_pounds(stage['cost'])}{score}",
                              showarrow=False, yanchor="bottom", font={"size": 11})
    figure.update_layout(title=f"{journey['journey']}: who pays at each stage", barmode="stack", xaxis_type="category",
                         xaxis_title="Stage (in the order the journey reaches it)", yaxis_title="GBP", height=440,
                         legend={"orientation": "h", "y": -0.25}, **LAYOUT)
    return figure


def cohorts(result: dict[str, Any]) -> go.Figure:
    rows = result["segments"]
    names = [r["segment"] for r in rows]
    figure = go.Figure([
        go.Bar(x=names, y=[_f(r["cost"]) for r in rows], name="Now", marker_color=PALETTE[0],
               text=[f"{_f(r['ratio_to_baseline']):.1f}× {result['baseline']}" for r in rows], textposition="outside",
               hovertemplate="%{x} now: £%{y:,.0f}<extra></extra>"),
        go.Bar(x=names, y=[_f(r["cost_after"]) for r in rows], name="After the moves", marker_color=PALETTE[2],
               hovertemplate="%{x} after the moves: £%{y:,.0f}<extra></extra>"),
    ])
    figure.update_layout(title="Cost of each cohort a year, now and after the what-if moves", barmode="group",
                         yaxis_title="GBP a year", height=400, **LAYOUT)
    return figure


def unit_costs(library: dict[str, Any]) -> go.Figure:
    costs = sorted(library["costs"], key=lambda c: _f(c["cost"]))
    agencies = list(dict.fromkeys(c["agency"] or "not stated" for c in costs))
    figure = go.Figure([go.Bar(
        y=[f"{c['code']} {c['description']}"[:60] for c in costs if (c["agency"] or "not stated") == agency],
        x=[_f(c["cost"]) for c in costs if (c["agency"] or "not stated") == agency], orientation="h", name=agency,
        marker_color=PALETTE[index % len(PALETTE)], hovertemplate="%{y}: £%{x:,.2f}<extra></extra>")
        for index, agency in enumerate(agencies)])
    year = library["price_year"] or "as given"
    figure.update_layout(title=f"Unit costs ({year} prices), by the agency that bears them", xaxis_type="log",
                         xaxis_title="GBP per unit (log scale)", height=120 + 26 * len(costs),
                         yaxis={"categoryorder": "array", "categoryarray": [f"{c['code']} {c['description']}"[:60]
                                                                             for c in costs]}, **LAYOUT)
    return figure


def deflators(index: dict[str, Any]) -> go.Figure:
    figure = go.Figure(go.Scatter(x=list(index), y=[_f(v) for v in index.values()], mode="lines+markers",
                                  line={"color": PALETTE[0]}, hovertemplate="%{x}: %{y}<extra></extra>"))
    figure.update_layout(title="Deflator index by price year", yaxis_title="Index", height=340, **LAYOUT)
    return figure


def themes_across_cofog(report: dict[str, Any], names: dict[str, str]) -> go.Figure:
    """Each theme's counted spend split by COFOG division: themes cut across functions."""
    themes = report["themes"]
    divisions = sorted({d for t in themes for d in t["by_cofog"]})
    figure = go.Figure([go.Bar(y=[t["theme"] for t in themes], x=[_f(t["by_cofog"].get(d, 0)) for t in themes],
                               orientation="h", name=f"{d} {names.get(d, '')}", marker_color=PALETTE[i % len(PALETTE)],
                               hovertemplate=f"%{{y}}, {d} {names.get(d, '')}: £%{{x:,.0f}}<extra></extra>")
                        for i, d in enumerate(divisions)])
    figure.update_layout(title="Themes across COFOG functions (a line may be in several themes)", barmode="stack",
                         xaxis_title="GBP counted", height=160 + 40 * len(themes),
                         legend={"orientation": "h", "y": -0.25}, **LAYOUT)
    return figure


def theme_inventory(report: dict[str, Any]) -> go.Figure:
    themes = report["themes"]
    kinds = ("projects", "providers", "funding_streams", "access_points")
    figure = go.Figure([go.Bar(x=[t["theme"] for t in themes], y=[t["inventory_counts"][k] for t in themes],
                               name=k.replace("_", " "), marker_color=PALETTE[i])
                        for i, k in enumerate(kinds)])
    figure.update_layout(title="Intervention inventory: projects, providers, funding streams, access points",
                         barmode="group", yaxis_title="Number", height=380, **LAYOUT)
    return figure


def for_kind(kind: str, data: dict[str, Any] | None, draws: np.ndarray | None) -> dict[str, go.Figure]:
    """The charts of one deep-dive view, by the name of the element each is drawn in."""
    if data is None:
        return {}
    if kind == "savings":
        return {"distribution": distribution(draws, data["total"], "Savings over the horizon: Monte Carlo "
                                             "distribution", "Total saving"), "by-year": savings_by_year(data)}
    if kind == "cba":
        found = {"who-pays": who_invests_who_benefits(data)}
        if data["monte_carlo"] is not None and draws is not None:
            found["distribution"] = distribution(draws, data["monte_carlo"]["npv"],
                                                 "Net present value: Monte Carlo distribution", "NPV")
        return found
    if kind == "journeys":
        return {f"journey-{i}": journey_timeline(j) for i, j in enumerate(data["journeys"])}
    if kind == "segments":
        return {"cohorts": cohorts(data)}
    if kind == "unit_costs":
        return {"unit-costs": unit_costs(data)}
    if kind == "deflators":
        return {"deflators": deflators(data["index"])}
    if kind == "themes" and data["themes"]:
        return {"cofog": themes_across_cofog(data, cls.cofog_divisions()), "inventory": theme_inventory(data)}
    return {}


def page_json(kind: str, data: dict[str, Any] | None, draws: np.ndarray | None) -> str:
    """Every chart of a view as one JSON document, safe inside a <script> element."""
    figures = for_kind(kind, data, draws)
    return json.dumps({name: json.loads(to_json(fig)) for name, fig in figures.items()}).replace("</", "<\\/")
