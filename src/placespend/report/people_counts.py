"""Counts of people for export (CSV, XLSX): only ever as they left disclosure control.

A table here is what `insight.disclosure.protect` gave (its `as_dict()`, or a run's stored `published`):
rows with withheld counts as None, and the protected column totals. Exports add the totals row from those
protected totals, never by adding up the rows, which would turn a withheld total back into a number.
"""

from __future__ import annotations

from typing import Any


def export_rows(published: dict[str, Any] | None, label_column: str = "group") -> list[dict[str, Any]]:
    """The published groups, then an 'All' row of the protected column totals where there are any."""
    if not published:
        return []
    rows = [dict(row) for row in published.get("groups", [])]
    # `protect(...).as_dict()` names them column_totals and grand_total; a stored overlap run, totals and total.
    totals = published.get("column_totals", published.get("totals"))
    grand = published.get("grand_total", published.get("total"))
    if totals and len(rows) > 1:
        rows.append({label_column: "All", **totals, "total": grand})
    return rows
