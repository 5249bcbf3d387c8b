"""Figures for area insight: segment profiles (how each segment differs from the average) and choropleths.

Both are Plotly figures as JSON for the API. The choropleth carries its boundaries inline (GeoJSON from the
workspace's imported boundary files) on a blank geo canvas: no map tiles are fetched from anywhere.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go

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


def choropleth(rows: list[dict[str, Any]], column: str, boundaries: list[dict[str, Any]], title: str) -> go.Figure:
    """Areas coloured by one profile column; a segment column is drawn with one colour per segment."""
    drawn = {str(b["code"]) for b in boundaries}
    shown = [r for r in rows if r["area"] in drawn and r.get(column) is not None]
    geojson = _feature_collection(boundaries)
    names = [f"{r['area']} {r.get('name') or ''}" for r in shown]
    numeric = all(isinstance(r[column], Decimal | int | float) for r in shown)
    if numeric:
        trace = go.Choropleth(geojson=geojson, locations=[r["area"] for r in shown],
                              z=[float(r[column]) for r in shown], featureidkey="properties.code", text=names,
                              colorscale="Blues", marker_line_width=0.5, colorbar={"title": {"text": column}},
                              hovertemplate="%{text}<br>%{z:,.2f}<extra></extra>")
    else:
        segments = sorted({str(r[column]) for r in shown}, key=lambda s: (len(s), s))
        index = {s: i for i, s in enumerate(segments)}
        scale = [[i / max(len(segments) - 1, 1), PALETTE[i % len(PALETTE)]] for i in range(len(segments))]
        trace = go.Choropleth(geojson=geojson, locations=[r["area"] for r in shown],
                              z=[index[str(r[column])] for r in shown], featureidkey="properties.code",
                              text=[f"{n}<br>segment {r[column]}" for n, r in zip(names, shown, strict=True)],
                              colorscale=scale, zmin=0, zmax=max(len(segments) - 1, 1), showscale=False,
                              marker_line_width=0.5, hovertemplate="%{text}<extra></extra>")
    figure = go.Figure(trace)
    figure.update_geos(fitbounds="locations", visible=False)
    figure.update_layout(title=title, height=520, **LAYOUT)
    return figure
