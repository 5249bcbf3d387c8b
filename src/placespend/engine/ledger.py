"""The `Ledger` the method layers read (domain.ledger), over an open Ibis connection of either engine.

This is the one place that looks at which engine a connection is: what it can do becomes `Capabilities`, and
the live lines (accepted, not superseded, canonical body ids) are built here, where the tables are known.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ibis.expr.types as ir
from ibis.backends.duckdb import Backend as DuckDBBackend

from placespend.domain.ledger import Capabilities
from placespend.engine import bodies_store, place_lines_store, tables


class ConnectionLedger:
    """A `domain.ledger.Ledger` over `con`, an Ibis DuckDB connection to the workspace or a Spark session whose
    views hold the ledger (engine.spark)."""

    def __init__(self, con: Any) -> None:
        self._con = con
        self._duckdb = isinstance(con, DuckDBBackend)

    @property
    def capabilities(self) -> Capabilities:
        """Asked each time: whether `place_lines` is fresh can change when the connection itself writes (a
        writer reads its own work); place_lines_store remembers the answer until the next write."""
        return Capabilities(engine="duckdb" if self._duckdb else "spark",
                            has_place_lines=self._duckdb and place_lines_store.is_fresh(self._con),
                            temp_tables=self._duckdb)

    def table(self, name: str) -> ir.Table:
        return self._con.table(name)

    def has_table(self, name: str) -> bool:
        return name in self._con.list_tables()

    def live_lines(self) -> ir.Table:
        return tables.active_flows(self._con)

    def with_canonical_ids(self, lines: ir.Table) -> ir.Table:
        return bodies_store.with_canonical_ids(self._con, lines)

    def to_pyarrow(self, expr: ir.Expr) -> Any:
        return self._con.to_pyarrow(expr)

    @contextmanager
    def materialised(self, expr: ir.Table) -> Iterator[ir.Table]:
        with tables.materialised(self._con, expr) as table:
            yield table


def ledger_of(con: Any) -> ConnectionLedger:
    return ConnectionLedger(con)
