"""JSON API for customer insight: spatial (DESIGN.md §7): hotspots, surveys, access points.

Each route takes the user's files as an upload and answers what the CLI prints with `--format json`; an
input with errors answers 422 with every problem (file, row, column). Uploads are written to a private
temporary folder under their own names (so problems name the user's file) and removed afterwards.
Any signed-in role that may upload returns (admin, analyst, partner) may run them: they read no workspace data.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import Response

from placespend.app import spatial_insight, survey_insight
from placespend.app.survey_insight import DEFAULT_THRESHOLD
from placespend.web.api import as_json
from placespend.web.security import Caller, role_in

router = APIRouter(prefix="/api/insight", tags=["insight"])
UPLOADERS = ("admin", "analyst", "partner")


@contextmanager
def upload_folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="placespend-insight-") as folder:
        yield Path(folder)


def save_upload(folder: Path, upload: UploadFile, number: int) -> Path:
    """Each upload in its own sub-folder, under its own name: two uploads may share a name."""
    target = folder / str(number)
    target.mkdir()
    path = target / (Path(upload.filename or "").name or f"upload-{number}")
    path.write_bytes(upload.file.read())
    return path


def _answer(outcome: spatial_insight.Outcome) -> Response:
    if outcome.ok:
        return as_json(outcome.result)
    return as_json({"error": "the inputs have problems", "reports": [r.to_dict() for r in outcome.reports]},
                   status=422)


@router.post("/hotspots", summary="Getis-Ord Gi* hotspots of a values CSV over GeoJSON/TopoJSON boundaries")
def hotspots(values: UploadFile = File(...), boundaries: UploadFile = File(...),
             projected: UploadFile | None = File(None), id_property: str | None = Form(None),
             who: Caller = Depends(role_in(*UPLOADERS))) -> Response:
    with upload_folder() as folder:
        later = save_upload(folder, projected, 2) if projected is not None else None
        return _answer(spatial_insight.hotspot_map(save_upload(folder, values, 0),
                                                   save_upload(folder, boundaries, 1), id_property or None, later))


@router.post("/access-points", summary="Choose N candidate sites for areas' demand (p-median or maximal cover)")
def access_points(demand: UploadFile = File(...), boundaries: UploadFile = File(...), sites: UploadFile = File(...),
                  count: int = Form(...), objective: str = Form("median"), within_km: float | None = Form(None),
                  id_property: str | None = Form(None), who: Caller = Depends(role_in(*UPLOADERS))) -> Response:
    if objective not in {"median", "cover"}:
        return as_json({"error": "objective is median or cover"}, status=422)
    with upload_folder() as folder:
        return _answer(spatial_insight.access_plan(save_upload(folder, demand, 0),
                                                   save_upload(folder, boundaries, 1),
                                                   save_upload(folder, sites, 2), count, objective, within_km,
                                                   id_property or None))


@router.post("/surveys", summary="Weighted satisfaction with 95% CIs by group and stage, and key drivers")
def surveys(file: UploadFile = File(...), overall: str = Form("overall"), threshold: int = Form(DEFAULT_THRESHOLD),
            satisfied_from: float = Form(4), who: Caller = Depends(role_in(*UPLOADERS))) -> Response:
    """A threshold below the default is refused (400, by the app's handler of PlacespendError), not raised."""
    with upload_folder() as folder:
        return _answer(survey_insight.survey_results(save_upload(folder, file, 0), overall, threshold,
                                                     satisfied_from))
