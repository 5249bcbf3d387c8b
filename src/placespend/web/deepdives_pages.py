"""The deep-dive pages (`/deepdives`): themes and inventory, unit costs, journeys, cohorts, the savings register and
cost-benefit cases, each a chart first and a table beneath; inputs uploaded as the files the CLI reads and edited
in place. Every figure comes from `app.deepdives`, the functions `placespend deepdive` prints.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from placespend.app import accounts
from placespend.app import deepdive_kinds as kinds
from placespend.app import deepdives as use
from placespend.domain.problems import PlacespendError, UnknownCode
from placespend.report import deepdive_tables
from placespend.web.security import Caller, role_in, workspace
from placespend.web.templating import templates

router = APIRouter(include_in_schema=False)
READERS = accounts.ROLES
EDITORS = use.EDITORS


def _context(request: Request, who: Caller, **more: Any) -> dict[str, Any]:
    ws = workspace(request)
    return {"who": who, "listing": use.listing(ws), "kinds": kinds.KINDS, "places": use.places(ws),
            "labels": kinds.LABELS, **more}


def _hub(request: Request, who: Caller, status: int = 200, **more: Any) -> Response:
    more.setdefault("saved", None)
    return templates.TemplateResponse(request, "deepdives.html", _context(request, who, **more), status_code=status)


@router.get("/deepdives")
def hub(request: Request, who: Caller = Depends(role_in(*READERS))) -> Response:
    return _hub(request, who)


@router.post("/deepdives/inputs")
async def upload(request: Request, kind: Annotated[str, Form()], file: Annotated[UploadFile, File()],
                 name: Annotated[str, Form()] = "", place: Annotated[str, Form()] = "",
                 who: Caller = Depends(role_in(*EDITORS))) -> Response:
    ws = workspace(request)
    form = {k: v for k, v in (await request.form()).items() if k in kinds.LABELS and isinstance(v, str)}
    try:
        saved = use.upload(ws, who.user, kind, name, place, file.filename or "upload.csv", await file.read(), form)
    except (ValueError, UnknownCode) as exc:
        return _hub(request, who, 422, refused=str(exc))
    if not saved.stored:
        return _hub(request, who, 422, saved=saved, file_name=file.filename)
    accounts.audit(ws, who.user, "deepdive.upload", f"input {saved.input_id} v{saved.version}", kind)
    return RedirectResponse(f"/deepdives/inputs/{saved.input_id}", status_code=303)


@router.post("/deepdives/examples")
def examples(request: Request, who: Caller = Depends(role_in(*use.STAFF))) -> Response:
    ws = workspace(request)
    saved = use.load_examples(ws, who.user)
    accounts.audit(ws, who.user, "deepdive.examples", None, f"{len(saved)} inputs")
    return RedirectResponse("/deepdives", status_code=303)


def _view(request: Request, who: Caller, input_id: int, version: int | None = None, status: int = 200,
          **more: Any) -> Response:
    ws = workspace(request)
    found = use.view(ws, input_id, version)
    kind = found.input["kind"]
    context = {"who": who, "view": found, "kind": found.kind, "outcome": found.outcome, "data": found.outcome.figures,
               "figures": use.charts(found.outcome), "command": kinds.shell(found.outcome.command),
               "tables": deepdive_tables.tables(kind, found.outcome.figures) if found.outcome.figures else {},
               "can_edit": use.may_edit(who.user, found.input), "labels": kinds.LABELS,
               "choices": use.listing(ws), "param_errors": {}, "form": found.version["params"], **more}
    return templates.TemplateResponse(request, "deepdive_input.html", context, status_code=status)


@router.get("/deepdives/inputs/{input_id}")
def input_page(request: Request, input_id: int, version: int | None = None,
               who: Caller = Depends(role_in(*READERS))) -> Response:
    return _view(request, who, input_id, version)


@router.get("/deepdives/inputs/{input_id}/edit")
def editor(request: Request, input_id: int, who: Caller = Depends(role_in(*EDITORS))) -> Response:
    grid = use.editor(workspace(request), who.user, input_id)
    return templates.TemplateResponse(request, "deepdive_editor.html", {"who": who, "grid": grid,
                                      "input_id": input_id, "saved": None})


@router.post("/deepdives/inputs/{input_id}/rows")
async def save_rows(request: Request, input_id: int, who: Caller = Depends(role_in(*EDITORS))) -> Response:
    ws = workspace(request)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        saved, grid = use.save_rows(ws, who.user, input_id, form)
    except PlacespendError as exc:
        return _view(request, who, input_id, status=422, refused=str(exc))
    htmx = request.headers.get("hx-request") == "true"
    if saved.stored:
        accounts.audit(ws, who.user, "deepdive.edit", f"input {input_id} v{saved.version}", None)
        target = f"/deepdives/inputs/{input_id}"
        return Response(status_code=200, headers={"HX-Redirect": target}) if htmx else RedirectResponse(
            target, status_code=303)
    context = {"who": who, "grid": grid, "input_id": input_id, "saved": saved}
    if htmx:  # htmx swaps 2xx answers only: the grid with its problems comes back as 200
        return templates.TemplateResponse(request, "deepdive_editor.html", context)
    return _view(request, who, input_id, status=422, saved=saved, edited=grid)


@router.post("/deepdives/inputs/{input_id}/params")
async def save_params(request: Request, input_id: int, who: Caller = Depends(role_in(*EDITORS))) -> Response:
    ws = workspace(request)
    form = {k: v for k, v in (await request.form()).items() if k in kinds.LABELS and isinstance(v, str)}
    saved = use.save_params(ws, who.user, input_id, form)
    if not saved.stored:
        return _view(request, who, input_id, status=422, param_errors=saved.errors, form=form, saved=saved)
    accounts.audit(ws, who.user, "deepdive.parameters", f"input {input_id} v{saved.version}", None)
    return RedirectResponse(f"/deepdives/inputs/{input_id}", status_code=303)


@router.get("/deepdives/inputs/{input_id}/file")
def stored_file(request: Request, input_id: int, version: int | None = None,
                who: Caller = Depends(role_in(*READERS))) -> Response:
    name, content = use.stored_file(workspace(request), input_id, version)
    media = "text/csv" if not content.startswith(b"PK") else (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/deepdives/themes")
def themes(request: Request, place: str | None = None, year: str | None = None, rules: str | None = None,
           theme: str | None = None, who: Caller = Depends(role_in(*READERS))) -> Response:
    ws = workspace(request)
    rules_id = int(rules) if rules and rules.isdigit() else None
    outcome = use.themes(ws, place, year, rules_id, theme or None) if place and year else None
    data = outcome.figures if outcome else None
    return templates.TemplateResponse(request, "deepdive_themes.html", {
        "who": who, "outcome": outcome, "data": data, "figures": use.charts(outcome) if outcome else "{}",
        "places": use.places(ws), "rules_inputs": use.listing(ws)["rules"], "place": place, "year": year,
        "rules": rules_id, "theme": theme or "", "command": kinds.shell(outcome.command) if outcome else "",
        "tables": deepdive_tables.themes(data) if data else {}})
