"""The board report as a PDF (ReportLab, A4 landscape): the deep-dive dossier's building blocks (paragraphs,
tables that wrap, drawings) filled with the board report's sections, charts drawn as ReportLab drawings of the
same layout as the HTML's SVG."""

from __future__ import annotations

import io
from typing import Any

from placespend.report.board_charts import Ranges, drawing
from placespend.report.board_layout import Table
from placespend.report.board_sections import sections
from placespend.report.deepdive_report import DossierPdf

LONGEST = 66      # a column never needs more characters than a SHA-256 (64) and its padding
CHARACTER = 4.5   # points per character of the tables' 7.5 pt Helvetica (digits are 4.17, capitals wider)
PADDING = 16      # a cell's padding (6 points a side) and a margin against rounding


def pdf_bytes(data: dict[str, Any]) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    out = io.BytesIO()
    title = f"Board report: {data['name']} ({data['place']}), {data['period']}"
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=14 * mm, rightMargin=14 * mm, topMargin=12 * mm,
                            bottomMargin=14 * mm, title=title, author="placespend")

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillGray(0.35)
        canvas.drawString(document.leftMargin, 7 * mm, f"{title} · generated {data['generated_at']} · placespend")
        canvas.drawRightString(document.pagesize[0] - document.rightMargin, 7 * mm, f"page {document.page}")
        canvas.restoreState()

    doc.build(BoardPdf(doc.width).story(data, title), onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


class BoardPdf(DossierPdf):
    def __init__(self, width: float) -> None:
        super().__init__(width)
        self.styles["Heading4"].keepWithNext = True  # a table's title stays with its table

    def story(self, data: dict[str, Any], title: str) -> list[Any]:  # type: ignore[override]
        from reportlab.platypus import CondPageBreak, Spacer

        self.para(title, "Title")
        self.para("For the programme board and scrutiny committee. Every figure equals the placespend command "
                  "named under Sources and licences.")
        for section in sections(data):
            self.flow.append(CondPageBreak(120))  # a heading never sits alone at the foot of a page
            self.para(section.title, "Heading2")
            for text in section.paragraphs:
                self.para(f"• {text}" if section.key == "summary" else text)
            for chart in section.charts:
                if isinstance(chart, Ranges):  # the deep dive's chart draws no title of its own
                    self.para(chart.title, "Heading4")
                self.drawing(drawing(chart, self.width))
                self.flow.append(Spacer(1, 8))
            for table in section.tables:
                self.para(table.title, "Heading4")
                self.table(table.headings, table.texts(), table.right, _widths(table, self.width))
        return self.flow


def _widths(table: Table, width: float) -> list[float]:
    """Shares of the page's width: each column as wide as its longest text, so that tables are no wider than they
    need; when they would not fit, the text columns give way and wrap, never a figure or a SHA-256."""
    texts = [table.headings, *table.texts()]
    needed = [min(LONGEST, max(len(str(row[i])) for row in texts)) * CHARACTER + PADDING for i in range(len(texts[0]))]
    pinned = [i in table.right or name == "SHA-256" for i, name in enumerate(table.headings)]
    fixed = sum(n for n, pin in zip(needed, pinned, strict=True) if pin)
    loose = sum(needed) - fixed
    if sum(needed) > width:
        scale = (width - fixed) / loose if loose and fixed < width else width / sum(needed)
        needed = [n if pin and fixed < width else n * scale for n, pin in zip(needed, pinned, strict=True)]
    return [n / width for n in needed]
