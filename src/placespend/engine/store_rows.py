"""What the small stores share: rows as dicts (nothing when the workspace or its table is not there yet), one
transaction around a piece of work, and the time a row is written (UTC, naive, as DuckDB's TIMESTAMP holds it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from placespend.engine.workspace import Workspace


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def rows(ws: Workspace, table: str, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    """The query's rows, or none when the workspace or `table` does not exist yet (a reader never migrates)."""
    if not ws.exists:
        return []
    with ws.read() as con:
        if table not in con.list_tables():
            return []
        cursor = con.con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def in_transaction(ws: Workspace, work: Callable[[Any], Any], changes_results: bool = False) -> Any:
    """`work(raw connection)` all or nothing. Bookkeeping by default (`changes_results=False`): the ledger's
    figures and their caches are untouched."""
    with ws.write(changes_results=changes_results) as con:
        raw = con.con
        raw.execute("BEGIN TRANSACTION")
        try:
            result = work(raw)
            raw.execute("COMMIT")
        except Exception:
            raw.execute("ROLLBACK")
            raise
    return result
