"""Shared suppliers over the web: the /suppliers page and the JSON API (collaborative procurement).

Supplier names are what partners publish, so every signed-in role (and the public site) reads results;
links and splits change what everyone sees and are for staff only, each one audited.
"""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from placespend.app import accounts
from placespend.app import suppliers as uc
from placespend.domain.problems import PlacespendError
from placespend.web.api import as_json, table_response
from placespend.web.security import Caller, results_reader, role_in, workspace
from placespend.web.templating import templates

router = APIRouter(prefix="/api/suppliers", tags=["suppliers"])
pages = APIRouter(include_in_schema=False)
STAFF = ("admin", "analyst")
PAGE_ROWS = 100


class Override(BaseModel):
    left: str = Field(description="A supplier name as a partner publishes it")
    right: str = Field(description="Another supplier name")
    reason: str = Field(description="Why: kept with the override")


def _years(year: list[str] | None) -> list[str] | None:
    return [y for y in year or [] if y] or None


@router.get("/shared", summary="Suppliers several partners pay: amounts, shares, categories, concentration")
def shared(request: Request, year: str | None = None, min_partners: int = 2, include_public: bool = False,
           format: str = "json", who: Caller = Depends(results_reader)) -> Response:
    result = uc.shared(workspace(request), _years([year] if year else None), min_partners, include_public)
    if format == "json":
        return as_json(result)
    rows = [{"supplier": s["supplier"], "name": s["name"], "partners": s["partners"], "total": s["total"],
             "partner": e["partner"], "amount": e["amount"], "share": e["share"],
             "categories": [c["category"] for c in e["categories"]]}
            for s in result["suppliers"] for e in s["by_partner"]]
    return table_response(rows, format, "shared-suppliers")


@router.get("/explain", summary="Why two supplier names are one supplier, or why not")
def explain(request: Request, left: str, right: str, who: Caller = Depends(results_reader)) -> Response:
    return as_json(uc.explain(workspace(request), left, right))


@router.get("/payments", summary="The payments behind a supplier, with file and row")
def payments(request: Request, name: str, limit: int = 200, who: Caller = Depends(results_reader)) -> Response:
    return as_json(uc.payments(workspace(request), name, min(max(limit, 1), 5000)))


@router.get("/savings", summary="Savings range of joint procurement at given discounts (per cent)")
def savings(request: Request, central: Decimal, low: Decimal | None = None, high: Decimal | None = None,
            year: str | None = None, min_partners: int = 2, start_year: int | None = None, format: str = "json",
            who: Caller = Depends(results_reader)) -> Response:
    discounts = uc.Discounts(low if low is not None else central, central, high if high is not None else central)
    result = uc.savings(workspace(request), discounts, _years([year] if year else None), start_year, min_partners)
    if format == "json":
        return as_json(result)
    return table_response(result["register_rows"], format, "joint-procurement-savings")


@router.get("/overrides", summary="Every link and split: who, when, why")
def overrides(request: Request, who: Caller = Depends(role_in(*STAFF))) -> Response:
    return as_json(uc.overrides(workspace(request)))


def _override(request: Request, action: str, body: Override, who: Caller) -> Response:
    ws = workspace(request)
    result = uc.override(ws, action, body.left, body.right, body.reason, who.user.username if who.user else None)
    accounts.audit(ws, who.user, f"suppliers.{action}", f"{result['left']} / {result['right']}", body.reason)
    return as_json(result)


@router.post("/link", summary="Record that two names are one supplier")
def link(request: Request, body: Override, who: Caller = Depends(role_in(*STAFF))) -> Response:
    return _override(request, "link", body, who)


@router.post("/split", summary="Record that two names are different suppliers")
def split(request: Request, body: Override, who: Caller = Depends(role_in(*STAFF))) -> Response:
    return _override(request, "split", body, who)


@pages.get("/suppliers")
def suppliers_page(request: Request, year: str | None = None, min_partners: int = 2,
                   who: Caller = Depends(results_reader)) -> Response:
    ws = workspace(request)
    try:
        result = uc.shared(ws, _years([year] if year else None), min_partners)
        problem = None
    except PlacespendError as exc:
        result, problem = None, str(exc)
    return templates.TemplateResponse(request, "suppliers.html", {
        "who": who, "result": result, "problem": problem, "year": year, "min_partners": min_partners,
        "rows": PAGE_ROWS})
