"""The assets pages: every partner's property on one map (`/assets`, `/places/{place}/assets`), the list behind
any filter or selection, and the co-location, rationalisation and capital panels (DESIGN.md §7, Assets)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from placespend.app import accounts, assets_scenario, assets_view, place_view
from placespend.domain.vocabulary import normalise_place
from placespend.report.money import to_json
from placespend.web.security import Caller, role_in, workspace
from placespend.web.templating import render

router = APIRouter(include_in_schema=False)


def _page(request: Request, who: Caller, place: str | None, within: float, below: str, years: int,
          year: str | None, on: dt.date | None) -> Response:
    ws = workspace(request)
    view = assets_view.page(ws, place, within, assets_scenario.share(below), years, year, on)
    data = to_json(view["map"]).replace("</", "<\\/")
    title = place_view.display_name(ws, place) if place else "All partners"
    return render(request, "assets.html", who, view=view, data=data, place=place, title=title, within=within,
                  below=below, years=years)


@router.get("/assets")
def assets(request: Request, within: float = assets_view.DEFAULT_WITHIN, below: str = "0.5",
           years: int = assets_view.DEFAULT_YEARS, on: dt.date | None = None,
           who: Caller = Depends(role_in(*accounts.ROLES))) -> Response:
    return _page(request, who, None, within, below, years, None, on)


@router.get("/places/{place}/assets")
def place_assets(request: Request, place: str, within: float = assets_view.DEFAULT_WITHIN, below: str = "0.5",
                 years: int = assets_view.DEFAULT_YEARS, year: str | None = None, on: dt.date | None = None,
                 who: Caller = Depends(role_in(*accounts.ROLES))) -> Response:
    return _page(request, who, normalise_place(place), within, below, years, year, on)
