"""A server's workspace, once closed as the server stops, is not opened again by a thread still at work.

Why: `placespend serve` prepares the first pages in a background thread. Stopped while that thread was still
working, the server closed the workspace (checkpointed: no `.wal`), and the thread then opened the file anew
for its next read or write; the process, ending, cut it off, and a `.wal` was left beside the file (seen as an
intermittent failure of tests/cli/test_beside_the_server.py under load)."""

from __future__ import annotations

import threading

import pytest
from ibis.backends.duckdb import Backend

from placespend.app.workspace import open_workspace
from placespend.domain.problems import WorkspaceClosed

from conftest import Cli, line, write_csv


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "ws.duckdb"
    Cli(path)("ingest", write_csv(tmp_path / "lbl.csv", [line(amount="1000.00")]))
    return path


def test_after_close_a_read_or_write_is_refused_and_leaves_no_wal(db):
    ws = open_workspace(db)
    ws.share()
    with ws.write(changes_results=False) as con:  # a write held in the write-ahead log until a checkpoint
        con.con.execute("CREATE TABLE scratch AS SELECT 1 AS x")
    wal = db.with_name(db.name + ".wal")
    assert wal.exists()
    ws.close()
    assert not wal.exists()
    errors: list[BaseException] = []

    def late_thread() -> None:  # as the pages prepared in the background, after the server stopped
        for use in (ws.read, ws.write):
            try:
                with use():
                    pass
            except BaseException as exc:  # collected for the assertion below
                errors.append(exc)

    thread = threading.Thread(target=late_thread)
    thread.start()
    thread.join(timeout=60)
    assert [type(e) for e in errors] == [WorkspaceClosed, WorkspaceClosed]
    assert "the server is stopping" in str(errors[0])
    assert not wal.exists()



def test_a_thread_reading_for_the_first_time_while_the_workspace_closes_is_refused_and_no_wal_is_left(
        db, monkeypatch):
    """The race behind the same intermittent failure, made certain: while `close` disconnects the cursors of
    the threads that have read, another thread reads for the first time (the pages prepared at start, late
    under load). Before, it added its cursor to the list being closed, and `close` failed before checkpointing."""
    ws = open_workspace(db)
    ws.share()
    with ws.write(changes_results=False) as con:
        con.con.execute("CREATE TABLE scratch AS SELECT 1 AS x")
    seen: list[object] = []

    def first_read() -> None:
        try:
            with ws.read() as con:
                seen.append(con.con.execute("SELECT count(*) FROM scratch").fetchone()[0])
        except BaseException as exc:  # collected for the assertion below
            seen.append(exc)

    with ws.read():  # this thread has read: its cursor is among those `close` disconnects
        pass
    disconnect = Backend.disconnect

    def disconnect_while_another_thread_reads(self: Backend) -> None:
        if not seen:
            late = threading.Thread(target=first_read)
            late.start()
            late.join(timeout=60)
        disconnect(self)

    monkeypatch.setattr(Backend, "disconnect", disconnect_while_another_thread_reads)
    ws.close()
    assert [type(s) for s in seen] == [WorkspaceClosed]
    assert not db.with_name(db.name + ".wal").exists()
    monkeypatch.undo()
    with open_workspace(db).read() as con:
        assert con.con.execute("SELECT x FROM scratch").fetchall() == [(1,)]
