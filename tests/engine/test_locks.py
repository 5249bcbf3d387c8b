"""The server's workspace lock: readers side by side, a writer alone, and no thread deadlocking itself."""

from __future__ import annotations

import threading

import pytest

from placespend.app.workspace import open_workspace
from placespend.engine.locks import ReadWriteLock


def test_readers_hold_the_lock_together() -> None:
    lock, both_in = ReadWriteLock(), threading.Barrier(2, timeout=10)

    def read() -> None:
        with lock.reading():
            both_in.wait()   # raises BrokenBarrierError if the second reader could not get in

    threads = [threading.Thread(target=read) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert not both_in.broken


def test_a_writer_excludes_readers_and_goes_before_new_ones() -> None:
    lock, order = ReadWriteLock(), []
    reading, writer_waiting = threading.Event(), threading.Event()

    def first_reader() -> None:
        with lock.reading():
            reading.set()
            writer_waiting.wait(10)
            order.append("reader 1 done")

    def writer() -> None:
        reading.wait(10)
        writer_waiting.set()
        with lock.writing():
            order.append("writer")

    def late_reader() -> None:
        writer_waiting.wait(10)
        while not lock._waiting_writers and "writer" not in order:
            pass
        with lock.reading():
            order.append("reader 2")

    threads = [threading.Thread(target=f) for f in (first_reader, writer, late_reader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert order == ["reader 1 done", "writer", "reader 2"]


def test_reentrancy_and_the_deadlock_guard() -> None:
    lock = ReadWriteLock()
    with lock.writing(), lock.writing(), lock.reading():
        assert lock.writer_is_me()
    with lock.reading(), lock.reading(), pytest.raises(RuntimeError, match="cannot start writing"), lock.writing():
        pass


def test_threads_read_a_shared_workspace_while_it_is_written(tmp_path) -> None:
    ws = open_workspace(tmp_path / "w.duckdb")
    ws.share()
    with ws.write(changes_results=False) as con:
        con.con.execute("CREATE TABLE n AS SELECT 1 AS v")
    seen: list[int] = []
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            for _ in range(50):
                with ws.read() as con:
                    seen.append(con.con.execute("SELECT sum(v) FROM n").fetchone()[0])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for _ in range(20):
        with ws.write(changes_results=False) as con:   # two statements: readers see both or neither
            con.con.execute("INSERT INTO n VALUES (1)")
            con.con.execute("INSERT INTO n VALUES (-1)")
    for t in threads:
        t.join(timeout=60)
    ws.close()
    assert not errors and len(seen) == 150 and set(seen) == {1}


def test_a_reader_arriving_during_a_write_reads_the_state_before_it_without_waiting(tmp_path) -> None:
    """The write below commits two statements and is still open: another thread reads at once, and sees
    neither; once the write has ended, both, under the next generation."""
    ws = open_workspace(tmp_path / "w.duckdb")
    ws.share()
    with ws.write() as con:
        con.con.execute("CREATE TABLE n AS SELECT 1 AS v")
    before = ws.generation
    seen: dict[str, object] = {}

    def reader() -> None:
        with ws.read() as con:
            seen["during"] = (con.con.execute("SELECT count(*), sum(v) FROM n").fetchone(), ws.generation)

    with ws.write() as con:
        con.con.execute("INSERT INTO n VALUES (10)")
        con.con.execute("INSERT INTO n VALUES (100)")
        thread = threading.Thread(target=reader)
        thread.start()
        thread.join(timeout=60)
        answered_while_writing = not thread.is_alive()
    with ws.read() as con:
        after = con.con.execute("SELECT count(*), sum(v) FROM n").fetchone()
    ws.close()
    assert answered_while_writing, "the reader waited for the write"
    assert seen["during"] == ((1, 1), before)
    assert after == (3, 111) and ws.generation == before + 1


def test_a_read_keeps_its_version_to_the_end_and_the_writer_refreshes_for_the_next(tmp_path) -> None:
    """A reader of the snapshot from before a write reads that version until its read ends, even after the
    write has ended (a page is of one version); the writer's refresh of results (run after its changes,
    before the version moves) reads the changes and keys what it computes on the next version."""
    ws = open_workspace(tmp_path / "w.duckdb")
    ws.share()
    with ws.write() as con:
        con.con.execute("CREATE TABLE n AS SELECT 1 AS v")
    before = ws.generation
    refreshed: list[object] = []

    def refresh() -> None:
        with ws.read() as con:
            refreshed.append((con.con.execute("SELECT sum(v) FROM n").fetchone()[0], ws.version, ws.generation))

    ws.refresh_results_with(refresh)
    inside, write_ended = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def reader() -> None:
        with ws.read() as con:
            inside.set()
            write_ended.wait(60)
            seen["after the write"] = (con.con.execute("SELECT sum(v) FROM n").fetchone()[0], ws.version)
        seen["next read"] = ws.version

    with ws.write() as con:
        con.con.execute("INSERT INTO n VALUES (10)")
        assert ws.version is None, "a writer's reads of its own write half done are not kept"
        thread = threading.Thread(target=reader)
        thread.start()
        assert inside.wait(60)
    write_ended.set()
    thread.join(timeout=60)
    ws.close()
    assert refreshed == [(11, before + 1, before)]
    assert seen == {"after the write": (1, before), "next read": before + 1} and ws.generation == before + 1


def test_a_page_of_one_version_holds_no_turn_on_the_snapshot_between_its_reads(tmp_path) -> None:
    """Readers of the snapshot from before a write take turns on it only while they read: one page making
    itself from that version (`one_version`) does not keep another reader of the snapshot waiting meanwhile."""
    ws = open_workspace(tmp_path / "w.duckdb")
    ws.share()
    with ws.write() as con:
        con.con.execute("CREATE TABLE n AS SELECT 1 AS v")
    inside, done = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def page() -> None:
        with ws.one_version():
            with ws.read() as con:
                seen["page"] = con.con.execute("SELECT sum(v) FROM n").fetchone()[0]
            inside.set()
            done.wait(60)   # rendering, say: the page still makes itself from this version

    def other() -> None:
        with ws.read() as con:
            seen["other"] = con.con.execute("SELECT sum(v) FROM n").fetchone()[0]

    with ws.write() as con:
        con.con.execute("INSERT INTO n VALUES (10)")
        first = threading.Thread(target=page)
        first.start()
        assert inside.wait(60)
        second = threading.Thread(target=other)
        second.start()
        second.join(timeout=30)
        answered = not second.is_alive()
        done.set()
        first.join(timeout=60)
    ws.close()
    assert answered, "the second reader waited for the first's page"
    assert seen == {"page": 1, "other": 1}
