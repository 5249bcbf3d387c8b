"""The flows table's column layout as Arrow, for validated lines on either path.

The row path turns FlowLine objects into this layout; the columnar path builds it in SQL and only uses
`lines_table` for the few rows it had to validate one by one. One definition keeps the two identical.
"""

from __future__ import annotations

import json

import pyarrow as pa

from placespend.domain import vocabulary as v
from placespend.ingest.flows import FlowLine

MONEY = pa.decimal128(18, 2)
SHARE = pa.decimal128(9, 8)

# The flows table after submission_id, in table order (engine/sql/0001_ledger.sql).
TEXT_HEAD = ("period", "place", "spender", "spender_type", "flow")
TEXT_MIDDLE = ("cofog", "cofog_division", "cofog_source", "recipient", "recipient_type", "funder", "funder_type",
               "spender_name", "recipient_name", "funder_name", "service_scheme", "service_code", "capital_revenue",
               "basis", "recurrence", "apportionment")
TEXT_TAIL = ("funding_stream", "theme", "line_id", "notes")
LINE_COLUMNS: tuple[str, ...] = ("source_sheet", "source_row", *TEXT_HEAD, "amount", "place_share", "counted_amount",
                                 *TEXT_MIDDLE, "method", "ring_fenced", "statutory", *TEXT_TAIL, "extra")
SQL_TYPES: dict[str, str] = {
    **{name: "VARCHAR" for name in LINE_COLUMNS},
    "source_row": "INTEGER", "amount": "DECIMAL(18, 2)", "place_share": "DECIMAL(9, 8)",
    "counted_amount": "DECIMAL(18, 2)", "ring_fenced": "BOOLEAN", "statutory": "BOOLEAN",
}


def lines_table(lines: list[FlowLine]) -> pa.Table:
    """FlowLines in the flows layout (without submission_id)."""
    def col(name: str) -> list[object]:
        return [getattr(line, name) for line in lines]

    return pa.table({
        "source_sheet": pa.array(col("sheet"), pa.string()),
        "source_row": pa.array(col("row"), pa.int32()),
        **{name: pa.array(col(name), pa.string()) for name in TEXT_HEAD},
        "amount": pa.array(col("amount"), MONEY),
        "place_share": pa.array(col("place_share"), SHARE),
        "counted_amount": pa.array(col("counted_amount"), MONEY),
        **{name: pa.array(col(name), pa.string()) for name in TEXT_MIDDLE},
        "method": pa.array([v.method_of(line.apportionment, line.basis) for line in lines], pa.string()),
        "ring_fenced": pa.array(col("ring_fenced"), pa.bool_()),
        "statutory": pa.array(col("statutory"), pa.bool_()),
        **{name: pa.array(col(name), pa.string()) for name in TEXT_TAIL},
        "extra": pa.array([json.dumps(line.extra) if line.extra else None for line in lines], pa.string()),
    })
