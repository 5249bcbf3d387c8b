"""Plotly figures as JSON for the web pages; the page loads plotly.js from the app itself (no CDN)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

from placespend.report.money import pounds, short_pounds

PALETTE = ["#1f4e79", "#2e75b6", "#9dc3e6", "#c55a11", "#f4b183", "#548235", "#a9d18e", "#7030a0", "#bf9000",
           "#7f7f7f"]
LAYOUT = {"font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13},
          "margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "paper_bgcolor": "white", "plot_bgcolor": "white"}


def to_json(figure: go.Figure) -> str:
    return json.dumps(figure.to_plotly_json(), cls=PlotlyJSONEncoder)


def cofog_bars(rows: list[dict[str, Any]], title: str) -> go.Figure:
    labels = [f"{r['cofog']} {r['name']}" for r in rows][::-1]
    values = [float(r["amount"]) for r in rows][::-1]
    figure = go.Figure(go.Bar(x=values, y=labels, orientation="h", marker_color=PALETTE[1],
                              text=[short_pounds(Decimal(str(v))) for v in values], textposition="auto",
                              hovertemplate="%{y}: £%{x:,.0f}<extra></extra>"))
    figure.update_layout(title=title, xaxis_title="GBP", height=90 + 34 * len(rows), **LAYOUT)
    return figure


def shares_donut(amounts: dict[str, Any], title: str,
                 label: Callable[[str], str] = lambda key: key.replace("_", " ")) -> go.Figure:
    """Shares as a donut whose slices under 4% carry no text (their labels crowded each other) and whose legend
    sits beneath, where a long name is not clipped."""
    items = sorted(amounts.items(), key=lambda kv: -kv[1])
    total = sum(float(a) for _, a in items) or 1.0
    figure = go.Figure(go.Pie(labels=[label(k) for k, _ in items], values=[float(a) for _, a in items],
                              hole=0.5, marker={"colors": PALETTE}, sort=False, textposition="inside",
                              texttemplate=["%{percent}" if float(a) / total >= 0.04 else "" for _, a in items],
                              hovertemplate="%{label}: £%{value:,.0f} (%{percent})<extra></extra>"))
    figure.update_layout(**{**LAYOUT, "title": title, "height": 420 + 22 * max(0, len(items) - 4),
                            "legend": {"orientation": "h", "yanchor": "top", "y": -0.05, "x": 0}})
    return figure


def sankey(links: list[dict[str, Any]], division_names: dict[str, str], title: str) -> go.Figure:
    """Funding -> spender -> function; funders get their own nodes so cycles in the data draw as layers."""
    nodes: dict[str, int] = {}

    def node(label: str) -> int:
        return nodes.setdefault(label, len(nodes))

    sources, targets, values = [], [], []
    for link in links:
        if link["stage"] == "funding":
            source = node(f"{link['source']} (funds)")
            target = node(str(link["target"]))
        else:
            source = node(str(link["source"]))
            target = node(f"{link['target']} {division_names.get(link['target'], '')}")
        sources.append(source)
        targets.append(target)
        values.append(float(link["amount"]))
    figure = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": list(nodes), "pad": 12, "thickness": 14, "color": PALETTE[0]},
        link={"source": sources, "target": targets, "value": values, "color": "rgba(46,117,182,0.35)",
              "hovertemplate": "%{source.label} → %{target.label}: £%{value:,.0f}<extra></extra>"},
    ))
    figure.update_layout(title=title, height=max(420, 18 * len(nodes)), **LAYOUT)
    return figure


def compare_bars(centre_out: dict[str, Any], locally_led: dict[str, Any], names: dict[str, str],
                 title: str) -> go.Figure:
    divisions = sorted(set(centre_out) | set(locally_led))
    labels = [f"{d} {names.get(d, '')}" for d in divisions]
    figure = go.Figure([
        go.Bar(name="Centre-out (A)", x=labels, y=[float(centre_out.get(d, 0)) for d in divisions],
               marker_color=PALETTE[2]),
        go.Bar(name="Locally-led count (B)", x=labels, y=[float(locally_led.get(d, 0)) for d in divisions],
               marker_color=PALETTE[0]),
    ])
    figure.update_layout(title=title, barmode="group", yaxis_title="GBP", height=420, **LAYOUT)
    return figure


# Seed 000 §4.4.1's bands from locally decided (green) to centrally directed (red), in that order.
BAND_COLOURS = {"locally_decided": "#1a7f37", "local_discretion": "#7cc47f", "locally_constrained": "#f2cc60",
                "centrally_conditioned": "#e8833a", "centrally_directed": "#b42318"}


def local_control_stack(places: list[tuple[str, list[dict[str, Any]]]], title: str) -> go.Figure:
    """One bar per place stacked from locally decided to centrally directed, as % of its count. Each segment
    carries its band's amount to the penny and its share (customdata), so the hover reads the table's figures."""
    bands = {b["band"]: b["label"] for _, rows in places for b in rows}
    traces = []
    for band, colour in BAND_COLOURS.items():
        if band not in bands:
            continue
        found = [next((b for b in rows if b["band"] == band), None) for _, rows in places]
        traces.append(go.Bar(
            name=bands[band], orientation="h", y=[label for label, _ in places], marker_color=colour,
            x=[float(b["share"] * 100) if b else 0.0 for b in found],
            customdata=[[str(b["amount"]), str(b["share"]), pounds(b["amount"])] if b else ["0.00", "0", pounds(0)]
                        for b in found],
            hovertemplate="%{fullData.name}: %{customdata[2]} (%{x:.1f}%)<extra>%{y}</extra>"))
    figure = go.Figure(traces)
    figure.update_layout(**{**LAYOUT, "title": title, "barmode": "stack", "height": 160 + 40 * len(places),
                            "xaxis": {"title": {"text": "% of the count"}, "range": [0, 100]},
                            "legend": {"orientation": "h", "yanchor": "top", "y": -0.3, "x": 0}})
    return figure


def cumulative_share_curves(places: list[tuple[str, list[dict[str, Any]]]], title: str) -> go.Figure:
    """Each place's bodies largest first against the cumulative share of its count (a Pareto curve): how few
    bodies spend most of it. Points carry the body's name, amount to the penny and cumulative share."""
    figure = go.Figure([go.Scatter(
        name=label, mode="lines+markers", x=[r["rank"] for r in ranking],
        y=[float(r["cumulative_share"] * 100) for r in ranking],
        text=[str(r.get("name") or r["body"]) for r in ranking],
        customdata=[[str(r["amount"]), str(r["cumulative_share"]), pounds(r["amount"])] for r in ranking],
        hovertemplate="%{x}. %{text}: %{customdata[2]}, cumulative %{y:.1f}%<extra>%{fullData.name}</extra>")
        for label, ranking in places])
    figure.update_layout(**{**LAYOUT, "title": title, "height": 380, "showlegend": len(places) > 1,
                            "xaxis": {"title": {"text": "bodies, largest first"}, "dtick": 1},
                            "yaxis": {"title": {"text": "cumulative % of the count"}, "range": [0, 101]}})
    return figure


def ward_map(figures: list[dict[str, Any]], shapes: list[dict[str, Any]], title: str) -> go.Figure:
    """A choropleth of ward totals drawn from imported boundaries only: no map tiles, so it works offline."""
    features = [{"type": "Feature", "id": s["code"], "properties": {"name": s["name"]},
                 "geometry": json.loads(s["geometry"])} for s in shapes]
    figure = go.Figure(go.Choropleth(
        geojson={"type": "FeatureCollection", "features": features},
        locations=[f["area"] for f in figures], z=[float(f["amount"]) for f in figures],
        text=[f"{f['name'] or f['area']}: {short_pounds(f['amount'])}" for f in figures],
        hovertemplate="%{text}<extra></extra>", colorscale="Blues", marker_line_color="white",
        colorbar={"title": "GBP"},
    ))
    figure.update_geos(fitbounds="locations", visible=False)
    figure.update_layout(title=title, height=520, **LAYOUT)
    return figure
