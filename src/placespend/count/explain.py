"""Provenance: the lines behind any figure of the count, with the file, sheet and row each came from."""

from __future__ import annotations

import ibis.expr.types as ir

from placespend.count.consolidate import classified_lines
from placespend.count.overlaps import COUNTED_STATUSES
from placespend.domain.ledger import Ledger

PROVENANCE_COLUMNS = (
    "status", "file_name", "submission_id", "source_sheet", "source_row", "spender", "flow", "recipient",
    "cofog", "counted_type", "amount", "place_share", "counted_amount", "method", "basis", "line_id",
)


def explain(ledger: Ledger, place: str, period: str, *, cofog: str | None = None, body_type: str | None = None,
            status: str | None = None, include_eliminated: bool = False) -> ir.Table:
    """Lines behind a figure; filters mirror the count's breakdowns (division, body type, status)."""
    lines = classified_lines(ledger, place, period)
    if not include_eliminated and status is None:
        lines = lines.filter(lines.status.isin(COUNTED_STATUSES))
    if cofog:
        lines = lines.filter(lines.cofog_division == cofog[:2] if len(cofog) <= 2 else lines.cofog == cofog)
    if body_type:
        lines = lines.filter(lines.counted_type == body_type)
    if status:
        lines = lines.filter(lines.status == status)
    subs = ledger.table("submissions").select("submission_id", "file_name")
    joined = lines.left_join(subs, "submission_id").drop("submission_id_right")
    # File, sheet and row first, as a reader looks them up; then every other column, so that the order is total
    # and a page of the list (the web app shows them a page at a time) never repeats or skips a line.
    keys = ["file_name", "source_sheet", "source_row"]
    return joined.select(*PROVENANCE_COLUMNS).order_by(keys + [c for c in PROVENANCE_COLUMNS if c not in keys])
