"""The two figures and their comparison (DESIGN.md §4-5): the count, the lines behind it, the centre-out estimate
and compare, for the CLI and the web app alike.

One path for both doors: the CLI's `count` and the API's `/places/{place}/count` take `count_checked`, so they
cannot drift apart, and the API computes the count alone instead of the whole place page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis.expr.types as ir

from placespend.analysis.compare import Comparison, compare_places
from placespend.app.selection import Selection
from placespend.app.workspace import checked_read, no_notes, read_on
from placespend.count.consolidate import CountResult, count_of, scoped
from placespend.count.explain import explain
from placespend.count.overlaps import COUNTED_STATUSES
from placespend.count.reconcile import reconciliation_of
from placespend.domain.criteria import CriteriaSet
from placespend.domain.ledger import Ledger
from placespend.domain.paging import PAGE_SIZE, Page
from placespend.engine import tables
from placespend.engine.ledger import ledger_of
from placespend.engine.workspace import Workspace
from placespend.estimate.centre_out import Estimate, estimate_place

Notes = Callable[[tuple[str, ...]], None]


@dataclass(frozen=True)
class Counted:
    """A place's count for a period, its transfer reconciliation, and the checked selection with its notes."""

    asked: Selection
    result: CountResult
    reconciliation: list[dict[str, Any]]


def count_checked(ledger: Ledger, place: str, period: str) -> tuple[CountResult, list[dict[str, Any]]]:
    """The count and the transfer reconciliation of a checked place and year, from one scoped set of lines."""
    scope = scoped(ledger, place, period)
    return count_of(scope), reconciliation_of(scope).to_pyarrow().to_pylist()


def count(ws: Workspace, place: str, year: str, engine: str = "duckdb") -> Counted:
    with checked_read(ws, engine, place=place, year=year) as (asked, ledger):
        return Counted(asked, *count_checked(ledger, asked.place, asked.period))  # type: ignore[arg-type]


def count_in(ws: Workspace, place: str, period: str) -> tuple[CountResult, list[dict[str, Any]]]:
    """`count_checked` on the workspace, for callers that checked the place and year already (the web app)."""
    with ws.read() as con:
        return count_checked(ledger_of(con), place, period)


def _lines_of(ledger: Ledger, asked: Selection, only_spender: str | None) -> ir.Table:
    table = explain(ledger, asked.place, asked.period, cofog=asked.cofog,  # type: ignore[arg-type]
                    body_type=asked.body_type, status=asked.status)
    return table if only_spender is None else table.filter(table.spender == only_spender)


def lines(ws: Workspace, place: str, year: str, *, cofog: str | None = None, body_type: str | None = None,
          status: str | None = None, only_spender: str | None = None, engine: str = "duckdb",
          notes: Notes = no_notes) -> tuple[Selection, list[dict[str, Any]]]:
    """The lines behind a figure of the count, with the file, sheet and row each came from; `only_spender`
    keeps one body's lines (a partner sees only its own)."""
    with checked_read(ws, engine, notes, place=place, year=year, cofog=cofog, body_type=body_type,
                      status=status) as (asked, ledger):
        return asked, _lines_of(ledger, asked, only_spender).to_pyarrow().to_pylist()


@dataclass(frozen=True)
class LinesPage:
    """One page of the lines behind a figure, with the number and counted total of them all: a district's
    COFOG 07 runs to tens of thousands of lines at national scale, more than a browser lays out quickly."""

    asked: Selection
    rows: list[dict[str, Any]]
    page: Page
    counted: Decimal | int


def lines_page(ws: Workspace, place: str, year: str, *, cofog: str | None = None, body_type: str | None = None,
               status: str | None = None, only_spender: str | None = None, page: int | None = None,
               size: int = PAGE_SIZE) -> LinesPage:
    """`lines`, one page at a time; the total is of every line, as `counted_total` of all of them gives."""
    with checked_read(ws, place=place, year=year, cofog=cofog, body_type=body_type, status=status
                      ) as (asked, ledger):
        table = _lines_of(ledger, asked, only_spender)
        counted = table.counted_amount.sum(where=table.status.isin(COUNTED_STATUSES))
        totals = table.aggregate(n=table.count(), counted=counted).to_pyarrow().to_pylist()[0]
        shown = Page.of(page, int(totals["n"]), size)
        rows = table.limit(shown.size, offset=shown.offset).to_pyarrow().to_pylist()
        return LinesPage(asked, rows, shown, totals["counted"] or 0)


def counted_total(rows: Iterable[dict[str, Any]]) -> Decimal | int:
    """What the listed lines add to the count: those whose status counts (spend and unreported transfers)."""
    return sum((row["counted_amount"] for row in rows if row["status"] in COUNTED_STATUSES), start=0)


def estimate(ws: Workspace, place: str, year: str, criteria: CriteriaSet, vintage: str | None = None,
             engine: str = "duckdb") -> Estimate:
    with checked_read(ws, engine, place=place, year=year) as (asked, ledger):
        return estimate_place(ledger, asked.place, asked.period, criteria, vintage)  # type: ignore[arg-type]


def compare(ws: Workspace, year: str, places: list[str] | None, criteria: list[CriteriaSet],
            vintage: str | None = None, engine: str = "duckdb") -> tuple[list[Comparison], Decimal | None]:
    """Seed 000 Table 1 for the places asked (default: every place of the workspace)."""
    with checked_read(ws, engine, place=places or None, year=year) as (asked, ledger):
        chosen = list(asked.places) if places else sorted(ledger.table("places").place.to_pyarrow().to_pylist())
        return compare_places(ledger, chosen, asked.period, criteria, vintage)  # type: ignore[arg-type]


def defined_places(ws: Workspace) -> list[str]:
    """The places the workspace defines (DESIGN.md §6 places file), as `compare` takes by default."""
    with ws.read() as con:
        return tables.place_ids(con)


def compare_all(ws: Workspace, year: str, place_ids: list[str], criteria: list[CriteriaSet]
                ) -> tuple[list[Comparison], Decimal | None]:
    """`compare_places` over the places a page lists, the year checked already."""
    with read_on(ws) as con:
        return compare_places(ledger_of(con), place_ids, year, criteria)


def submissions(ws: Workspace) -> list[dict[str, Any]]:
    """Every submission with its places, periods and whether it is still live."""
    with ws.read() as con:
        return tables.submissions(con).to_pyarrow().to_pylist()
