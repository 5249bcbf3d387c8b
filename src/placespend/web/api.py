"""The JSON API: everything the pages show, for scripts (bearer tokens) and the pages' own downloads."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from placespend.app import figures, place_view, workflow
from placespend.app.selection import Selection
from placespend.report.exports import count_rows, rows_csv, rows_xlsx
from placespend.report.money import to_json
from placespend.web.security import Caller, results_reader, role_in, workspace

router = APIRouter(prefix="/api", tags=["api"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def as_json(payload: Any, status: int = 200) -> Response:
    """Decimal money as JSON numbers with at most 2 decimals (the same encoder as the CLI)."""
    return Response(to_json(payload), media_type="application/json", status_code=status)


def table_response(rows: list[dict[str, Any]], fmt: str, name: str) -> Response:
    if fmt == "csv":
        return Response(rows_csv(rows), media_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    if fmt == "xlsx":
        return Response(rows_xlsx(rows, name), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    return as_json(rows)


@router.get("/places", summary="Places with the periods that have counted lines")
def places(request: Request, who: Caller = Depends(results_reader)) -> Response:
    return as_json(place_view.places(workspace(request)))


def overview(request: Request, place: str, year: str) -> tuple[dict[str, Any], Selection]:
    """The place page's figures for a checked place and year (unknown codes answer 404)."""
    ws = workspace(request)
    asked = place_view.checked(ws, place=place, year=year)
    return place_view.overview(ws, asked.place, asked.period), asked  # type: ignore[arg-type]


@router.get("/places/{place}", summary="Everything the place page shows")
def place(request: Request, place: str, year: str, who: Caller = Depends(results_reader)) -> Response:
    ws = workspace(request)
    with place_view.one_version(ws):
        asked = place_view.checked(ws, place=place, year=year)
        code, period = asked.place, asked.period

        def body() -> str:   # all read from the workspace: a server recomputes it after a write
            notes = place_view.checked(ws, place=place, year=year).notes
            return to_json({**place_view.overview(ws, code, period), "notes": list(notes)})  # type: ignore[arg-type]

        answer = place_view.cached(ws, ("overview-json", code, period), body, place=(code, period),  # type: ignore[arg-type]
                                   refresh=True)
        return _marked(Response(answer, media_type="application/json"), ws)


def _marked(response: Response, ws) -> Response:
    """Says when an answer is of the version before a write still under way (its figures are being updated)."""
    if place_view.being_updated(ws):
        response.headers["X-Placespend-Updating"] = "the figures are being updated; these are from before"
    return response


@router.get("/places/{place}/count", summary="The count (DESIGN.md §4) as JSON, CSV or XLSX")
def count(request: Request, place: str, year: str, format: str = "json",
          who: Caller = Depends(results_reader)) -> Response:
    """The CLI's `count` path (app.figures), not the whole place page: cached until the place's figures change."""
    ws = workspace(request)
    asked = place_view.checked(ws, place=place, year=year)
    code, period = asked.place, asked.period
    result, rec = place_view.cached(ws, ("count", code, period), lambda: figures.count_in(ws, code, period),  # type: ignore[arg-type]
                                    place=(code, period), refresh=True)  # type: ignore[arg-type]
    if format == "json":
        return as_json({**asdict(result), "transfer_reconciliation": rec, "notes": list(asked.notes)})
    return table_response(count_rows(asdict(result)), format, f"count-{code}-{period}")


@router.get("/places/{place}/reconciliation", summary="Transfer reconciliation per funder-recipient pair")
def reconciliation(request: Request, place: str, year: str, format: str = "json",
                   who: Caller = Depends(results_reader)) -> Response:
    view, asked = overview(request, place, year)
    return table_response(view["reconciliation"], format, f"reconciliation-{asked.place}-{asked.period}")


ANALYSIS_TABLES = {
    "local-control": lambda view: view["local_control"]["bands"],
    "concentration": lambda view: view["concentration"]["ranking"],
    "small-bodies": lambda view: view["concentration"]["small_bodies"],
    "hand-overs": lambda view: [{"hand_overs": k, "amount": v} for k, v in view["routes"]["by_hand_overs"].items()],
    "cofog": lambda view: view["cofog"],
    "body-types": lambda view: [{"body_type": k, "amount": v} for k, v in view["count"]["by_spender_type"].items()],
    "pass-through": lambda view: view["count"]["pass_through"],
    "wards": lambda view: view["wards"],
}


@router.get("/places/{place}/tables/{table}", summary="A table of the place page as JSON, CSV or XLSX")
def place_table(request: Request, place: str, table: str, year: str, format: str = "json",
                who: Caller = Depends(results_reader)) -> Response:
    if table not in ANALYSIS_TABLES:
        raise HTTPException(404, f"no table '{table}'; tables: {', '.join(ANALYSIS_TABLES)}")
    view, asked = overview(request, place, year)
    return table_response(ANALYSIS_TABLES[table](view), format, f"{table}-{asked.place}-{asked.period}")


@router.get("/places-compared", summary="Every place counted in a year with its total and per head")
def places_compared(request: Request, year: str, format: str = "json",
                    who: Caller = Depends(results_reader)) -> Response:
    ws = workspace(request)
    period = place_view.checked(ws, year=year).period
    return table_response(place_view.others(ws, period), format, f"places-{period}")  # type: ignore[arg-type]


@router.get("/places/{place}/lines", summary="The lines behind a figure, with file, sheet and row")
def lines(request: Request, place: str, year: str, cofog: str | None = None, body_type: str | None = None,
          status: str | None = None, format: str = "json",
          who: Caller = Depends(role_in("admin", "analyst", "partner"))) -> Response:
    ws = workspace(request)
    asked = place_view.checked(ws, place=place, year=year, cofog=cofog, body_type=body_type, status=status)
    _, rows = figures.lines(ws, asked.place, asked.period, cofog=asked.cofog, body_type=asked.body_type,  # type: ignore[arg-type]
                            status=asked.status, only_spender=who.user.organisation if who.role == "partner" else None)
    return table_response(rows, format, f"lines-{asked.place}-{asked.period}")


@router.get("/compare", summary="Centre-out vs locally-led for every place (seed 000 Table 1)")
def compare(request: Request, year: str, format: str = "json", who: Caller = Depends(results_reader)) -> Response:
    """JSON as `placespend compare --format json`; CSV and XLSX one row per place, bridges left out."""
    ws = workspace(request)
    period: str = place_view.checked(ws, year=year).period  # type: ignore[assignment]
    table = place_view.comparison(ws, period)
    if format in ("csv", "xlsx"):
        return table_response(place_view.comparison_rows(table), format, f"compare-{period}")
    return as_json(table)


@router.get("/submissions", summary="Submissions you may see (partners: their own)")
def submissions(request: Request, format: str = "json",
                who: Caller = Depends(role_in("admin", "analyst", "partner"))) -> Response:
    return table_response(workflow.visible_submissions(workspace(request), who.user), format, "submissions")


@router.get("/submissions/{submission_id}", summary="One submission with its lines and queries")
def submission(request: Request, submission_id: int,
               who: Caller = Depends(role_in("admin", "analyst", "partner"))) -> Response:
    return as_json(workflow.get_submission(workspace(request), who.user, submission_id))


@router.post("/submissions", summary="Upload a return (template .xlsx or flows CSV)")
async def upload(request: Request, file: UploadFile = File(...), confirm_large: bool = Form(False),
                 who: Caller = Depends(role_in("admin", "analyst", "partner"))) -> Response:
    """A file of several bodies' returns (count team) becomes one submission per body. `confirm_large`
    confirms lines larger than the body's whole previous return."""
    # On a request thread, not the event loop: a national return takes seconds to check and store, and every
    # other visitor's request would wait for it.
    outcome = await run_in_threadpool(workflow.upload_return, workspace(request), who.user, await file.read(),
                                      file.filename or "upload", confirm_large=confirm_large)
    body = {"outcome": outcome.outcome, "submission_id": outcome.submission_id,
            "submission_ids": outcome.submission_ids, "report": outcome.report}
    return as_json(body, status=422 if outcome.outcome == "rejected" else 200)


@router.post("/submissions/{submission_id}/accept", summary="Accept a submission into the count")
async def accept(request: Request, submission_id: int,
                 who: Caller = Depends(role_in("admin", "analyst"))) -> Response:
    """A submission replacing most of its body's previous return, or moving its place's total by a large share,
    answers 409 with the difference (`replaces`) until accepted with `{"confirm_replace": true}`."""
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        body = {}
    try:
        # On a request thread, not the event loop (an acceptance takes seconds on a national ledger).
        await run_in_threadpool(workflow.accept, workspace(request), who.user, submission_id,
                                confirm_replace=isinstance(body, dict) and body.get("confirm_replace") is True)
    except workflow.NeedsConfirmation as exc:
        return as_json({"error": {"status": 409, "message": str(exc),
                                  "replaces": [r.to_dict() for r in exc.replacements]}}, status=409)
    return as_json({"submission_id": submission_id, "status": "accepted"})


@router.post("/submissions/{submission_id}/queries", summary="Raise a query on a submission's line")
async def query(request: Request, submission_id: int, who: Caller = Depends(role_in("admin", "analyst"))) -> Response:
    body = json.loads(await request.body() or b"{}")
    query_id = workflow.raise_query(workspace(request), who.user, submission_id, body.get("row"),
                                    str(body.get("message", "")))
    return as_json({"query_id": query_id, "status": "queried"})


@router.get("/partners", summary="Each partner's submission status")
def partners(request: Request, format: str = "json", who: Caller = Depends(role_in("admin", "analyst"))) -> Response:
    return table_response(workflow.partner_statuses(workspace(request), who.user), format, "partners")


@router.get("/health", summary="Liveness", include_in_schema=True)
def health() -> JSONResponse:
    return JSONResponse({"ok": True})
