"""A server's workspace closes the cursor of each reading thread that has ended.

Why: every thread reads a shared workspace through a DuckDB cursor of its own. Threads started for one job (the
pages warmed after an acceptance, an import read in the background) end with it; their cursors were kept until
the server stopped, one more DuckDB connection for every acceptance in the server's life."""

from __future__ import annotations

import threading

import duckdb
import pytest

from placespend.app.workspace import open_workspace

from conftest import Cli, line, write_csv


def _read_in_a_thread(ws) -> list:
    """Read the ledger in a thread of its own that then ends; returns the connection it read through."""
    seen: list = []

    def work() -> None:
        with ws.read() as con:
            seen.append((con, con.con.execute("SELECT sum(amount) FROM flows").fetchone()[0]))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    return seen[0]


def test_the_cursors_of_ended_threads_are_closed_not_kept(tmp_path):
    db = tmp_path / "ws.duckdb"
    Cli(db)("ingest", write_csv(tmp_path / "lbl.csv", [line(amount="1000.00")]))
    ws = open_workspace(db)
    ws.share()
    try:
        first, total = _read_in_a_thread(ws)
        assert total == 1000
        for _ in range(30):  # thirty acceptances' warm-up threads, say
            _read_in_a_thread(ws)
        with ws.read() as mine:  # a reader of this thread: the ended threads' cursors are swept as it opens
            assert mine.con.execute("SELECT count(*) FROM flows").fetchone() == (1,)
        assert len(ws._readers) <= 2  # this thread's and the last ended thread's at most
        with pytest.raises(duckdb.ConnectionException):
            first.con.execute("SELECT 1")
    finally:
        ws.close()
