"""The page templates and how a page is rendered: one Jinja environment, its money filters, shared by every
router and by the error pages, so no router needs the application module (which includes the routers)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from placespend import __version__
from placespend.domain.vocabulary import body_type_name
from placespend.report.deepdive_report import money, num, pct
from placespend.report.money import pounds, short_pounds
from placespend.web.security import Caller

WEB = Path(str(resources.files("placespend.web")))
templates = Jinja2Templates(directory=WEB / "templates")
templates.env.filters["gbp"] = pounds
templates.env.filters["gbp_short"] = short_pounds
templates.env.filters["money"] = money  # pounds with a leading minus (-£1.00), as a net loss reads
templates.env.filters["num"] = num
templates.env.filters["pct"] = pct
templates.env.filters["body_type"] = body_type_name
templates.env.globals["version"] = __version__


def render(request: Request, name: str, who: Caller | None, status_code: int = 200, **context: object) -> Response:
    return templates.TemplateResponse(request, name, {"who": who, **context}, status_code=status_code)
