"""The assets page's model: the map (every partner's property on one map of the place), the list behind it, and
the co-location, rationalisation and capital panels, each the same figures the CLI and the API give.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from placespend.app import assets as use
from placespend.assets import summary
from placespend.domain.assets import NOT_STATED
from placespend.domain.vocabulary import normalise_place
from placespend.engine import assets_store, page_store
from placespend.engine.workspace import Workspace
from placespend.report import assets_map

DEFAULT_WITHIN = 400.0  # metres: about a five-minute walk
DEFAULT_YEARS = 2


def map_view(ws: Workspace, place: str | None = None) -> dict[str, Any]:
    """Rows and frame of the map: the place's outline (or every imported-for place's) and each owner's colour."""
    found = use.estate(ws, place)
    places = [found.place] if found.place else sorted(
        {r["place"] for r in assets_store.registers(ws) if r["current"] and r["place"]})
    outlines = [row for p in places for row in use.outline(ws, p)[1]]
    points = [(a.lon, a.lat) for a in found.assets if a.has_point]
    rows = [use.asset_row(a, found.outside) for a in found.assets]
    return {**found.header(), "layout": assets_map.map_layout(outlines, points),
            "colours": assets_map.owner_colours([a.owner for a in found.assets]), "rows": rows,
            "owners": summary.by_owner(found.assets),
            "services": sorted({s for r in rows for s in r["services"]}, key=lambda s: (s == NOT_STATED, s)),
            "tenures": sorted({r["tenure_detail"] or NOT_STATED for r in rows}, key=lambda s: (s == NOT_STATED, s))}


def periods(ws: Workspace, place: str) -> list[str]:
    with ws.read() as con:
        if "flows" not in con.list_tables():
            return []
        return page_store.live_periods_in_scope(con, place)


def page(ws: Workspace, place: str | None, within: float = DEFAULT_WITHIN, below: Decimal = Decimal("0.5"),
         years: int = DEFAULT_YEARS, year: str | None = None, on: dt.date | None = None) -> dict[str, Any]:
    """Everything the page shows; capital only for a place, in `year` or its latest counted year."""
    place = normalise_place(place) if place else None
    view = {"map": map_view(ws, place), "nearby": use.nearby(ws, within, place),
            "under_used": use.under_used(ws, below, place), "leases": use.leases(ws, years, on, place),
            "benchmark": use.benchmark(ws, place), "history": use.history(ws)}
    if place is not None and ws.exists:
        view["periods"] = periods(ws, place)
        year = year or (view["periods"][-1] if view["periods"] else None)
        view["capital"] = use.capital(ws, place, year) if year else None
    return view
