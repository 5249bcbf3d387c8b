"""The deep dives' JSON API: stored inputs, their figures (exactly what `placespend deepdive ... --format json`
prints for the same file and options), their versions, and every table as JSON, CSV or XLSX."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from placespend.app import accounts
from placespend.app import deepdive_kinds as kinds
from placespend.app import deepdives as use
from placespend.app.workflow import NotFound
from placespend.report import deepdive_tables
from placespend.web.api import as_json, table_response
from placespend.web.security import Caller, role_in, workspace

router = APIRouter(prefix="/api/deepdives", tags=["deep dives"])
READERS = accounts.ROLES


def _refused(outcome: use.Outcome, errors: dict[str, str] | None = None) -> Response:
    return as_json({"error": {"status": 422, "message": "the input was not stored: see problems"},
                    "problems": outcome.problems, "parameters": errors or {}}, status=422)


def _listing(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    return {kind: [{k: v for k, v in r.items() if k != "content"} for r in found] for kind, found in rows.items()}


@router.get("/inputs", summary="Stored deep-dive inputs by kind, each with its latest version")
def inputs(request: Request, who: Caller = Depends(role_in(*READERS))) -> Response:
    return as_json(_listing(use.listing(workspace(request))))


@router.post("/inputs", summary="Upload a deep-dive input (the file the CLI reads, with its options as form fields)")
async def upload(request: Request, kind: Annotated[str, Form()], file: Annotated[UploadFile, File()],
                 name: Annotated[str, Form()] = "", place: Annotated[str, Form()] = "",
                 who: Caller = Depends(role_in(*use.EDITORS))) -> Response:
    ws = workspace(request)
    form = {k: v for k, v in (await request.form()).items() if k in kinds.LABELS and isinstance(v, str)}
    try:
        saved = use.upload(ws, who.user, kind, name, place, file.filename or "upload.csv", await file.read(), form)
    except ValueError as exc:
        return as_json({"error": {"status": 422, "message": str(exc)}}, status=422)
    if not saved.stored:
        return _refused(saved.outcome, saved.errors)
    accounts.audit(ws, who.user, "deepdive.upload", f"input {saved.input_id} v{saved.version}", kind)
    return as_json({"input_id": saved.input_id, "version": saved.version, "figures": saved.outcome.figures})


def _outcome(request: Request, input_id: int, version: int | None) -> use.Outcome:
    return use.view(workspace(request), input_id, version).outcome


@router.get("/inputs/{input_id}", summary="An input's figures: what the CLI prints as JSON for the same file")
def figures(request: Request, input_id: int, version: int | None = None,
            who: Caller = Depends(role_in(*READERS))) -> Response:
    outcome = _outcome(request, input_id, version)
    return as_json(outcome.figures) if outcome.ok else _refused(outcome)


@router.get("/inputs/{input_id}/versions", summary="Every version of an input: who, when, what changed")
def versions(request: Request, input_id: int, who: Caller = Depends(role_in(*READERS))) -> Response:
    ws = workspace(request)
    return as_json({"input": use.get(ws, input_id), "versions": use.versions(ws, input_id)})


@router.get("/inputs/{input_id}/tables/{table}", summary="One table of an input's figures as JSON, CSV or XLSX")
def table(request: Request, input_id: int, table: str, version: int | None = None, format: str = "json",
          who: Caller = Depends(role_in(*READERS))) -> Response:
    ws = workspace(request)
    found = use.view(ws, input_id, version)
    if not found.outcome.ok:
        return _refused(found.outcome)
    tables = deepdive_tables.tables(found.input["kind"], found.outcome.figures)
    if table not in tables:
        raise NotFound(f"No table '{table}' here; the tables are: {', '.join(tables)}.")
    return table_response(tables[table], format, f"{found.input['name']}-{table}")


@router.get("/themes", summary="Themes across COFOG and their inventory for a place and year")
def themes(request: Request, place: str, year: str, rules: int | None = None, theme: str | None = None,
           who: Caller = Depends(role_in(*READERS))) -> Response:
    outcome = use.themes(workspace(request), place, year, rules, theme)
    return as_json(outcome.figures) if outcome.ok else _refused(outcome)


@router.get("/themes/tables/{table}", summary="One table of the themes as JSON, CSV or XLSX")
def themes_table(request: Request, table: str, place: str, year: str, rules: int | None = None,
                 theme: str | None = None, format: str = "json", who: Caller = Depends(role_in(*READERS))) -> Response:
    outcome = use.themes(workspace(request), place, year, rules, theme)
    if not outcome.ok:
        return _refused(outcome)
    tables = deepdive_tables.themes(outcome.figures)
    if table not in tables:
        raise NotFound(f"No table '{table}' here; the tables are: {', '.join(tables)}.")
    return table_response(tables[table], format, f"themes-{place}-{year}-{table}")
