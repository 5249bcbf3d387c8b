"""The board report's charts, laid out once and drawn twice: as inline SVG for HTML (no script, nothing fetched)
and as ReportLab drawings for the PDF, so both formats show the same picture of the same figures.

A chart is a small value (`Bars`, `Curve`, `Ranges`); `layout` turns it into shapes in SVG's coordinates (y
down), and each backend only translates shapes. The savings ranges chart is the deep-dive report's own
(`deepdive_report.savings_svg` and `DossierPdf.ranges`), reused as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from markupsafe import Markup

from placespend.report.deepdive_report import DossierPdf, savings_svg
from placespend.report.money import short_pounds

INK, MUTED, GRID = "#1b1b1b", "#57606a", "#d0d7de"
SERIES = ("#1f4e79", "#9dc3e6", "#c55a11")
Unit = Literal["money", "share"]


@dataclass(frozen=True)
class Bars:
    """Horizontal bars, one row per label, one bar per series in each row."""

    title: str
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[Decimal, ...]], ...]
    unit: Unit = "money"


@dataclass(frozen=True)
class Curve:
    """A cumulative share (0..1) over ranks 1..n: the Pareto curve of concentration."""

    title: str
    values: tuple[Decimal, ...]
    x_label: str
    y_label: str


@dataclass(frozen=True)
class Ranges:
    """Savings by year: central bars, P10-P90 whiskers, the sums of lows and highs as ticks."""

    title: str
    by_year: tuple[dict[str, Any], ...]


Chart = Bars | Curve | Ranges


@dataclass(frozen=True)
class Shape:
    kind: Literal["rect", "text", "line", "poly"]
    points: tuple[float, ...]            # rect: x, y, w, h; text: x, y; line: x1, y1, x2, y2; poly: x, y, ...
    colour: str = INK
    text: str = ""
    size: float = 12.0
    anchor: Literal["start", "middle", "end"] = "start"
    bold: bool = False
    dashed: bool = False
    stroke: float = 1.0


def label_of(value: Decimal, unit: Unit) -> str:
    return short_pounds(value) if unit == "money" else f"{value * 100:.1f}%"


def _fit(text: str, room: float, font: float) -> str:
    chars = max(4, int(room / (font * 0.52)))
    return text if len(text) <= chars else text[: chars - 1] + "…"


def layout(chart: Bars | Curve, width: float, font: float) -> tuple[float, list[Shape]]:
    return _bars(chart, width, font) if isinstance(chart, Bars) else _curve(chart, width, font)


def _bars(chart: Bars, width: float, font: float) -> tuple[float, list[Shape]]:
    shapes = [Shape("text", (0, font * 1.2), text=chart.title, size=font * 1.1, bold=True)]
    top = font * 2.0
    if len(chart.series) > 1:  # a legend: one swatch and name per series
        x = 0.0
        for index, (name, _) in enumerate(chart.series):
            shapes += [Shape("rect", (x, top, font, font * 0.8), SERIES[index]),
                       Shape("text", (x + font * 1.3, top + font * 0.8), text=name, size=font * 0.9)]
            x += font * 1.3 + len(name) * font * 0.55 + font * 1.5
        top += font * 1.6
    label_room, value_room = min(width * 0.36, font * 19), font * 5.5
    room = width - label_room - value_room
    largest = max([v for _, values in chart.series for v in values] + [Decimal(0)]) or Decimal(1)
    bar = font * 0.95
    row = bar * len(chart.series) + font * 0.6
    for index, label in enumerate(chart.labels):
        y = top + index * row
        shapes.append(Shape("text", (label_room - font * 0.4, y + row / 2 + font * 0.1),
                            text=_fit(label, label_room - font * 0.6, font), size=font * 0.9, anchor="end"))
        for number, (_, values) in enumerate(chart.series):
            value = values[index]
            length = max(0.0, float(value / largest) * room)
            y_bar = y + font * 0.3 + number * bar
            shapes += [Shape("rect", (label_room, y_bar, length, bar * 0.9), SERIES[number]),
                       Shape("text", (label_room + length + font * 0.3, y_bar + bar * 0.75),
                             text=label_of(value, chart.unit), size=font * 0.8)]
    height = top + row * len(chart.labels) + font * 0.5
    shapes.append(Shape("line", (label_room, top, label_room, height - font * 0.5), GRID))
    return height, shapes


def _curve(chart: Curve, width: float, font: float) -> tuple[float, list[Shape]]:
    left, right, top, height = font * 4, font, font * 3.4, font * 20
    bottom = height - font * 3
    plot_w, plot_h = width - left - right, bottom - top
    n = max(len(chart.values), 1)
    shapes = [Shape("text", (0, font * 1.2), text=chart.title, size=font * 1.1, bold=True)]
    for step in range(5):
        y = bottom - plot_h * step / 4
        shapes += [Shape("line", (left, y, width - right, y), GRID),
                   Shape("text", (left - font * 0.4, y + font * 0.3), MUTED, f"{step * 25}%", font * 0.8, "end")]
    points = [left, bottom]
    for rank, value in enumerate(chart.values, start=1):
        points += [left + plot_w * rank / n, bottom - plot_h * float(value)]
    shapes.append(Shape("poly", tuple(points), SERIES[0], stroke=2.0))
    for rank in sorted({1, (n + 1) // 2, n}):
        x = left + plot_w * rank / n
        shapes.append(Shape("text", (x, bottom + font * 1.2), MUTED, str(rank), font * 0.8, "middle"))
    shapes += [Shape("text", (left + plot_w / 2, bottom + font * 2.5), MUTED, chart.x_label, font * 0.85, "middle"),
               Shape("text", (left - font * 3.5, top - font * 0.9), MUTED, chart.y_label, font * 0.85)]
    return height, shapes


def svg(chart: Chart, width: float = 720, font: float = 12) -> str:
    """Inline SVG with a title and a label for screen readers; the table beneath holds the same figures."""
    if isinstance(chart, Ranges):  # the deep dive's chart draws no title of its own
        return (f'<p class="chart-title">{Markup.escape(chart.title)}</p>'
                + savings_svg({"by_year": list(chart.by_year)}, int(width)))
    height, shapes = layout(chart, width, font)
    title = Markup.escape(chart.title)
    body = "".join(_svg_shape(shape) for shape in shapes)
    return (f'<svg role="img" aria-label="{title}" viewBox="0 0 {width:.0f} {height:.0f}" width="100%" '
            f'style="max-width:{width:.0f}px" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">'
            f"<title>{title}</title>{body}</svg>")


def _svg_shape(shape: Shape) -> str:
    p = shape.points
    if shape.kind == "rect":
        return f'<rect x="{p[0]:.1f}" y="{p[1]:.1f}" width="{p[2]:.1f}" height="{p[3]:.1f}" fill="{shape.colour}"/>'
    if shape.kind == "line":
        dash = ' stroke-dasharray="4 2"' if shape.dashed else ""
        return (f'<line x1="{p[0]:.1f}" y1="{p[1]:.1f}" x2="{p[2]:.1f}" y2="{p[3]:.1f}" stroke="{shape.colour}" '
                f'stroke-width="{shape.stroke}"{dash}/>')
    if shape.kind == "poly":
        pairs = " ".join(f"{p[i]:.1f},{p[i + 1]:.1f}" for i in range(0, len(p), 2))
        return f'<polyline points="{pairs}" fill="none" stroke="{shape.colour}" stroke-width="{shape.stroke}"/>'
    weight = ' font-weight="bold"' if shape.bold else ""
    return (f'<text x="{p[0]:.1f}" y="{p[1]:.1f}" font-size="{shape.size:.1f}" fill="{shape.colour}" '
            f'text-anchor="{shape.anchor}"{weight}>{Markup.escape(shape.text)}</text>')


def drawing(chart: Chart, width: float, font: float = 8) -> Any:
    """A ReportLab drawing of the same layout (ReportLab's y runs up, so every shape is flipped)."""
    from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
    from reportlab.lib import colors

    if isinstance(chart, Ranges):
        return DossierPdf(width).ranges(list(chart.by_year))
    height, shapes = layout(chart, width, font)
    found = Drawing(width, height)
    for shape in shapes:
        p, colour = shape.points, colors.HexColor(shape.colour)
        if shape.kind == "rect":
            found.add(Rect(p[0], height - p[1] - p[3], p[2], p[3], fillColor=colour, strokeColor=None))
        elif shape.kind == "line":
            found.add(Line(p[0], height - p[1], p[2], height - p[3], strokeColor=colour, strokeWidth=shape.stroke,
                           strokeDashArray=[3, 2] if shape.dashed else None))
        elif shape.kind == "poly":
            flipped = [value if i % 2 == 0 else height - value for i, value in enumerate(p)]
            found.add(PolyLine(flipped, strokeColor=colour, strokeWidth=shape.stroke, fillColor=None))
        else:
            found.add(String(p[0], height - p[1], shape.text, fontSize=shape.size, fillColor=colour,
                             textAnchor=shape.anchor, fontName="Helvetica-Bold" if shape.bold else "Helvetica"))
    return found
