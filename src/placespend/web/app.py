"""The FastAPI application: wiring, static files (htmx and plotly.js served locally), error pages."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
import plotly
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from placespend import __version__
from placespend.app import accounts, place_view
from placespend.app.accounts import LoginThrottle
from placespend.app.totp import PendingSignIns
from placespend.app.workflow import Forbidden, NotFound
from placespend.app.workspace import Workspace
from placespend.domain.problems import PlacespendError, UnknownCode
from placespend.web import (
    account_pages,
    analyses_pages,
    api,
    assets_api,
    assets_pages,
    bodies_pages,
    compare_pages,
    deepdives_api,
    deepdives_pages,
    imports_pages,
    insight_area_api,
    insight_pages,
    insight_people_api,
    insight_sharing_api,
    insight_spatial_api,
    local_cli_api,
    pages,
    report_pages,
    submissions_pages,
    suppliers_api,
)
from placespend.web.local_access import LocalCli
from placespend.web.no_store import NoStore
from placespend.web.security import LoginRequired
from placespend.web.templating import WEB, render

SIGN_IN_THREADS = max(1, (os.cpu_count() or 2) // 2)
"""Password checks at once (web.pages.login): argon2 uses the CPU by design, so more of them at a time only
share the cores more thinly while the pages of those already signed in wait for a core."""


def create_app(ws: Workspace, public: bool = False, secure_cookies: bool = False,
               local_cli: LocalCli | None = None, require_admin_mfa: bool = False) -> FastAPI:
    """One app per workspace; `public` adds a read-only view of published results without signing in;
    `local_cli` lets the command line on this machine run its commands here (web.local_cli_api);
    `require_admin_mfa` keeps the administrative pages from admins who have not set up sign-in codes."""
    ws.share()
    place_view.keep_fresh(ws)  # pages being read are recomputed as each write ends, before readers see it

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        # uvicorn runs this on SIGTERM and SIGINT (and then ends the process by the signal, so this is the
        # last word): the CLI stops sending commands here, the workspace is checkpointed, no .wal left.
        if local_cli is not None:
            local_cli.stop()
        ws.close()

    # Councils run offline: /docs is served from the package's own Swagger UI copy, never from a CDN.
    app = FastAPI(title="placespend", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="All public money spent in a place, counted once (the Total Place method).")
    app.state.workspace, app.state.public, app.state.secure_cookies = ws, public, secure_cookies
    app.state.throttle = LoginThrottle()
    app.state.sign_ins = ThreadPoolExecutor(SIGN_IN_THREADS, thread_name_prefix="sign-in")
    app.state.pending = PendingSignIns()
    app.state.local_cli = local_cli
    app.state.require_admin_mfa = require_admin_mfa
    app.add_middleware(NoStore)
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
    # fastapi-offline ships Swagger UI 5 (OpenAPI 3.1, which FastAPI writes); only its files are used here.
    app.mount("/static-vendor/swagger", StaticFiles(directory=Path(fastapi_offline.__file__).parent / "static"),
              name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="placespend API",
                                   swagger_js_url="/static-vendor/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/static-vendor/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/favicon.svg")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        return RedirectResponse("/static/favicon.svg", status_code=301)

    @app.get("/static-vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(Path(plotly.__file__).parent / "package_data" / "plotly.min.js",
                            media_type="application/javascript")

    app.include_router(pages.router)
    app.include_router(account_pages.router)
    app.include_router(compare_pages.router)
    app.include_router(analyses_pages.router)
    app.include_router(analyses_pages.api)
    app.include_router(bodies_pages.router)
    app.include_router(imports_pages.router)
    app.include_router(imports_pages.api)
    app.include_router(submissions_pages.router)
    app.include_router(report_pages.router)
    app.include_router(api.router)
    app.include_router(insight_area_api.router)
    app.include_router(insight_spatial_api.router)
    app.include_router(insight_people_api.router)
    app.include_router(insight_sharing_api.router)
    app.include_router(insight_pages.router)
    app.include_router(assets_pages.router)
    app.include_router(assets_api.router)
    app.include_router(suppliers_api.router)
    app.include_router(suppliers_api.pages)
    app.include_router(deepdives_pages.router)
    app.include_router(deepdives_api.router)
    app.include_router(local_cli_api.router)
    _errors(app)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _errors(app: FastAPI) -> None:
    def page(request: Request, status: int, message: str) -> Response:
        if status == 403:  # OWASP ASVS 4.0.3 V7.2.2: every refused access is in the audit log
            who = getattr(request.state, "caller", None)
            accounts.audit(request.app.state.workspace, who.user if who else None, "access.denied",
                           f"{request.method} {request.url.path}", message)
        if _wants_json(request):
            return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)
        return render(request, "error.html", None, status_code=status, status=status, message=message)

    @app.exception_handler(LoginRequired)
    def login_required(request: Request, _: LoginRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": {"status": 401, "message": "sign in or send a bearer token"}},
                                status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(Forbidden)
    def forbidden(request: Request, exc: Forbidden) -> Response:
        return page(request, 403, str(exc))

    @app.exception_handler(NotFound)
    def not_found(request: Request, exc: NotFound) -> Response:
        return page(request, 404, str(exc))

    @app.exception_handler(UnknownCode)
    def unknown_code(request: Request, exc: UnknownCode) -> Response:
        return page(request, 404, str(exc))

    @app.exception_handler(PlacespendError)
    def misuse(request: Request, exc: PlacespendError) -> Response:
        return page(request, 400, str(exc))

    @app.exception_handler(RequestValidationError)
    def bad_request(request: Request, exc: RequestValidationError) -> Response:
        """A missing or malformed parameter in the same envelope as every other error, not FastAPI's own."""
        problems = "; ".join(f"{e.get('msg', 'invalid')}: {'.'.join(str(p) for p in e.get('loc', ())[1:])}"
                             for e in exc.errors())
        return page(request, 422, problems)

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> Response:
        response = page(request, exc.status_code, str(exc.detail))
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response
