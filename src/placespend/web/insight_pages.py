"""The insight pages (`/insight`, DESIGN.md §8): a place's areas on a map with their profiles beneath, Gi* hotspots
and survey results from the user's files, and the overlap of people-matching runs.

Every figure is what `placespend insight ...` prints and `/api/insight/...` answers (`placespend.app.insight`); a
page only draws it. Something not imported yet is said in plain English with the command that imports it,
never as an error page. Counts of people arrive here already through disclosure control.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from placespend.app import insight as use
from placespend.domain.problems import PlacespendError
from placespend.domain.vocabulary import normalise_place
from placespend.web.insight_spatial_api import UPLOADERS, save_upload, upload_folder
from placespend.web.security import Caller, results_reader, role_in, workspace
from placespend.web.templating import templates

router = APIRouter(include_in_schema=False)
SECTIONS = {"areas": ("/insight", "Areas"), "hotspots": ("/insight/hotspots", "Hotspots"),
            "surveys": ("/insight/surveys", "Surveys"), "overlap": ("/insight/overlap", "Overlap by ward")}


def _page(request: Request, who: Caller, name: str, status: int = 200, **context: Any) -> Response:
    return templates.TemplateResponse(request, f"insight_{name}.html", {
        "who": who, "section": name, "sections": SECTIONS, "may_upload": who.role in UPLOADERS, **context},
        status_code=status)


@router.get("/insight")
def areas(request: Request, place: str | None = None, level: str = "lsoa", column: str = "segment",
          who: Caller = Depends(results_reader)) -> Response:
    ws = workspace(request)
    known = use.places(ws)
    chosen = normalise_place(place) if place else (known[0]["place"] if known else None)
    view, problem = None, None
    if chosen:
        try:
            view = use.areas(ws, chosen, level, column)
        except PlacespendError as exc:
            problem = str(exc)
    return _page(request, who, "areas", places=known, place=chosen, level=level, column=column, view=view,
                 problem=problem, levels=use.LEVEL_NAMES)


@router.get("/insight/hotspots")
def hotspots_form(request: Request, who: Caller = Depends(results_reader)) -> Response:
    return _page(request, who, "hotspots")


@router.post("/insight/hotspots")
def hotspots(request: Request, values: UploadFile = File(...), boundaries: UploadFile = File(...),
             projected: UploadFile | None = File(None), id_property: str | None = Form(None),
             who: Caller = Depends(role_in(*UPLOADERS))) -> Response:
    """Gi* hotspots of the values; with projected values (e.g. a demand projection), both maps side by side and
    the change of each area. An empty file box (no projection) is sent by a browser as a nameless part."""
    if projected is not None and not projected.filename:
        projected = None
    with upload_folder() as folder:
        later = save_upload(folder, projected, 2) if projected is not None else None
        outcome, maps = use.hotspots(save_upload(folder, values, 0), save_upload(folder, boundaries, 1),
                                     id_property or None, later)
    return _page(request, who, "hotspots", outcome=outcome, maps=maps,
                 files=[f.filename for f in (values, boundaries, projected) if f is not None])


@router.get("/insight/surveys")
def surveys_form(request: Request, who: Caller = Depends(results_reader)) -> Response:
    return _page(request, who, "surveys", overall="overall", threshold=use.DEFAULT_THRESHOLD, satisfied_from=4)


@router.post("/insight/surveys")
def surveys(request: Request, file: UploadFile = File(...), overall: str = Form("overall"),
            threshold: int = Form(use.DEFAULT_THRESHOLD), satisfied_from: float = Form(4),
            who: Caller = Depends(role_in(*UPLOADERS))) -> Response:
    asked = {"overall": overall, "threshold": threshold, "satisfied_from": satisfied_from}
    try:
        with upload_folder() as folder:
            outcome, charts = use.surveys(save_upload(folder, file, 0), overall, threshold, satisfied_from)
    except PlacespendError as exc:
        return _page(request, who, "surveys", refused=str(exc), **asked)
    return _page(request, who, "surveys", outcome=outcome, charts=charts, file_name=file.filename, **asked)


@router.get("/insight/overlap")
def overlap(request: Request, who: Caller = Depends(results_reader)) -> Response:
    return _page(request, who, "overlap", runs=use.overlap_runs(workspace(request), who.user),
                 parts=use.OVERLAP_PARTS)
