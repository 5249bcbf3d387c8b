"""Figures for area insight: segment profiles (how each segment differs from the average) and choropleths.

Plotly figures as JSON for the CLI, the API and the pages. A map carries its boundaries inline (GeoJSON from the
workspace's imported boundary files, or the user's own for hotspots) on MapLibre's blank style, as the asset map
does: no tile, glyph or script is fetched from anywhere.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go

from placespend.report import assets_map
from placespend.report.charts import LAYOUT, PALETTE


def segment_profile_chart(profiles: list[dict[str, Any]], features: list[str], title: str) -> go.Figure:
    """A heatmap: one row per segment, one column per indicator, colour = sd above (red) or below (blue)."""
    labels = [f"{p['segment']}. {p['name']} ({p['areas']})" for p in profiles]
    z = [[p["differences"][f] for f in features] for p in profiles]
    figure = go.Figure(go.Heatmap(
        z=z, x=[f.replace("_", " ") for f in features], y=labels, zmid=0, colorscale="RdBu", reversescale=True,
        text=[[f"{v:+.1f}" for v in row] for row in z], texttemplate="%{text}",
        colorbar={"title": {"text": "sd from average"}},
        hovertemplate="%{y}<br>%{x}: %{z:+.2f} sd<extra></extra>"))
    figure.update_layout(title=title, height=120 + 48 * len(profiles), yaxis={"autorange": "reversed"}, **LAYOUT)
    return figure


def _feature_collection(boundaries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": b["code"], "properties": {"code": b["code"], "name": b["name"]},
         "geometry": json.loads(str(b["geometry"]))} for b in boundaries]}


def _map_figure(traces: list[go.Choroplethmap], geojson: dict[str, Any], title: str) -> go.Figure:
    """MapLibre's blank "white-bg" style, the view fitted to the areas: drawn offline, no tile ever fetched."""
    view = assets_map.fit(assets_map.bounds(geojson["features"], []))
    figure = go.Figure(traces)
    figure.update_layout(title=title, height=assets_map.HEIGHT, **{**LAYOUT, "margin": {"l": 0, "r": 0, "t": 40,
                                                                                          "b": 0}},
                         legend={"orientation": "h", "y": -0.02}, dragmode="pan",
                         map={"style": assets_map.MAP_STYLE, "center": {"lon": view["lon"], "lat": view["lat"]},
                              "zoom": view["zoom"]})
    return figure


def _class_traces(geojson: dict[str, Any], areas: list[str], texts: list[str], classes: list[str],
                  colours: dict[str, str], label: str) -> list[go.Choroplethmap]:
    """One trace per class in its own colour, so the legend names each class (segment, hot or cold spot)."""
    traces = []
    for name, colour in colours.items():
        picked = [i for i, c in enumerate(classes) if c == name]
        if picked:
            mine = {areas[i] for i in picked}  # each trace carries only its own shapes: one copy of each on the page
            own = {**geojson, "features": [f for f in geojson["features"] if f["id"] in mine]}
            traces.append(go.Choroplethmap(
                geojson=own, featureidkey="properties.code", locations=[areas[i] for i in picked],
                z=[1] * len(picked), text=[texts[i] for i in picked], name=label.format(name), showlegend=True,
                colorscale=[[0, colour], [1, colour]], showscale=False, marker_line_width=0.5,
                marker_line_color="white", marker_opacity=0.85, hovertemplate="%{text}<extra></extra>"))
    return traces


def choropleth(rows: list[dict[str, Any]], column: str, boundaries: list[dict[str, Any]], title: str) -> go.Figure:
    """Areas coloured by one profile column; a segment (or any text) column is drawn with one colour per value."""
    drawn = {str(b["code"]) for b in boundaries}
    shown = [r for r in rows if r["area"] in drawn and r.get(column) is not None]
    geojson = _feature_collection(boundaries)
    names = [f"{r['area']} {r.get('name') or ''}".strip() for r in shown]
    numeric = all(isinstance(r[column], Decimal | int | float) for r in shown)
    if numeric:
        return _map_figure([go.Choroplethmap(
            geojson=geojson, locations=[r["area"] for r in shown], z=[float(r[column]) for r in shown],
            featureidkey="properties.code", text=names, colorscale="Blues", marker_line_width=0.5,
            marker_line_color="white", colorbar={"title": {"text": column.replace("_", " ")}},
            hovertemplate="%{text}<br>%{z:,.2f}<extra></extra>")], geojson, title)
    values = sorted({str(r[column]) for r in shown}, key=lambda s: (len(s), s))
    colours = {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(values)}
    label = "segment {}" if column == "segment" else f"{column.replace('_', ' ')} {{}}"
    texts = [f"{n}<br>{label.format(r[column])}" for n, r in zip(names, shown, strict=True)]
    return _map_figure(_class_traces(geojson, [r["area"] for r in shown], texts, [str(r[column]) for r in shown],
                                     colours, label), geojson, title)


HOTSPOT_COLOURS = {"hot": "#c00000", "cold": "#1f4e79", "none": "#d9d9d9"}
HOTSPOT_NAMES = {"hot": "hot spot", "cold": "cold spot", "none": "not significant"}


def hotspot_map(areas: list[dict[str, Any]], boundaries: list[dict[str, Any]], title: str) -> go.Figure:
    """Gi* classes on the map: hot spots red, cold spots blue, the rest grey (after the FDR correction)."""
    geojson = _feature_collection(boundaries)
    drawn = {str(b["code"]) for b in boundaries}
    shown = [a for a in areas if a["area"] in drawn]
    texts = [f"{a['area']}<br>value {a['value']:,.6g}<br>Gi* z "
             + ("undefined" if a["z"] is None else f"{a['z']:+.2f}") for a in shown]
    traces = _class_traces(geojson, [a["area"] for a in shown], texts, [a["class"] for a in shown],
                           HOTSPOT_COLOURS, "{}")
    for trace in traces:
        trace.name = HOTSPOT_NAMES[trace.name]
    return _map_figure(traces, geojson, title)


def survey_chart(questions: list[dict[str, Any]], by: str) -> go.Figure:
    """Each group's weighted mean score per question (journey stage), with its 95% interval as error bars.

    A cell withheld by disclosure control has no mean and so no point: the chart never shows more than the table.
    """
    groups = list(dict.fromkeys(row["group"] for q in questions for row in q["by"][by]))
    traces = []
    for i, group in enumerate(groups):
        cells = [next(row for row in q["by"][by] if row["group"] == group) for q in questions]
        shown = [(q["question"], c) for q, c in zip(questions, cells, strict=True) if c.get("mean") is not None]
        traces.append(go.Scatter(
            x=[q for q, _ in shown], y=[c["mean"] for _, c in shown], name=group, mode="markers",
            marker={"size": 9, "color": PALETTE[i % len(PALETTE)]},
            error_y={"type": "data", "symmetric": False, "array": [c["ci_high"] - c["mean"] for _, c in shown],
                     "arrayminus": [c["mean"] - c["ci_low"] for _, c in shown]},
            hovertemplate=f"{group}<br>%{{x}}: %{{y:.2f}}<extra></extra>"))
    figure = go.Figure(traces)
    figure.update_layout(title=f"Mean score by {by}, with 95% intervals", height=420, scattermode="group",
                         yaxis={"title": {"text": "mean score"}}, xaxis={"title": {"text": "question"}}, **LAYOUT)
    return figure


OVERLAP_PARTS = {"left_only": "{left} only", "both": "both", "right_only": "{right} only"}


def overlap_chart(rows: list[dict[str, Any]], left: str, right: str) -> go.Figure:
    """People known to one partner, the other, or both, stacked per group; a withheld count draws no bar."""
    groups = [str(r["group"]) for r in rows]
    traces = [go.Bar(x=groups, y=[r[part] for r in rows], name=label.format(left=left, right=right),
                     marker_color=PALETTE[i * 3 % len(PALETTE)],
                     hovertemplate="%{x}: %{y:,}<extra>" + label.format(left=left, right=right) + "</extra>")
              for i, (part, label) in enumerate(OVERLAP_PARTS.items())]
    figure = go.Figure(traces)
    figure.update_layout(barmode="stack", height=420, yaxis={"title": {"text": "people"}},
                         legend={"orientation": "h", "y": -0.15}, **LAYOUT)
    return figure
