"""Compiles the count of one place to SQL ahead of time (count.compiled_count), for the CLI's quick count.

The questions are the count's own Ibis expressions (`count_queries`, `reconciliation_of`), built on a new
workspace of the latest schema whose `place_lines` is fresh, as the quick count requires, for a place and period
that are marks, then replaced by the query parameters `$place` and `$period`. Run
`python -m placespend.app.count_compiler` (`make count-sql`) after changing the count or the schema; the test of
the quick count fails until the stored SQL is what this compiles.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import ibis.expr.types as ir

from placespend.app.workspace import open_workspace
from placespend.count import compiled_count
from placespend.count.compiled_count import CANONICAL_IDS, STORED_IDS, CompiledCount
from placespend.count.consolidate import count_queries, scoped
from placespend.count.reconcile import reconciliation_of
from placespend.engine import bodies_store
from placespend.engine.ledger import ConnectionLedger
from placespend.engine.migrations import latest_version

MARKS = {"place": "@@placespend-place@@", "period": "@@placespend-period@@"}
# Ibis lists the columns a step drops (`* EXCLUDE (...)`) in the order of a Python set, which changes from run to
# run; sorted, the SQL is the same every time (the order means nothing to DuckDB).
EXCLUDED = re.compile(r"EXCLUDE \(([^)]*)\)")


class _IdsLedger(ConnectionLedger):
    """The workspace's ledger with body ids as stored, or always rewritten to their canonical ids: what the
    count reads with no merged bodies and with some (bodies_store.with_canonical_ids chooses by the data)."""

    def __init__(self, con: object, canonical: bool) -> None:
        super().__init__(con)
        self._canonical = canonical

    def with_canonical_ids(self, lines: ir.Table) -> ir.Table:
        return bodies_store.canonical_ids(self._con, lines) if self._canonical else lines


def compile_count(folder: Path) -> CompiledCount:
    """The count's questions as parameterised SQL, for both ways of reading body ids (a scratch workspace is
    made in `folder`)."""
    ws = open_workspace(folder / "compile.duckdb")
    with ws.write():
        pass  # migrated to the latest schema; the workspace builds `place_lines` (empty) as the write closes
    variants: dict[str, dict[str, str]] = {}
    with ws.read() as con:
        for variant, canonical in ((STORED_IDS, False), (CANONICAL_IDS, True)):
            ledger = _IdsLedger(con, canonical)
            if not ledger.capabilities.has_place_lines:
                raise RuntimeError("place_lines is not fresh on the scratch workspace: the SQL would read flows")
            scope = scoped(ledger, MARKS["place"], MARKS["period"])
            questions = {**count_queries(scope), "reconciliation": reconciliation_of(scope)}
            variants[variant] = {name: _parameterised(con.compile(expr)) for name, expr in questions.items()}
    return CompiledCount(latest_version(), variants)


def _parameterised(sql: str) -> str:
    sql = EXCLUDED.sub(lambda found: f"EXCLUDE ({', '.join(sorted(found[1].split(', ')))})", sql)
    for name, mark in MARKS.items():
        sql = sql.replace(f"'{mark}'", f"${name}")
        if mark in sql:
            raise RuntimeError(f"the {name} appears in the SQL other than as a whole literal: {sql}")
    if not set(re.findall(r"\$(\w+)", sql)) <= MARKS.keys():  # engine.plain_read.bound replaces every $word
        raise RuntimeError(f"the SQL has a $ that is not a parameter: {sql}")
    return sql


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        compiled = compile_count(Path(folder))
    target = Path(compiled_count.__file__).with_name("data") / compiled_count.SQL_FILE
    target.write_text(compiled.as_json(), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
