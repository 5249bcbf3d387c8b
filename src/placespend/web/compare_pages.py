"""The compare page (`/compare`): seed 000 Table 1 for every place, the centre-out estimate A against the count B,
read at a glance as a chart and checked line by line in the table beneath, with the bridge that explains each
gap. Its figures are `place_view.comparison`, the ones `/api/compare` and `placespend compare` give.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from placespend.app import place_view
from placespend.web.security import Caller, results_reader, workspace
from placespend.web.templating import templates

router = APIRouter(include_in_schema=False)


def chart(table: dict[str, Any]) -> dict[str, Any]:
    """A against B in GBP bn, one point per place with both, and the line B = A on which a place would sit if
    the count found exactly what the Treasury's regional figures imply."""
    both = [p for p in table["places"] if p["centre_out"] and p["locally_led"] is not None]
    bn = 10 ** 9
    xs = [float(p["centre_out"]) / bn for p in both]
    ys = [float(p["locally_led"]) / bn for p in both]
    top = max(xs + ys, default=1.0) * 1.08
    return {"data": [
        {"type": "scatter", "mode": "lines", "x": [0, top], "y": [0, top], "name": "B = A",
         "line": {"dash": "dot", "color": "#9aa4ae"}, "hoverinfo": "skip"},
        {"type": "scatter", "mode": "markers+text", "x": xs, "y": ys, "name": "places",
         "text": [p["name"] for p in both], "textposition": "top center", "customdata": [p["place"] for p in both],
         "marker": {"size": 11, "color": "#1f6feb"},
         "hovertemplate": "%{text}<br>A £%{x:.3f}bn<br>B £%{y:.3f}bn<extra></extra>"}],
        "layout": {"xaxis": {"title": {"text": "A: centre-out estimate (£bn)"}, "range": [0, top]},
                   "yaxis": {"title": {"text": "B: locally-led count (£bn)"}, "range": [0, top]},
                   "showlegend": False, "margin": {"t": 20, "r": 20}, "height": 460}}


@router.get("/compare")
def compare(request: Request, year: str | None = None, who: Caller = Depends(results_reader)) -> Response:
    ws = workspace(request)
    years = sorted({y for p in place_view.places(ws) for y in p["periods"]})
    asked = place_view.checked(ws, year=year or (years[-1] if years else None))
    period = asked.period
    table = place_view.comparison(ws, period) if period else {"places": [], "aggregate_difference": None}
    return templates.TemplateResponse(request, "compare.html", {
        "who": who, "year": period, "years": years, "table": table, "figure": json.dumps(chart(table)),
        "notes": asked.notes})
