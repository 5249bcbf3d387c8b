"""The workspace caps DuckDB's memory without stopping other connections to the same file in the process."""

from __future__ import annotations

from pathlib import Path

import ibis

from placespend.app.workspace import open_workspace
from placespend.engine import workspace


def _limit(con) -> str:
    return con.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


def test_connections_are_capped_and_coexist_with_an_analysts_own(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(workspace, "MEMORY_LIMIT", "3GiB")
    ws = open_workspace(tmp_path / "w.duckdb")
    with ws.write() as con:
        assert _limit(con) == "3.0 GiB"
    mine = ibis.duckdb.connect(str(ws.path))          # opened first, with DuckDB's defaults
    try:
        with ws.write() as con:                          # same file, same process: must still open
            con.con.execute("CREATE TABLE note AS SELECT 42 AS answer")
            assert _limit(con) == "3.0 GiB"
        assert mine.con.execute("SELECT answer FROM note").fetchone() == (42,)
    finally:
        mine.disconnect()
    with ws.read() as con:
        assert _limit(con) == "3.0 GiB"
