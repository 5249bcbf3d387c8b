"""A ledger line as the readers validate it and the engine stores it: `FlowLine`, the flows table's column
layout as Arrow, and a columnar return exported for loading.

The row path turns FlowLine objects into this layout; the columnar path builds it in SQL and only uses
`lines_table` for the few rows it had to validate one by one. One definition keeps the two identical, and the
engine stores either without knowing the readers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pyarrow as pa

from placespend.domain import classifications as cls
from placespend.domain import vocabulary as v

ONE = Decimal(1)

@dataclass(frozen=True)
class FlowLine:
    """One validated ledger line, with where it came from and the amount it counts in its place."""

    sheet: str | None
    row: int
    period: str
    place: str
    spender: str
    spender_type: str
    flow: str
    amount: Decimal
    cofog: str
    cofog_source: str
    place_share: Decimal = ONE
    recipient: str | None = None
    recipient_type: str | None = None
    funder: str | None = None
    funder_type: str | None = None
    spender_name: str | None = None
    recipient_name: str | None = None
    funder_name: str | None = None
    service_scheme: str | None = None
    service_code: str | None = None
    capital_revenue: str = "revenue"
    basis: str = "outturn"
    recurrence: str = "recurring"
    apportionment: str = "actual"
    ring_fenced: bool | None = None
    statutory: bool | None = None
    funding_stream: str | None = None
    theme: str | None = None
    line_id: str | None = None
    notes: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def counted_amount(self) -> Decimal:
        """amount x place_share to the penny, half away from zero, so breakdowns add up to the total."""
        return (self.amount * self.place_share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def cofog_division(self) -> str:
        return cls.division_of(self.cofog)


@dataclass(frozen=True)
class ColumnarExport:
    """A columnar return's lines handed to the workspace, with its slices and bodies. `slices` has one row per
    (spender, place, period) with its lines and counted total.

    `batches()` streams the lines in Arrow record batches straight from the validation database, which must
    stay open until the workspace has read them. Writing them to a Parquet file and reading that back cost a
    whole extra write and read of the return; batches of a row group's size (not DuckDB's default of 1M rows,
    which was several times slower than the file) keep both databases busy.

    Both databases are open while the lines stream, so the workspace gives up `held_memory` bytes of its own
    limit meanwhile (the validation database's limit: the two together stay within PLACESPEND_MEMORY), and
    `release()` closes the validation database as soon as the lines are in, before the workspace refreshes
    what it derives from them."""

    batches: Callable[[], pa.RecordBatchReader]
    slices: pa.Table
    bodies: pa.Table
    count: int
    total: Decimal
    held_memory: int = 0
    release: Callable[[], None] = lambda: None


@dataclass(frozen=True)
class ExportedPart:
    """One spender's lines of a columnar file of several bodies' returns, exported once for all its parts
    (sorted by spender): one submission each (DESIGN.md §6)."""

    export: ColumnarExport
    spender: str


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
