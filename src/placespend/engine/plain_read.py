"""A read of the workspace through DuckDB alone, without Ibis, for answers a command can give at once.

Why: importing Ibis and its DuckDB backend takes most of a command's start-up (0.7-0.9 s, more than the queries
it then runs, with pandas 0.4 s more). A question whose SQL is compiled ahead of time (count.compiled_count)
needs only DuckDB. This reads a workspace only where `Workspace.read` would read it as it is: the file exists,
no other process is writing it, its schema is the latest and `place_lines` is fresh. Otherwise `plain_read`
yields None and the caller takes the ordinary path, which says or does what that case needs (an error, the
running server, a migration, counting from `flows`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from placespend.engine import place_lines_store
from placespend.engine.migrations import latest_version, schema_version_on

DEFAULT_DB = "placespend.duckdb"
# DuckDB's own default is 80% of the machine's memory, which it fills with cached blocks on a national load
# (12 GiB while ingesting 100M lines); capped, it spills to disk instead and the machine stays usable.
MEMORY_LIMIT = os.environ.get("PLACESPEND_MEMORY", "4GiB")
# A place the user may ask for with lines in the period: it has lines in `place_lines` and is a place any table
# names (selection.check accepts it: the places table or a return's place), so no check would refuse it and no
# note ("no lines that year") goes beside its figure.
PARAMETER = re.compile(r"\$(\w+)")
COUNTABLE = """
    SELECT EXISTS (SELECT 1 FROM place_lines WHERE scope_place = $place AND period = $period)
       AND (EXISTS (SELECT 1 FROM places WHERE place = $place)
            OR EXISTS (SELECT 1 FROM submission_slices WHERE place = $place))
"""


def workspace_path(path: str | os.PathLike[str] | None) -> Path:
    """The workspace file `--db` names (default: $PLACESPEND_DB or ./placespend.duckdb)."""
    return Path(path or os.environ.get("PLACESPEND_DB") or DEFAULT_DB).resolve()


class PlainRead:
    """An open read-only DuckDB connection to an up-to-date workspace."""

    def __init__(self, raw: duckdb.DuckDBPyConnection) -> None:
        self._raw = raw

    def rows(self, sql: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """The rows of a query as dicts, columns in the query's order (as Ibis's `to_pyarrow().to_pylist()`)."""
        cursor = self._raw.execute(bound(sql, params))
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def countable(self, place: str, period: str) -> bool:
        return bool(self._raw.execute(bound(COUNTABLE, {"place": place, "period": period})).fetchone()[0])

    def bodies_merged(self) -> bool:
        """Whether some body ids are merged into others (bodies_store.with_canonical_ids rewrites ids then)."""
        return bool(self._raw.execute("SELECT count(*) FROM body_aliases").fetchone()[0])


def bound(sql: str, params: dict[str, str]) -> str:
    """`sql` with each `$name` replaced by its text as an SQL string literal.

    Why not DuckDB's own parameters: binding any Python value imports pandas and pyarrow (DuckDB checks whether
    it is one of their objects), 0.4-0.6 s, a third of what this module saves. The values are text; a quote
    inside one is doubled, which is all a DuckDB string literal needs (a backslash is an ordinary character)."""
    return PARAMETER.sub(lambda found: "'" + params[found[1]].replace("'", "''") + "'", sql)


@contextmanager
def plain_read(path: str | os.PathLike[str] | None, schema_version: int) -> Iterator[PlainRead | None]:
    """The workspace read with DuckDB alone if it is at `schema_version`, the latest, with `place_lines` fresh;
    None if not, or if it cannot be opened so (missing, written by another process, not a workspace)."""
    file = workspace_path(path)
    if not file.is_file() or schema_version != latest_version():
        yield None
        return
    try:
        raw = duckdb.connect(str(file), read_only=True)
    except duckdb.Error:
        yield None
        return
    try:
        raw.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        ready = schema_version_on(raw) == schema_version and place_lines_store.is_fresh_on(raw)
        yield PlainRead(raw) if ready else None
    finally:
        raw.close()
