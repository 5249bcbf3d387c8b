"""Pages for people: sign in, the places, a place's picture, the lines behind a figure, administration."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from placespend.app import accounts, place_view, places_map, totp
from placespend.domain import classifications as cls
from placespend.domain.problems import PlacespendError
from placespend.domain.vocabulary import body_type_name
from placespend.report import charts
from placespend.report.template import write_template
from placespend.web.security import (
    SESSION_COOKIE,
    Caller,
    caller,
    cookie_name,
    results_reader,
    role_in,
    session_token,
    workspace,
)
from placespend.web.templating import render, templates

router = APIRouter(include_in_schema=False)
SECOND_STEP_COOKIE = "placespend_sign_in"  # the ticket of a sign-in waiting for its code; never a session
LINE_VIEWERS = ("admin", "analyst", "partner")


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/places", status_code=303)


@router.get("/login")
def login_page(request: Request, next: str = "/places") -> Response:
    return render(request, "login.html", None, next=next, error=None)


@router.post("/login")
async def login(request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()],
                next: Annotated[str, Form()] = "/places") -> Response:
    """On the app's own small pool of sign-in threads (`web.app.SIGN_IN_THREADS`): a password check costs
    argon2's deliberate CPU time (SECURITY.md V2.4), and a crowd signing in at once on the shared request
    threads left none for the pages of those already in."""
    return await asyncio.get_running_loop().run_in_executor(
        request.app.state.sign_ins, _sign_in, request, username, password, next)


def _sign_in(request: Request, username: str, password: str, next: str) -> Response:
    ws, throttle = workspace(request), request.app.state.throttle
    keys = _throttle_keys(request, username)
    if throttle.blocked(*keys):
        accounts.audit(ws, None, "login.throttled", username)
        return render(request, "login.html", None, status_code=429, next=next, error=TOO_MANY)
    user = accounts.authenticate(ws, username, password)
    if user is None:
        throttle.failed(*keys)
        accounts.audit(ws, None, "login.failed", username)
        return render(request, "login.html", None, status_code=401, next=next, error="Wrong username or password.")
    if totp.enrolled(ws, user):  # the password alone opens nothing: a code is asked for (ASVS 2.8, 4.3.1)
        response = render(request, "login_code.html", None, next=_safe(next), error=None)
        response.set_cookie(cookie_name(request, SECOND_STEP_COOKIE), request.app.state.pending.start(user),
                            httponly=True, samesite="strict", secure=request.app.state.secure_cookies, max_age=300)
        return response
    throttle.succeeded(*keys)
    return _signed_in(request, user, next)


@router.post("/login/code")
def login_code(request: Request, code: Annotated[str, Form()], next: Annotated[str, Form()] = "/places") -> Response:
    """The second step: the code from the user's authenticator app, throttled with the password's failures
    (a right password does not clear them until the code is right too), each code accepted once."""
    ws, pending = workspace(request), request.app.state.pending
    ticket = request.cookies.get(cookie_name(request, SECOND_STEP_COOKIE), "")
    user_id = pending.user_id(ticket)
    user = accounts.user_with_id(ws, user_id) if user_id is not None else None
    if user is None:
        response = render(request, "login.html", None, status_code=401, next=_safe(next),
                          error="Your sign-in took too long. Type your password again.")
        _drop_cookie(request, response, SECOND_STEP_COOKIE)
        return response
    throttle, keys = request.app.state.throttle, _throttle_keys(request, user.username)
    if throttle.blocked(*keys):
        pending.finish(ticket)
        accounts.audit(ws, None, "login.throttled", user.username)
        return render(request, "login.html", None, status_code=429, next=_safe(next), error=TOO_MANY)
    if not totp.check_code(ws, user, code):
        throttle.failed(*keys)
        accounts.audit(ws, user, "mfa.failed", user.username, "sign-in code wrong or used already")
        return render(request, "login_code.html", None, status_code=401, next=_safe(next),
                      error="That code is not right, or was used already. Wait for the next code and try it.")
    pending.finish(ticket)
    throttle.succeeded(*keys)
    response = _signed_in(request, user, next, detail="with a code")
    _drop_cookie(request, response, SECOND_STEP_COOKIE)
    return response


TOO_MANY = "Too many failed sign-ins. Wait five minutes and try again."


def _throttle_keys(request: Request, username: str) -> tuple[str, str]:
    return f"user:{username.lower()}", f"ip:{request.client.host if request.client else '?'}"


def _safe(next: str) -> str:
    return next if next.startswith("/") and not next.startswith("//") else "/places"


def _signed_in(request: Request, user: accounts.User, next: str, detail: str | None = None) -> Response:
    ws = workspace(request)
    token, _ = accounts.start_session(ws, user)
    accounts.audit(ws, user, "login", None, detail)
    response = RedirectResponse(_safe(next), status_code=303)
    response.set_cookie(cookie_name(request, SESSION_COOKIE), token, httponly=True, samesite="lax",
                        secure=request.app.state.secure_cookies, max_age=accounts.SESSION_HOURS * 3600)
    return response


@router.post("/logout")
def logout(request: Request, who: Caller = Depends(role_in(*accounts.ROLES))) -> Response:
    token = session_token(request)
    if token:
        accounts.end_session(workspace(request), token)
    accounts.audit(workspace(request), who.user, "logout")
    response = RedirectResponse("/login", status_code=303)
    _drop_cookie(request, response, SESSION_COOKIE)
    return response


def _drop_cookie(request: Request, response: Response, name: str) -> None:
    """Tell the browser to forget a cookie (a `__Host-` one is only forgotten by a Secure instruction)."""
    response.delete_cookie(cookie_name(request, name), secure=request.app.state.secure_cookies, httponly=True)


@router.get("/places")
def places(request: Request, year: str | None = None, measure: str | None = None,
           who: Caller = Depends(results_reader)) -> Response:
    """The places, with a map of a year's counts above the list (each place by its spending per head, or its
    total) when district boundaries are imported."""
    ws = workspace(request)
    if measure is not None and measure not in places_map.MEASURES:
        raise HTTPException(400, f"Colour the map by {' or '.join(places_map.MEASURES)}, not '{measure}'.")
    years = places_map.years(ws)
    asked = place_view.checked(ws, year=year or (years[-1] if years else None))
    shown = places_map.places_map(ws, asked.period, measure) if asked.period else None
    return render(request, "places.html", who, places=place_view.places(ws), years=years, year=asked.period,
                  shown=shown, measures=places_map.MEASURES, notes=asked.notes)


@router.get("/places/{place}")
def place(request: Request, place: str, year: str | None = None, who: Caller = Depends(results_reader)) -> Response:
    ws = workspace(request)
    with place_view.one_version(ws):   # the whole page from one version, never half before a write and half after
        asked = place_view.checked(ws, place=place, year=year)
        code, periods = asked.place, place_view.periods_of(ws, asked.place)
        title = place_view.display_name(ws, code)
        updating = place_view.being_updated(ws)
        if not periods:  # nothing counted yet: the estimate and the published figures, never a blank page
            return render(request, "place_empty.html", who, place=code, title=title, notes=asked.notes,
                          view=place_view.without_lines(ws, code, asked.period), updating=updating)
        shown = asked.period or periods[-1]
        can_see_lines = who.role in LINE_VIEWERS
        html = place_view.cached(ws, ("place-body", code, year, can_see_lines, tuple(periods)),
                                 lambda: _place_body(ws, place, year, can_see_lines),
                                 place=(code, shown), refresh=True)
    return render(request, "place.html", who, body=html, place=code, year=shown, title=title, updating=updating)


def _place_body(ws, given: str, year: str | None, can_see_lines: bool) -> str:
    """The place page's body for what was asked (`given` place, `year` or the latest), all read from the
    workspace, so that a server can recompute it after a write (place_view.refresh_after_write)."""
    asked = place_view.checked(ws, place=given, year=year)
    place, periods = asked.place, place_view.periods_of(ws, asked.place)
    shown = asked.period or periods[-1]
    view = place_view.overview(ws, place, shown)  # type: ignore[arg-type]
    names = cls.cofog_divisions()
    return templates.get_template("place_body.html").render(
        view=view, count=view["count"], figures=_figures(ws, view, names), periods=periods, year=shown, place=place,
        estimate=view["estimate"], names=names, can_see_lines=can_see_lines, notes=asked.notes)


@router.get("/places/{place}/others")
def other_places(request: Request, place: str, year: str, who: Caller = Depends(results_reader)) -> Response:
    """The table of every place, loaded after the page (htmx): it changes with any place's returns, so it is
    kept out of the place's own cached page."""
    ws = workspace(request)
    with place_view.one_version(ws):
        asked = place_view.checked(ws, place=place, year=year)
        code, period = asked.place, asked.period
        html = place_view.cached(ws, ("others-html", code, period), lambda: templates.get_template(
            "place_others.html").render(others=place_view.others(ws, period), place=code, year=period),  # type: ignore[arg-type]
            refresh=True, results=True)
    return Response(html, media_type="text/html")


def _figures(ws, view: dict, names: dict[str, str]) -> str:
    """All charts of the page as one JSON document, safe to embed in a <script> element."""
    import json

    return json.dumps({name: json.loads(figure) for name, figure in _figure_json(ws, view, names).items()}).replace(
        "</", "<\\/")


def _figure_json(ws, view: dict, names: dict[str, str]) -> dict[str, str]:
    count = view["count"]
    figures = {
        "cofog": charts.to_json(charts.cofog_bars(view["cofog"], "Spending by COFOG function")),
        "bodies": charts.to_json(charts.shares_donut(count["by_spender_type"], "Who spends it (body type)",
                                                      body_type_name)),
        "method": charts.to_json(charts.shares_donut(count["by_method"], "How each pound is known")),
        "sankey": charts.to_json(charts.sankey(view["sankey"], names, "Funding flows: origin → spender → function")),
        "local-control": charts.to_json(charts.local_control_stack([(view["name"], view["local_control"]["bands"])],
                                                                   "Who decides how the money is spent")),
        "concentration": charts.to_json(charts.cumulative_share_curves(
            [(view["name"], view["concentration"]["ranking"])], "Cumulative share of the count, largest bodies first")),
    }
    wards = view["wards"]
    if wards:
        latest = max(w["vintage"] for w in wards)
        shown = [w for w in wards if w["vintage"] == latest]
        shapes = place_view.ward_boundaries(ws, [w["area"] for w in shown])
        if shapes:
            figures["wards"] = charts.to_json(charts.ward_map(shown, shapes, f"Spending by ward ({latest} wards)"))
    estimate = view["estimate"]
    if estimate and "by_cofog" in estimate:
        figures["compare"] = charts.to_json(charts.compare_bars(estimate["by_cofog"], count["by_cofog"], names,
                                                                "Centre-out estimate vs locally-led count"))
    return figures


@router.get("/places/{place}/lines")
def lines(request: Request, place: str, year: str, cofog: str | None = None, body_type: str | None = None,
          status: str | None = None, page: int | None = None,
          who: Caller = Depends(role_in(*LINE_VIEWERS))) -> Response:
    ws = workspace(request)
    asked = place_view.checked(ws, place=place, year=year, cofog=cofog, body_type=body_type, status=status)
    shown = place_view.lines_page(ws, asked, who.user.organisation if who.role == "partner" else None, page)
    return render(request, "lines.html", who, rows=shown.rows, page=shown.page, place=asked.place, year=asked.period,
                  cofog=asked.cofog, body_type=asked.body_type, status=asked.status, total=shown.counted,
                  notes=asked.notes)


@router.get("/template.xlsx")
def template(request: Request, who: Caller = Depends(role_in(*accounts.ROLES))) -> FileResponse:
    folder = Path(tempfile.mkdtemp(prefix="placespend-template-"))
    path = write_template(folder / "placespend-return.xlsx")
    return FileResponse(path, filename="placespend-return.xlsx",
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@router.get("/admin/users")
def users(request: Request, who: Caller = Depends(role_in("admin"))) -> Response:
    return render(request, "users.html", who, users=accounts.all_users(workspace(request)), roles=accounts.ROLES,
                  error=None)


@router.post("/admin/users")
def add_user(request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()],
             role: Annotated[str, Form()], organisation: Annotated[str, Form()] = "",
             who: Caller = Depends(role_in("admin"))) -> Response:
    ws = workspace(request)
    try:
        accounts.add_user(ws, username.strip(), password, role, organisation.strip() or None)
    except PlacespendError as exc:
        return render(request, "users.html", who, users=accounts.all_users(ws), roles=accounts.ROLES,
                      error=str(exc))
    accounts.audit(ws, who.user, "user.add", username)
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/audit")
def audit(request: Request, who: Caller = Depends(role_in("admin"))) -> Response:
    return render(request, "audit.html", who, entries=accounts.audit_entries(workspace(request)))


@router.get("/whoami")
def whoami(request: Request, who: Caller = Depends(caller)) -> Response:
    return render(request, "error.html", who, status=200, message=f"Signed in as {who.user.username}"
                  if who.user else "Not signed in")
