"""Any table as CSV or XLSX, for the download links beside every table in the app."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook


def rows_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    return out.getvalue()


def rows_xlsx(rows: list[dict[str, Any]], sheet: str = "data") -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    if rows:
        ws.append(list(rows[0]))
        for row in rows:
            ws.append([_xlsx_cell(v) for v in row.values()])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    return ";".join(map(str, value)) if isinstance(value, list | tuple) else value


def _xlsx_cell(value: Any) -> Any:
    # Excel holds numbers as doubles; pence survive for any amount under GBP 10^13.
    if isinstance(value, Decimal):
        return float(value)
    return _cell(value) if not isinstance(value, dict) else str(value)


def count_rows(count: dict[str, Any]) -> list[dict[str, Any]]:
    """The count's breakdowns in long form (breakdown, key, amount)."""
    rows = [{"breakdown": "total", "key": "total", "amount": count["total"]},
            {"breakdown": "unreported_transfers", "key": "", "amount": count["unreported_transfers"]},
            {"breakdown": "eliminated_transfers", "key": "", "amount": count["eliminated_transfers"]}]
    for name, values in count.items():
        if name.startswith("by_"):
            rows += [{"breakdown": name, "key": k, "amount": a} for k, a in values.items()]
    return rows
