"""The workspace caps DuckDB's memory without stopping other connections to the same file in the process."""

from __future__ import annotations

from pathlib import Path

import duckdb
import ibis
import pytest

from placespend.app.workspace import open_workspace
from placespend.domain.memory_sizes import duckdb_bytes
from placespend.engine import ledger_store, workspace
from placespend.ingest.flows.columnar import read_columnar_return

from conftest import line, write_csv


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


def test_while_a_return_streams_in_the_two_databases_share_the_workspace_budget(tmp_path: Path, monkeypatch) -> None:
    """The validated lines stream from the validation DuckDB into the workspace with both open: together they
    must stay within PLACESPEND_MEMORY, and the validation database must be closed before the workspace
    refreshes what it derives (place_lines), which may use the whole budget."""
    monkeypatch.setattr(workspace, "MEMORY_LIMIT", "3GiB")
    path = write_csv(tmp_path / "lbl.csv", [line(amount=f"{i}.00", line_id=f"l{i}") for i in range(1, 40)])
    parsed = read_columnar_return(path, set())
    assert parsed is not None and parsed.lines is not None
    validation = parsed.lines.source.con
    export = parsed.lines.export()
    validation_limit = duckdb_bytes(validation.execute("SELECT current_setting('memory_limit')").fetchone()[0])
    assert export.held_memory == validation_limit > 0
    ws = open_workspace(tmp_path / "w.duckdb")
    with ws.write() as con:
        raw = con.con
        raw.execute("CREATE TABLE streamed AS SELECT 0 AS n")
        with ledger_store._streamed(raw, export):
            during = duckdb_bytes(_limit(con))
            raw.execute("INSERT INTO streamed SELECT count(*) FROM new_lines")
            assert during + validation_limit <= 3 * 1024**3
            # gives up that share, not more (DuckDB shows its limit to a tenth of a GiB)
            assert during >= 3 * 1024**3 - validation_limit - 128 * 1024**2
        assert raw.execute("SELECT max(n) FROM streamed").fetchone() == (39,)
        assert _limit(con) == "3.0 GiB"
    with pytest.raises(duckdb.ConnectionException):
        validation.execute("SELECT 1")
    parsed.lines.close()
