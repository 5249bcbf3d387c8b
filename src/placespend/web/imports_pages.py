"""Imports of reference and open data in the browser (`/imports`): upload, progress while the file is read (htmx
polls a fragment that replaces itself until the job ends), then the validation report by file, sheet, row and
column, as `placespend import` prints it. The work is `app.imports`, which runs the CLI's own import.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from placespend.app import imports
from placespend.web.security import Caller, role_in, workspace
from placespend.web.templating import templates

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["imports"])


@router.get("/imports")
def hub(request: Request, who: Caller = Depends(role_in(*imports.STAFF))) -> Response:
    return templates.TemplateResponse(request, "imports.html", {
        "who": who, "jobs": imports.jobs(), "history": imports.history(workspace(request))})


@router.post("/imports")
def upload(request: Request, file: Annotated[UploadFile, File()], kind: Annotated[str, Form()] = "",
           who: Caller = Depends(role_in(*imports.STAFF))) -> Response:
    job = imports.start(workspace(request), who.user, file.filename or "upload", file.file, kind.strip() or None)
    return RedirectResponse(f"/imports/jobs/{job.job_id}", status_code=303)


@router.get("/imports/jobs/{job_id}")
def job_page(request: Request, job_id: str, who: Caller = Depends(role_in(*imports.STAFF))) -> Response:
    job = imports.job(job_id)
    return templates.TemplateResponse(request, "import_job.html", {"who": who, "job": job.to_dict()})


@router.get("/imports/jobs/{job_id}/progress")
def job_progress(request: Request, job_id: str, who: Caller = Depends(role_in(*imports.STAFF))) -> Response:
    """The fragment htmx swaps in: progress while reading (and asks again), the report once done."""
    job = imports.job(job_id)
    return templates.TemplateResponse(request, "import_progress.html", {"who": who, "job": job.to_dict()})


@api.get("/imports/jobs/{job_id}", summary="An import started from /imports: stage, share read, the report")
def job_json(job_id: str, who: Caller = Depends(role_in(*imports.STAFF))) -> dict:
    return imports.job(job_id).to_dict()
