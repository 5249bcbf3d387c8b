"""What the method layers read: the workspace's tables as Ibis expressions, and what the engine under them can do.

The count, the estimate and the analyses are pure functions over tables handed to them (DESIGN.md §2): they
never open a database, never see a connection's type, and so run unchanged on DuckDB and on Spark. The app
layer opens the workspace on the engine a user chose and hands them a `Ledger` (engine.ledger builds one over an
open connection). What differs between engines is stated as data, as ibis states a backend's capabilities in
tables: `ledger.capabilities.has_place_lines`, never `isinstance(con, DuckDBBackend)`.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # for the hints only: the engine checks `place_lines` without importing Ibis (CLI start-up)
    import ibis.expr.types as ir

# A submission's lines count only once it is accepted (partners' uploads wait as "submitted" until then).
COUNTED_SUBMISSIONS = ("accepted",)


@dataclass(frozen=True)
class Capabilities:
    """What the engine holding a ledger can do beyond portable Ibis expressions."""

    engine: str             # "duckdb" or "spark"
    has_place_lines: bool   # table `place_lines` holds exactly the live ledger once per place whose scope holds
                            # each line (`scope_place`), in place order, ids as submitted (DuckDB's cache)
    temp_tables: bool       # an intermediate result can be computed once into a temporary table


class Tables(Protocol):
    """Anything that names tables: a `Ledger`, or an Ibis connection inside the engine."""

    def table(self, name: str) -> ir.Table: ...


class Ledger(Tables, Protocol):
    """The workspace's tables as the method layers read them."""

    @property
    def capabilities(self) -> Capabilities: ...

    def has_table(self, name: str) -> bool: ...

    def live_lines(self) -> ir.Table:
        """The lines of the ledger that count: lines of accepted returns whose (place, period) slice no newer
        return superseded, with body ids merged by the bodies register replaced by their canonical ids."""
        ...

    def with_canonical_ids(self, lines: ir.Table) -> ir.Table:
        """`lines` with spender, recipient and funder replaced by their canonical ids where merged."""
        ...

    def materialised(self, expr: ir.Table) -> AbstractContextManager[ir.Table]:
        """`expr` computed once for callers that read it several times (only when `capabilities.temp_tables`)."""
        ...

    def to_pyarrow(self, expr: ir.Expr) -> Any:
        """`expr` computed on the ledger's engine, in-memory tables (`ibis.memtable`) included."""
        ...


def scope_codes(tables: Tables, place: str) -> list[str]:
    """The place itself and its member areas: the codes a line's `place` may carry to be in scope (DESIGN.md §4)."""
    areas = tables.table("place_areas")
    members = areas.filter(areas.place == place).area.to_pyarrow().to_pylist()
    return sorted({place, *members})
