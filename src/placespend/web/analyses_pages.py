"""The analyses across places (`/analyses`): seed 000 §4's composition, concentration, local control, per head and
need-adjusted benchmarking with outliers, and funding routes with their hand-overs, each a chart first and a table
beneath, for any places in a year. The figures are `place_view.analyses`: the CLI's `analyse` JSON for the same
places, computed once per workspace version.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from placespend.app import place_view
from placespend.report import charts as report_charts
from placespend.web.api import as_json as answer
from placespend.web.security import Caller, results_reader, workspace
from placespend.web.templating import templates

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["analyses"])
Places = Annotated[list[str] | None, Query(description="Places (default: every place with lines in the year)")]


def _f(value: Any) -> float:
    return float(value or 0)


def charts(data: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """Plotly figures of the five analyses; each place named as on its page."""
    label = [names.get(p, p) for p in data["places"]]
    ok = {name for name in ("composition", "concentration", "local-control", "per-head", "routes")
          if "problem" not in data[name]}
    layout = {"margin": {"t": 20, "r": 20}, "legend": {"orientation": "h", "y": -0.2}}
    figures: dict[str, Any] = {}
    per_head = data["per-head"].get("places", [])
    colours = ["#b42318" if r["flags"].get("per_head") else "#1f6feb" for r in per_head]
    figures["per-head"] = {"data": [
        {"type": "bar", "name": "per head", "x": [names.get(r["place"], r["place"]) for r in per_head],
         "y": [_f(r["per_head"]) for r in per_head], "marker": {"color": colours}},
        {"type": "bar", "name": "need-adjusted per head", "x": [names.get(r["place"], r["place"]) for r in per_head],
         "y": [_f(r["need_adjusted_per_head"]) if r["need_adjusted_per_head"] is not None else None
               for r in per_head], "marker": {"color": "#8250df"}}],
        "layout": {**layout, "yaxis": {"title": {"text": "£ per head"}}, "barmode": "group"}}
    division_names = {d: v["name"] for p in data["composition"].get("places", []) for d, v in p["by_cofog"].items()}
    figures["composition"] = {"data": [
        {"type": "bar", "orientation": "h", "name": f"{d} {division_names[d]}", "y": label,
         "x": [_f(p["by_cofog"].get(d, {}).get("share")) * 100 for p in data["composition"].get("places", [])]}
        for d in sorted(division_names)],
        "layout": {**layout, "barmode": "stack", "xaxis": {"title": {"text": "% of the count"}}}}
    figures["concentration"] = json.loads(report_charts.to_json(report_charts.cumulative_share_curves(
        [(names.get(p["place"], p["place"]), p["ranking"]) for p in data["concentration"].get("places", [])],
        "")))
    control = {p["place"]: p["bands"] for p in data["local-control"].get("places", [])}
    figures["local-control"] = json.loads(report_charts.to_json(report_charts.local_control_stack(
        [(names.get(p, p), control.get(p, [])) for p in data["places"]], "")))
    figures["routes"] = {"data": [
        {"type": "bar", "name": f"{hops} hand-over{'s' if hops != '1' else ''}", "x": label,
         "y": [_f(p["by_hand_overs"].get(hops)) / 1e6 for p in data["routes"].get("places", [])]}
        for hops in sorted({h for p in data["routes"].get("places", []) for h in p["by_hand_overs"]}, key=int)],
        "layout": {**layout, "barmode": "stack", "yaxis": {"title": {"text": "£m reaching the final spender"}}}}
    return {name: figure for name, figure in figures.items() if name in ok}


def _chosen(request: Request, year: str | None, place: list[str] | None) -> tuple[list[str], dict[str, Any]]:
    ws = workspace(request)
    listed = place_view.places(ws)
    years = sorted({y for p in listed for y in p["periods"]})
    asked = place_view.checked(ws, year=year or (years[-1] if years else None), place=place or None)
    data = place_view.analyses(ws, asked.period, list(asked.places) if place else None) if asked.period else \
        {"places": [], "period": None}
    return years, data


@router.get("/analyses")
def page(request: Request, year: str | None = None, place: Places = None,
         who: Caller = Depends(results_reader)) -> Response:
    years, data = _chosen(request, year, place)
    listed = place_view.places(workspace(request))
    names = {p["place"]: p["name"] or p["place"] for p in listed}
    return templates.TemplateResponse(request, "analyses.html", {
        "who": who, "years": years, "year": data["period"], "data": data, "names": names,
        "choices": [p for p in listed if data["period"] in p["periods"]], "asked": place or [],
        "figures": json.dumps(charts(data, names)) if data["places"] else "{}"})


@api.get("/analyses", summary="The five analyses for several places (as `placespend analyse NAME --format json`)")
def as_json(request: Request, year: str, place: Places = None,
            who: Caller = Depends(results_reader)) -> Response:
    return answer(_chosen(request, year, place)[1])
