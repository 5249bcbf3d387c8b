"""The board report as HTML (Jinja2, inline SVG charts, no script, nothing fetched), and the one entry that
writes any format by the file's suffix: .html, .pdf (board_report_pdf), .xlsx (board_report_xlsx) or .json.

Every format renders the same sections (board_sections) of the same data, so they cannot disagree.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from placespend.domain.problems import PlacespendError
from placespend.report import board_report_pdf, board_report_xlsx
from placespend.report.board_charts import svg
from placespend.report.board_sections import sections
from placespend.report.money import to_json

TEMPLATES = Path(__file__).parent / "templates" / "board"
FORMATS = (".html", ".pdf", ".xlsx", ".json")


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def css() -> Markup:
    """The report's styles, for a page that embeds the report (the web app's /reports) and for the standalone file."""
    return Markup((TEMPLATES / "report.css").read_text(encoding="utf-8"))


def render_body(data: dict[str, Any], top: int = 1) -> Markup:
    """The report as an <article>, its title at heading level `top` (2 inside a page that has its own <h1>)."""
    found = sections(data)
    charts = [[svg(chart) for chart in section.charts] for section in found]
    return Markup(_env().get_template("body.html").render(d=data, sections=found, charts=charts, top=top))


def render_html(data: dict[str, Any]) -> str:
    return _env().get_template("report.html").render(d=data, body=render_body(data), css=css())


def format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise PlacespendError(f"Write the report to a .pdf, .xlsx, .html or .json file, not '{path.name}'.")
    return suffix


def write(data: dict[str, Any], path: Path) -> Path:
    """Write the report in the format its suffix names; an unknown suffix is refused before anything is written."""
    suffix = format_of(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".pdf":
        path.write_bytes(board_report_pdf.pdf_bytes(data))
    elif suffix == ".xlsx":
        path.write_bytes(board_report_xlsx.xlsx_bytes(data))
    elif suffix == ".json":
        path.write_text(to_json(data), encoding="utf-8")
    else:
        path.write_text(render_html(data), encoding="utf-8")
    return path
