"""The places on a map: each place counted in a year shaded by its spending per head or its total, drawn from the
district boundaries imported into the workspace (a place of several districts as all of them).

The values are `place_view.others`, what `/api/places-compared` answers and each place's page shows; the map only
draws them. A place is drawn when every one of its districts has an imported boundary (the latest vintage of
each); the others are named as not drawn, and a workspace with no such boundary gets no map at all.
"""

from __future__ import annotations

import json
from typing import Any

from placespend.app import place_view
from placespend.engine import assets_store
from placespend.engine.ledger import ledger_of
from placespend.engine.workspace import Workspace
from placespend.estimate.indicators import all_place_areas
from placespend.report import charts
from placespend.report.insight_charts import choropleth

MEASURES = {"per_head": "Spending per head", "total": "Total public spending counted"}


def years(ws: Workspace) -> list[str]:
    """The years with counted lines in any place, oldest first."""
    return sorted({period for entry in place_view.places(ws) for period in entry["periods"]})


def places_map(ws: Workspace, period: str, measure: str | None = None) -> dict[str, Any]:
    """The places of `period` with the value shaded (`measure`: per_head, or total; by default per head unless
    no place has a population), those drawn and not, and the Plotly figure as JSON (None when none is drawn)."""
    if measure is None:
        measure = "per_head" if any(r["per_head"] is not None for r in place_view.others(ws, period)) else "total"
    if measure not in MEASURES:
        raise ValueError(f"measure is one of {', '.join(MEASURES)}, not {measure!r}")
    return place_view.cached(ws, ("places-map", period, measure), lambda: _places_map(ws, period, measure),
                             results=True)


def _places_map(ws: Workspace, period: str, measure: str) -> dict[str, Any]:
    rows = place_view.others(ws, period)
    with ws.read() as con:
        districts = all_place_areas(ledger_of(con), [r["place"] for r in rows])
    shapes = {b["code"]: b for b in assets_store.boundary_shapes(ws, sorted({d for ds in districts.values()
                                                                                for d in ds}))}
    outlines = [_outline(r, [shapes.get(d) for d in districts[r["place"]]]) for r in rows]
    drawn = [r for r, outline in zip(rows, outlines, strict=True) if outline and r[measure] is not None]
    title = f"{MEASURES[measure]}, {period}"
    figure = charts.to_json(choropleth([{"area": r["place"], "name": r["name"], measure: r[measure]} for r in drawn],
                                       measure, [o for o in outlines if o], title)) if drawn else None
    return {"period": period, "measure": measure, "title": title, "places": rows, "figure": figure,
            "drawn": [r["place"] for r in drawn],
            "without_boundary": [r for r, outline in zip(rows, outlines, strict=True) if not outline],
            "without_value": [r for r, outline in zip(rows, outlines, strict=True) if outline and r[measure] is None]}


def _outline(row: dict[str, Any], shapes: list[dict[str, Any] | None]) -> dict[str, Any] | None:
    """The place's boundary as one feature: its own, or its districts' polygons together (a MultiPolygon)."""
    if not shapes or any(s is None for s in shapes):
        return None
    if len(shapes) == 1:
        return {"code": row["place"], "name": row["name"], "geometry": shapes[0]["geometry"]}  # type: ignore[index]
    polygons: list[Any] = []
    for s in shapes:
        geometry = json.loads(str(s["geometry"]))  # type: ignore[index]
        polygons += [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return {"code": row["place"], "name": row["name"],
            "geometry": json.dumps({"type": "MultiPolygon", "coordinates": polygons})}
