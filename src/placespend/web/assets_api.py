"""JSON API for Total Capital and Assets (DESIGN.md §7, Assets): the same figures as `placespend assets ...
--format json`, from the same use cases.

Reading the estate needs any signed-in role (running costs and utilisation are partners' management figures,
not the open data the Transparency Code publishes). Importing a register needs admin, analyst or partner, and
a partner may import only its own body's register.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from placespend.app import accounts, assets_scenario, assets_view
from placespend.app import assets as use
from placespend.domain.vocabulary import normalise_id
from placespend.web.api import as_json, table_response
from placespend.web.security import Caller, role_in, workspace

router = APIRouter(prefix="/api/assets", tags=["assets"])
READERS = role_in(*accounts.ROLES)
IMPORTERS = ("admin", "analyst", "partner")


@router.get("", summary="The current assets (of a place, if given) with totals by owner")
def assets(request: Request, place: str | None = None, owner: str | None = None, format: str = "json",
           who: Caller = Depends(READERS)) -> Response:
    data = use.register_list(workspace(request), place, owner)
    return as_json(data) if format == "json" else table_response(data["assets"], format, "assets")


@router.get("/map", summary="The map's rows and frame (Plotly scattermap layout, no tile server)")
def asset_map(request: Request, place: str | None = None, who: Caller = Depends(READERS)) -> Response:
    return as_json(assets_view.map_view(workspace(request), place))


@router.get("/registers", summary="Every version of every register, newest first")
def registers(request: Request, owner: str | None = None, who: Caller = Depends(READERS)) -> Response:
    return as_json(use.history(workspace(request), owner))


@router.post("/registers", summary="Import an owner's register (Transparency Code CSV or the template's Assets sheet)")
def import_register(request: Request, file: UploadFile = File(...), owner: str = Form(""),
                    place: str | None = Form(None), who: Caller = Depends(role_in(*IMPORTERS))) -> Response:
    if who.role == "partner":
        if owner and normalise_id(owner) != normalise_id(who.user.organisation or ""):
            raise HTTPException(403, "a partner imports only its own body's register")
        owner = who.user.organisation or ""
    ws = workspace(request)
    with tempfile.TemporaryDirectory(prefix="placespend-assets-") as folder:
        path = Path(folder) / (Path(file.filename or "").name or "register.csv")
        path.write_bytes(file.file.read())
        result = use.import_register(ws, path, owner, place or None, loaded_by=who.user.username)
    if result.outcome == "loaded":
        accounts.audit(ws, who.user, "assets.import", result.owner, f"register {result.register_id}")
    return as_json(result.to_dict(), status=422 if result.outcome == "rejected" else 200)


@router.get("/nearby", summary="Pairs of different owners' assets within a distance (WGS84 geodesic metres)")
def nearby(request: Request, within: float, place: str | None = None, format: str = "json",
           who: Caller = Depends(READERS)) -> Response:
    data = use.nearby(workspace(request), within, place)
    return as_json(data) if format == "json" else table_response(data["pairs"], format, "nearby")


@router.get("/under-used", summary="Sites used less than a share of their capacity")
def under_used(request: Request, below: str = "0.5", place: str | None = None, format: str = "json",
               who: Caller = Depends(READERS)) -> Response:
    data = use.under_used(workspace(request), assets_scenario.share(below), place)
    return as_json(data) if format == "json" else table_response(data["sites"], format, "under-used")


@router.get("/leases", summary="Leases ending within N years (and those already ended)")
def leases(request: Request, years: int = 2, on: dt.date | None = None, place: str | None = None,
           format: str = "json", who: Caller = Depends(READERS)) -> Response:
    data = use.leases(workspace(request), years, on, place)
    return as_json(data) if format == "json" else table_response(data["sites"], format, "leases")


@router.get("/benchmark", summary="Running cost per m2 by partner, with outliers (Tukey's fences)")
def benchmark(request: Request, place: str | None = None, format: str = "json",
              who: Caller = Depends(READERS)) -> Response:
    data = use.benchmark(workspace(request), place)
    return as_json(data) if format == "json" else table_response(data["assets"], format, "benchmark")


@router.get("/capital", summary="The count's capital lines by partner and COFOG function, beside the estate")
def capital(request: Request, place: str, year: str, format: str = "json",
            who: Caller = Depends(READERS)) -> Response:
    data = use.capital(workspace(request), place, year)
    return as_json(data) if format == "json" else table_response(data["lines"], format, f"capital-{place}-{year}")


class ScenarioRequest(BaseModel):
    place: str | None = None
    close: list[str] = Field(default_factory=list, description="Sites to close: CODE or OWNER:CODE")
    share: list[str] = Field(default_factory=list, description="Sites to share")
    start_year: int | None = Field(None, description="First calendar year of the first financial year, 2026 = 2026-27")
    close_range: list[str] | None = Field(None, description="LOW, CENTRAL, HIGH share of running cost saved")
    share_range: list[str] | None = None
    indicator: str = "population"


@router.post("/scenario", summary="Close or share sites: savings range per site, and who would be further away")
def scenario(request: Request, body: ScenarioRequest, format: str = "json",
             who: Caller = Depends(READERS)) -> Response:
    shares = assets_scenario.ranges(body.close_range, body.share_range)
    start = body.start_year or assets_scenario.next_financial_year()
    outcome = assets_scenario.run(workspace(request), body.place, body.close, body.share, start, shares,
                                  indicator=body.indicator)
    if format == "csv":  # the entries in the savings register's columns, to add to the partnership's register
        return table_response(outcome.result["savings_entries"], "csv", "assets-scenario-savings")
    return as_json(outcome.result)
