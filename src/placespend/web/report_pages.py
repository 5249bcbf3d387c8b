"""The board report in the browser (DESIGN.md §8): `/reports` to choose a place and year and read the report,
`/places/{place}/report.pdf` and `/places/{place}/report.xlsx` to take it to the meeting.

Every reader of published results may read a report; a return's file name and submission id show only to the
count team and the partner that sent it (`board_report.for_reader`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from placespend.app import board_report
from placespend.report.board_report import css
from placespend.web.security import Caller, results_reader, workspace
from placespend.web.templating import render

router = APIRouter(include_in_schema=False)
MEDIA = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _rendered(request: Request, who: Caller, place: str, year: str | None, form: str) -> tuple[dict[str, Any], Any]:
    organisation = who.user.organisation if who.user else None
    return board_report.rendered(workspace(request), place, year or None, who.role, organisation, form)


@router.get("/reports")
def reports(request: Request, place: str | None = None, year: str | None = None,
            who: Caller = Depends(results_reader)) -> Response:
    data, body = _rendered(request, who, place, year, "html") if place else (None, None)
    return render(request, "reports.html", who, chosen=board_report.choices(workspace(request)), data=data,
                  place=place, year=year or "", body=body, css=css())


def _download(request: Request, who: Caller, place: str, year: str | None, form: str) -> Response:
    data, content = _rendered(request, who, place, year, form)
    name = f"board-report-{data['place']}-{data['period']}.{form}"
    return Response(content, media_type=MEDIA[form], headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/places/{place}/report.pdf")
def report_pdf(request: Request, place: str, year: str | None = None,
               who: Caller = Depends(results_reader)) -> Response:
    return _download(request, who, place, year, "pdf")


@router.get("/places/{place}/report.xlsx")
def report_xlsx(request: Request, place: str, year: str | None = None,
                who: Caller = Depends(results_reader)) -> Response:
    return _download(request, who, place, year, "xlsx")
