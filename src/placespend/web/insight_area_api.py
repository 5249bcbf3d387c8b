"""JSON API for customer insight: areas (DESIGN.md §7). Segments, area profiles (JSON, CSV, XLSX), maps.

Area statistics are open data, so every route reads like the published results (`results_reader`). GET
never writes: segments computed here are not stored; `placespend insight segments` keeps a run for profiles.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from placespend.app import area_insight
from placespend.app.criteria import SHIPPED
from placespend.domain.problems import PlacespendError
from placespend.domain.vocabulary import normalise_place
from placespend.web.api import as_json, table_response
from placespend.web.security import Caller, results_reader, workspace

router = APIRouter(prefix="/api/insight", tags=["insight"])


@router.get("/segments", summary="Segments of a place's LSOAs (or England's) with profiles and stability")
def segments(request: Request, place: str | None = None, k: int = area_insight.DEFAULT_K,
             seed: int = area_insight.DEFAULT_SEED, indicators: str | None = None, method: str = "kmeans",
             runs: int = 5, classification: str | None = None, year: str | None = None,
             drivers: str = "population", who: Caller = Depends(results_reader)) -> Response:
    if method not in ("kmeans", "ward"):
        return as_json({"error": {"status": 400, "message": "method must be kmeans or ward"}}, 400)
    chosen = [name.strip() for name in indicators.split(",") if name.strip()] if indicators else None
    chosen_place = None if place is None or place.lower() == area_insight.WHOLE_COUNTRY else normalise_place(place)
    return as_json(area_insight.segment_place(workspace(request), chosen_place, k, seed, chosen, method,  # type: ignore[arg-type]
                                              runs, classification, year, _shipped(drivers)))


def _shipped(drivers: str) -> str:
    """Over the web only the shipped driver sets are named: a criteria file path is a CLI matter."""
    if drivers not in SHIPPED:
        raise PlacespendError(f"drivers must be one of {', '.join(sorted(SHIPPED))} over the API, not '{drivers}'.")
    return drivers


@router.get("/classifications", summary="Classifications of areas imported (ONS OAC or a user's own)")
def classifications(request: Request, who: Caller = Depends(results_reader)) -> Response:
    return as_json(area_insight.classifications(workspace(request)))


@router.get("/places/{place}/profiles",
            summary="Profiles of a place's output areas, LSOAs, MSOAs or wards, as JSON, CSV or XLSX")
def profiles(request: Request, place: str, level: str = "lsoa", year: str | None = None,
             drivers: str = "population", format: str = "json", who: Caller = Depends(results_reader)) -> Response:
    result = area_insight.profile_rows(workspace(request), normalise_place(place), level, year, _shipped(drivers))
    if format == "json":
        return as_json(result)
    return table_response(result["rows"], format, f"profiles-{level}-{place}")


@router.get("/places/{place}/profiles/{area}", summary="One area's profile and its rank among its peers")
def profile(request: Request, place: str, area: str, year: str | None = None, drivers: str = "population",
            who: Caller = Depends(results_reader)) -> Response:
    return as_json(area_insight.area_profile(workspace(request), normalise_place(place), area.strip().upper(), year,
                                             _shipped(drivers)))


@router.get("/places/{place}/map", summary="A choropleth of one profile column (Plotly figure, boundaries inline)")
def area_map(request: Request, place: str, column: str = "segment", level: str = "lsoa", year: str | None = None,
             drivers: str = "population", who: Caller = Depends(results_reader)) -> Response:
    return as_json(area_insight.area_map(workspace(request), normalise_place(place), column, level, year,
                                         _shipped(drivers)))
