"""A workspace connection's memory limit lowered for one step and put back after it.

Why: some steps must hold less than PLACESPEND_MEMORY: a sort that spills more cheaply in a smaller budget
(`place_lines_store`), or a load that shares the process with the validation database it reads from
(`ledger_store`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from placespend.domain.memory_sizes import duckdb_bytes


@contextmanager
def memory_limit_lowered(raw, to: Callable[[int], int]) -> Iterator[None]:
    """Run the block with the limit set to `to(limit in bytes)`, never above the limit it had."""
    limit = raw.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    now = duckdb_bytes(limit)
    raw.execute("SET memory_limit = ?", [f"{min(to(now), now)} bytes"])
    try:
        yield
    finally:
        raw.execute("SET memory_limit = ?", [limit])
