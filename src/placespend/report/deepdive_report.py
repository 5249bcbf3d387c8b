"""The deep-dive report a programme board reads, as HTML (Jinja2, inline SVG, no scripts) and PDF (ReportLab).

Both render the same JSON-ready dict (`Dossier.to_dict()`), so the two formats cannot disagree; each table cites
the input row behind it and the appendix lists every input file with its SHA-256 and the method's conventions.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from placespend.deepdive.dossier import METHOD, Dossier
from placespend.report.money import pounds, short_pounds

TEMPLATES = Path(__file__).parent / "templates" / "deepdive"
SATISFACTION_COLOURS = ("#c00000", "#c55a11", "#bf9000", "#70ad47", "#548235")


def pct(value: Any) -> str:
    return "-" if value is None else f"{Decimal(value) * 100:.1f}%"


def num(value: Any, places: int = 2) -> str:
    return "-" if value is None else f"{Decimal(value):,.{places}f}"


def money(value: Any) -> str:
    """GBP with pence; negatives as -£1.00 (a net loss reads better than £-1.00)."""
    if value is None:
        return "-"
    return f"-{pounds(-Decimal(value))}" if Decimal(value) < 0 else pounds(value)


def headline(data: dict[str, Any]) -> list[str]:
    """The few sentences a board reads first; every figure is one shown in a section below."""
    lines = []
    theme = data.get("theme")
    for t in (theme or {}).get("themes", []):
        if not data.get("theme_name") or t["theme"] == data["theme_name"].lower():
            lines.append(f"The {t['theme']} theme: {short_pounds(t['total'])} of counted spend "
                         f"({pct(t['share_of_place'])} of the place) across {t['agencies']} agencies and "
                         f"{t['cofog_divisions']} COFOG divisions.")
    for j in data["journeys"]:
        lines.append(f"{j['journey']}: {pounds(j['total'])} across {j['agencies']} agencies; repeated contacts "
                     f"{pounds(j['repeat_cost'])}.")
    if (c := data.get("cohorts")) and all(s["ratio_to_baseline"].is_finite() for s in c["segments"]):
        top = max(c["segments"], key=lambda s: s["ratio_to_baseline"])
        lines.append(f"{top['segment']} costs {num(top['ratio_to_baseline'], 1)} times {c['baseline']} "
                     f"({pounds(top['unit_cost'])} v {pounds(min(s['unit_cost'] for s in c['segments']))}).")
    if s := data.get("savings"):
        t = s["total"]
        lines.append(f"Savings {s['years'][0]} to {s['years'][-1]}: central {short_pounds(t['central'])}, "
                     f"P10 {short_pounds(t['p10'])} to P90 {short_pounds(t['p90'])}.")
    if c := data.get("cba"):
        lines.append(f"CBA: NPV {short_pounds(c['npv'])}, BCR {num(c['bcr'])}, payback year "
                     f"{c['payback_year'] if c['payback_year'] is not None else 'never'}.")
    return lines


def _stage_widths(stages: list[dict[str, Any]], usable: float, least: float = 70.0) -> list[float]:
    """Box widths proportional to cost, at least `least` each, scaled down to fit `usable`."""
    total = sum((s["cost"] for s in stages), Decimal(0)) or Decimal(1)
    raw = [max(least, float(s["cost"] / total) * usable) for s in stages]
    scale = min(1.0, usable / sum(raw)) if raw else 1.0
    return [w * scale for w in raw]


def timeline_svg(journey: dict[str, Any], width: int = 900) -> str:
    """Stages left to right, box width by cost, colour by mean satisfaction (red 1 to green 5)."""
    stages = journey["stages"]
    x, parts = 5.0, []
    for stage, w in zip(stages, _stage_widths(stages, width - 10.0 * len(stages)), strict=True):
        colour = _satisfaction_colour(stage["satisfaction"])
        label = f"{stage['satisfaction']:.1f}/5" if stage["satisfaction"] is not None else "no score"
        parts.append(f'<rect x="{x:.1f}" y="20" width="{w:.1f}" height="46" rx="6" fill="{colour}"/>'
                     f'<text x="{x + 5:.1f}" y="14" font-size="12">{Markup.escape(_fit(stage["stage"], w))}</text>'
                     f'<text x="{x + 5:.1f}" y="40" font-size="12" fill="white">{short_pounds(stage["cost"])}</text>'
                     f'<text x="{x + 5:.1f}" y="58" font-size="11" fill="white">{label}</text>')
        x += w + 10
    return (f'<svg role="img" aria-label="Journey timeline" width="{width}" height="75" '
            f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">{"".join(parts)}</svg>')


def _fit(label: str, width: float, char_width: float = 6.5) -> str:
    """Shorten a label to the width of its box so neighbouring stage names never overlap."""
    room = max(3, int(width / char_width))
    return label if len(label) <= room else label[: room - 1] + "…"


def _satisfaction_colour(score: Decimal | None) -> str:
    if score is None:
        return "#7f7f7f"
    return SATISFACTION_COLOURS[max(0, min(4, round(float(score)) - 1))]


def savings_svg(savings: dict[str, Any], width: int = 900, height: int = 220) -> str:
    """Central saving per year as bars, P10-P90 as whiskers, the naive sum of lows and highs as grey ticks."""
    rows = savings["by_year"]
    top = max([float(r["all_at_best"]) for r in rows] + [1.0])
    step = (width - 40) / max(len(rows), 1)
    parts = []
    for index, r in enumerate(rows):
        def y(value: Any) -> float:
            return height - 30 - float(value) / top * (height - 50)

        x = 30 + index * step
        parts.append(f'<rect x="{x + step * 0.2:.1f}" y="{y(r["central"]):.1f}" width="{step * 0.6:.1f}" '
                     f'height="{height - 30 - y(r["central"]):.1f}" fill="#9dc3e6"/>'
                     f'<line x1="{x + step / 2:.1f}" x2="{x + step / 2:.1f}" y1="{y(r["p10"]):.1f}" '
                     f'y2="{y(r["p90"]):.1f}" stroke="#1f4e79" stroke-width="3"/>'
                     f'<line x1="{x + step * 0.3:.1f}" x2="{x + step * 0.7:.1f}" y1="{y(r["all_at_worst"]):.1f}" '
                     f'y2="{y(r["all_at_worst"]):.1f}" stroke="#7f7f7f" stroke-dasharray="4 2"/>'
                     f'<line x1="{x + step * 0.3:.1f}" x2="{x + step * 0.7:.1f}" y1="{y(r["all_at_best"]):.1f}" '
                     f'y2="{y(r["all_at_best"]):.1f}" stroke="#7f7f7f" stroke-dasharray="4 2"/>'
                     f'<text x="{x + step * 0.2:.1f}" y="{height - 12}" font-size="12">{r["year"]}</text>'
                     f'<text x="{x + step * 0.2:.1f}" y="{y(r["central"]) - 4:.1f}" font-size="11">'
                     f'{short_pounds(r["central"])}</text>')
    return (f'<svg role="img" aria-label="Savings by year with P10-P90" width="{width}" height="{height}" '
            f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">{"".join(parts)}</svg>'
            '<p class="src">Bars: central; dark whiskers: P10-P90; dashed grey: sum of lows and sum of highs.</p>')


RATIO_KEYS = frozenset({"bcr", "roi", "discount_factor", "discount_rate", "optimism_bias", "deadweight",
                        "share_of_place", "share_of_cost", "share_of_count", "ratio_to_baseline", "published_ratio",
                        "probability_npv_positive", "uprating_factor", "satisfaction", "profile", "payback_year"})
PENNY, RATIO = Decimal("0.01"), Decimal("0.000001")
# Columns left out of terminal tables (they stay in JSON, HTML and PDF): long text and per-kind splits.
LONG_TEXT = frozenset({"source", "notes", "note", "evidence", "cost_source", "description", "tagged_by", "service",
                       "staff_time", "travel"})


def for_output(value: Any, ratio: bool = False) -> Any:
    """Money to pennies and ratios to 6 places, only now, at output (JSON and tables)."""
    if isinstance(value, dict):
        return {k: for_output(v, ratio or k in RATIO_KEYS) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [for_output(v, ratio) for v in value]
    if isinstance(value, Decimal):
        return value.quantize(RATIO if ratio else PENNY) if value.is_finite() else None
    return value


def terminal(data: dict[str, Any], title: str) -> Any:
    """A readable terminal view of any part's dict: scalars as lines, lists of rows and flat dicts as tables."""
    from rich.console import Group
    from rich.table import Table

    lines, tables = [f"[bold]{title}[/]"], []
    for key, value in for_output(data).items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            columns = [k for k in value[0] if not isinstance(value[0][k], dict | list) and k not in LONG_TEXT]
            table = Table(title=key.replace("_", " "))
            for column in columns:
                table.add_column(column.replace("_", " "))
            for row in value:
                table.add_row(*(_cell(row.get(c), c) for c in columns))
            tables.append(table)
        elif isinstance(value, dict) and value and all(not isinstance(v, dict | list) for v in value.values()):
            table = Table(title=key.replace("_", " "))
            table.add_column("")
            table.add_column("value", justify="right")
            for k, v in value.items():
                table.add_row(str(k), _cell(v, k if k in RATIO_KEYS else key))
            tables.append(table)
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            lines += [f"[yellow]{key}[/]: {v}" for v in value]
        elif key == "problems" and isinstance(value, dict):
            lines += [f"[yellow]warning[/] row {w['row']}: {w['message']}" for w in value.get("warnings", [])]
        elif not isinstance(value, dict | list):
            lines.append(f"{key.replace('_', ' ')}: {_cell(value, key)}")
    return Group(*lines, *tables)


def _cell(value: Any, key: str) -> str:
    if isinstance(value, Decimal):
        if key in ("count", "count_after", "number"):
            return num(value, 0)
        return num(value, 4) if key in RATIO_KEYS else money(value)
    return "-" if value is None else str(value)


def render_html(dossier: Dossier) -> str:
    data = dossier.to_dict()
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters.update(pounds=money, pct=pct, num=num)
    cba = data.get("cba") or {}
    beneficiaries = sorted({b for row in cba.get("who_invests_who_benefits", {}).values() for b in row})
    return env.get_template("report.html").render(
        d=data, headline=headline(data), method=METHOD, beneficiaries=beneficiaries,
        timelines=[timeline_svg(j) for j in data["journeys"]],
        savings_chart=savings_svg(data["savings"]) if data.get("savings") else "",
    )


def write_html(dossier: Dossier, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(dossier), encoding="utf-8")
    return path


def write_pdf(dossier: Dossier, path: Path) -> Path:
    """The same report as a PDF (A4 landscape) with ReportLab: headline, sections, charts, appendix."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    data = dossier.to_dict()
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=data["title"], author="placespend")
    doc.build(DossierPdf(doc.width).story(data))
    return path


class DossierPdf:
    """Builds the PDF story section by section from the report dict; the board report reuses its building blocks
    (paragraphs, tables, drawings, the savings ranges chart)."""

    def __init__(self, width: float) -> None:
        from reportlab.lib.styles import getSampleStyleSheet

        self.width = width
        self.styles = getSampleStyleSheet()
        self.flow: list[Any] = []

    def para(self, text: str, style: str = "BodyText") -> None:
        from reportlab.platypus import Paragraph

        self.flow.append(Paragraph(str(Markup.escape(text)), self.styles[style]))

    def table(self, header: list[str], rows: list[list[Any]], right: frozenset[int] = frozenset(),
              widths: list[float] | None = None) -> None:
        """A table of text cells that wrap; columns in `right` (numbers) are right-aligned; `widths` are shares
        of the page's width (equal by default)."""
        from reportlab.lib import colors
        from reportlab.lib.enums import TA_RIGHT
        from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

        small = self.styles["BodyText"].clone("small", fontSize=7.5, leading=9)
        number = small.clone("number", alignment=TA_RIGHT)
        cells = [[Paragraph(str(Markup.escape(str(c))), number if i in right else small) for i, c in enumerate(row)]
                 for row in [header, *rows]]
        shares = widths or [1 / len(header)] * len(header)
        table = Table(cells, repeatRows=1, colWidths=[self.width * share for share in shares], hAlign="LEFT")
        table.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef4fa")),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#d0d7de")), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        self.flow += [table, Spacer(1, 6)]

    def drawing(self, drawing: Any) -> None:
        self.flow.append(drawing)

    def story(self, d: dict[str, Any]) -> list[Any]:
        self.para(d["title"], "Title")
        self.para(f"{d['place'] or ''} {d['period'] or ''} · every figure cites its input file and row (appendix).")
        for line in headline(d):
            self.para(f"• {line}")
        for section in (self._theme, self._journeys, self._cohorts, self._savings, self._cba, self._appendix):
            section(d)
        return self.flow

    def _theme(self, d: dict[str, Any]) -> None:
        if not d.get("theme"):
            return
        t = d["theme"]
        self.para("Theme spend", "Heading2")
        self.para(f"Counted spend of the place {pounds(t['place_total'])}; in any theme {pounds(t['tagged_total'])}. "
                  f"{t['note']}")
        self.table(["Theme", "Total", "Share", "Lines", "Divisions", "Agencies", "Projects", "Providers",
                    "Funding streams", "Access points"],
                   [[x["theme"], money(x["total"]), pct(x["share_of_place"]), x["lines"], x["cofog_divisions"],
                     x["agencies"], *x["inventory_counts"].values()] for x in t["themes"]])
        for x in t["themes"]:
            if d.get("theme_name") and x["theme"] != d["theme_name"].lower():
                continue
            self.table([f"{x['theme']}: COFOG division", "GBP"], [[k, money(v)] for k, v in x["by_cofog"].items()])
            self.table([f"{x['theme']}: agency", "GBP"], [[k, money(v)] for k, v in x["by_agency"].items()])

    def _journeys(self, d: dict[str, Any]) -> None:
        for j in d["journeys"]:
            self.para(f"Journey: {j['journey']}", "Heading2")
            self.para(f"Total {pounds(j['total'])} over {j['contacts']} contacts with {j['agencies']} agencies; "
                      f"repeated contacts {pounds(j['repeat_cost'])}; stops marked avoidable "
                      f"{pounds(j['avoidable_cost'])} (these overlap).")
            self.drawing(self._timeline(j))
            self.table(["Stage", "Cost", "Stops", "Agencies", "Satisfaction (1-5)"],
                       [[s["stage"], money(s["cost"]), s["stops"], ", ".join(s["agencies"]), num(s["satisfaction"], 1)]
                        for s in j["stages"]])
            self.table(["Step", "Stage", "Agency", "Activity", "Unit cost", "x", "Total", "Flags", "Source"],
                       [[s["step"], s["stage"], s["agency"], s["activity"], money(s["unit_cost"]), s["repeats"],
                         money(s["total"]), " ".join(f for f in ("repeated" if s["repeated"] else "",
                                                                  "avoidable" if s["avoidable"] else "") if f),
                         f"row {s['row']}; {s['cost_source']}"] for s in j["stops"]])

    def _timeline(self, journey: dict[str, Any]) -> Any:
        from reportlab.graphics.shapes import Drawing, Rect, String
        from reportlab.lib import colors

        stages = journey["stages"]
        drawing, x = Drawing(self.width, 70), 0.0
        for stage, w in zip(stages, _stage_widths(stages, self.width - 8.0 * len(stages), 60.0), strict=True):
            drawing.add(Rect(x, 8, w, 40, rx=5, fillColor=colors.HexColor(_satisfaction_colour(stage["satisfaction"])),
                             strokeColor=None))
            drawing.add(String(x + 3, 54, _fit(stage["stage"], w, 4.5), fontSize=8))
            drawing.add(String(x + 3, 30, short_pounds(stage["cost"]), fontSize=9, fillColor=colors.white))
            drawing.add(String(x + 3, 15, f"{num(stage['satisfaction'], 1)}/5", fontSize=8, fillColor=colors.white))
            x += w + 8
        return drawing

    def _cohorts(self, d: dict[str, Any]) -> None:
        if not (c := d.get("cohorts")):
            return
        self.para("Segments and cohorts", "Heading2")
        self.table(["Segment", "Unit cost", "Unit", "Number", "Cohort cost", f"x {c['baseline']}", "Published",
                    "After moves", "Source"],
                   [[s["segment"], money(s["unit_cost"]), s["unit"], num(s["count"], 0), money(s["cost"]),
                     num(s["ratio_to_baseline"]), num(s["published_ratio"], 0), num(s["count_after"], 0),
                     f"row {s['row']}; {s['source']}"] for s in c["segments"]])
        for m in c["moves"]:
            self.para(f"What-if: {num(m['number'], 0)} from {m['from']} to {m['to']} saves {pounds(m['saving'])}.")

    def _savings(self, d: dict[str, Any]) -> None:
        if not (s := d.get("savings")):
            return
        t = s["total"]
        self.para("Savings register", "Heading2")
        self.para(f"{s['years'][0]} to {s['years'][-1]}: central {pounds(t['central'])}; P10 {pounds(t['p10'])}, "
                  f"P50 {pounds(t['p50'])}, P90 {pounds(t['p90'])}. Sum of lows {pounds(t['all_at_worst'])} and of "
                  f"highs {pounds(t['all_at_best'])} assume every estimate at its extreme at once.")
        self.drawing(self.ranges(s["by_year"]))
        self.table(["Id", "Saving", "Agency", "Low", "Central", "High", "From", "Status", "Basis", "Over horizon",
                    "Evidence"],
                   [[e["id"], e["description"], e["agency"], money(e["low"]), money(e["central"]), money(e["high"]),
                     e["start_year"], e["status"], e["basis"], money(e["over_horizon"]),
                     f"row {e['row']}; {e['evidence']}"] for e in s["entries"]])
        for warning in s["warnings"]:
            self.para(f"Warning: {warning}")

    def ranges(self, rows: list[dict[str, Any]]) -> Any:
        from reportlab.graphics.shapes import Drawing, Line, Rect, String
        from reportlab.lib import colors

        height, top = 150.0, max([float(r["all_at_best"]) for r in rows] + [1.0])
        drawing, step = Drawing(self.width, height), self.width / max(len(rows), 1)

        def y(value: Any) -> float:
            return 18 + float(value) / top * (height - 30)

        for index, r in enumerate(rows):
            x = index * step
            drawing.add(Rect(x + step * 0.2, 18, step * 0.6, y(r["central"]) - 18, fillColor=colors.HexColor("#9dc3e6"),
                             strokeColor=None))
            drawing.add(Line(x + step / 2, y(r["p10"]), x + step / 2, y(r["p90"]), strokeWidth=3,
                             strokeColor=colors.HexColor("#1f4e79")))
            for key in ("all_at_worst", "all_at_best"):
                drawing.add(Line(x + step * 0.3, y(r[key]), x + step * 0.7, y(r[key]), strokeColor=colors.grey,
                                 strokeDashArray=[3, 2]))
            drawing.add(String(x + step * 0.2, 4, f"{r['year']}: {short_pounds(r['central'])}", fontSize=8))
        return drawing

    def _cba(self, d: dict[str, Any]) -> None:
        if not (c := d.get("cba")):
            return
        n = c["net_contribution"]
        self.para("Cost-benefit analysis", "Heading2")
        self.para(f"Discount rate {pct(c['discount_rate'])}, optimism bias {pct(c['optimism_bias'])}, deadweight "
                  f"{pct(c['deadweight'])}. NPV {pounds(c['npv'])}; BCR {num(c['bcr'])} (undiscounted "
                  f"{num(c['undiscounted']['bcr'])}); ROI {pct(c['roi'])}; payback year "
                  f"{c['payback_year'] if c['payback_year'] is not None else 'never'}. A - (B + C) = Y: "
                  f"{pounds(n['A'])} - ({pounds(n['B'])} + {pounds(n['C'])}) = {pounds(n['Y'])}.")
        if m := c.get("monte_carlo"):
            self.para(f"Monte Carlo ({m['draws']} draws, seed {m['seed']}, {m['distribution']}): NPV P10 "
                      f"{pounds(m['npv']['p10'])}, P50 {pounds(m['npv']['p50'])}, P90 {pounds(m['npv']['p90'])}; "
                      f"probability NPV > 0 {pct(m['probability_npv_positive'])}; all at worst "
                      f"{pounds(m['npv']['all_at_worst'])}, all at best {pounds(m['npv']['all_at_best'])}.")
        self.table(["Agency", "Invests (PV)", "Benefits (PV)", "Net (PV)", "Balancing transfer"],
                   [[a["agency"], money(a["pv_investment"]), money(a["pv_benefit"]), money(a["npv"]),
                     money(c["balancing_transfers"].get(a["agency"]))] for a in c["agencies"]])
        matrix = c["who_invests_who_benefits"]
        beneficiaries = sorted({b for row in matrix.values() for b in row})
        self.table(["Investor / beneficiary", *beneficiaries],
                   [[i, *(money(row.get(b)) for b in beneficiaries)] for i, row in matrix.items()])
        self.table(["Year", "Factor", "Investment", "Benefit", "PV investment", "PV benefit", "Cum. PV inv.",
                    "Cum. PV benefit"],
                   [[y["year"], num(y["discount_factor"], 4), money(y["investment"]), money(y["benefit"]),
                     money(y["pv_investment"]), money(y["pv_benefit"]), money(y["cumulative_pv_investment"]),
                     money(y["cumulative_pv_benefit"])] for y in c["years"]])
        for warning in c["warnings"]:
            self.para(f"Warning: {warning}")

    def _appendix(self, d: dict[str, Any]) -> None:
        self.para("Appendix: inputs and method", "Heading2")
        self.table(["Input", "File", "Rows", "SHA-256"], [[f["kind"], f["file"], f["rows"], f["sha256"]]
                                                         for f in d["inputs"]])
        for note in METHOD:
            self.para(f"• {note}")
        for problems in d["problems"]:
            for w in problems["warnings"]:
                self.para(f"{problems['file']} row {w['row']}: {w['message']}")
