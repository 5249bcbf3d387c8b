"""What a board report section holds, independent of its format: paragraphs, charts and typed tables.

The sections are decided once (board_sections, board_extras); HTML, PDF and XLSX each draw the same list, so
the three formats cannot disagree. A table column has a kind, so that a spreadsheet gets numbers with a GBP or
percentage format while a page gets the same value as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from placespend.domain import classifications as cls
from placespend.report.board_charts import Chart
from placespend.report.deepdive_report import money, num, pct

Kind = Literal["text", "money", "share", "number", "ratio"]
NUMERIC: frozenset[str] = frozenset({"money", "share", "number", "ratio"})


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[tuple[str, Kind], ...]
    rows: list[list[Any]]
    blank: str = "-"                 # how a missing value reads (e.g. "withheld" for a suppressed count)

    @property
    def headings(self) -> list[str]:
        return [name for name, _ in self.columns]

    def texts(self) -> list[list[str]]:
        return [[cell_text(value, kind, self.blank) for value, (_, kind) in zip(row, self.columns, strict=True)]
                for row in self.rows]

    @property
    def right(self) -> frozenset[int]:
        return frozenset(i for i, (_, kind) in enumerate(self.columns) if kind in NUMERIC)


@dataclass
class Section:
    key: str                         # the anchor in HTML and the sheet's name in XLSX
    title: str
    paragraphs: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def cell_text(value: Any, kind: Kind, blank: str = "-") -> str:
    if value is None:
        return blank
    if kind == "money":
        return money(value)
    if kind == "share":
        return pct(value)
    if kind == "ratio":
        return num(value, 4)
    if kind == "number":
        amount = Decimal(str(value))
        return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return str(value)


def division_name(code: str) -> str:
    return cls.cofog_divisions().get(code, code)


def share(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """A part's share of a whole for display beside it (no figure of the method: a ratio of two shown ones)."""
    return part / whole if part is not None and whole else None
