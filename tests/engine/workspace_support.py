"""Workspaces as the engine's tests need them: copied, read independently of placespend, built at an older
schema, and under real placespend processes killed with SIGKILL (as `kill -9` or a power cut does).

A workspace's state is read by plain DuckDB: the rows that say what is loaded (submissions, their slices,
imports, audit), the ledger's line count and sums, and a hash of every stored file.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import ibis

from placespend.app.workspace import open_workspace
from placespend.engine.migrations import migrate

from conftest import snapshot

LINES = [(2, "10.2", "10", "1000.50"), (3, "07.3", "07", "234.00")]


def workspace_at(path: Path, version: int) -> Path:
    """A workspace at schema `version` holding one accepted return of two spend lines, written as a
    placespend of that version wrote them (the ledger's tables have not changed since version 1)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = ibis.duckdb.connect(str(path))
    assert migrate(con, upto=version) == version
    raw = con.con
    raw.execute("INSERT INTO submissions VALUES (1, 'h1', 'lbl.csv', 'h1.csv', 'lbl', TIMESTAMP '2010-06-30', "
                "'accepted', 2, 1234.50, 0)")
    raw.execute("INSERT INTO submission_slices VALUES (1, 'lbl', 'E09000023', '2008-09', NULL)")
    for row, cofog, division, amount in LINES:
        raw.execute("""INSERT INTO flows (submission_id, source_sheet, source_row, period, place, spender, spender_type,
                           flow, amount, place_share, counted_amount, cofog, cofog_division, cofog_source,
                           capital_revenue, basis, recurrence, apportionment, method)
                       VALUES (1, NULL, ?, '2008-09', 'E09000023', 'lbl', 'local_authority', 'spend', ?, 1, ?, ?, ?,
                               'reported', 'revenue', 'outturn', 'recurring', 'actual', 'reported')""",
                    [row, amount, amount, cofog, division])
    con.disconnect()
    return path


PLACESPEND = [sys.executable, "-m", "placespend.cli.main"]


def copy_workspace(db: Path, folder: Path) -> Path:
    """The workspace (file, any write-ahead log, stored submissions) copied into `folder`."""
    folder.mkdir(parents=True)
    ws = open_workspace(db)
    for path in (db, db.with_name(db.name + ".wal")):
        if path.exists():
            shutil.copy2(path, folder / path.name)
    if ws.submissions_dir.exists():
        shutil.copytree(ws.submissions_dir, folder / ws.submissions_dir.name)
    return folder / db.name


def _rows(raw: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in raw.execute(sql).fetchall()]


def database_state(db: Path) -> dict[str, Any]:
    """What is loaded, read by DuckDB alone (read-only: a write-ahead log left behind is replayed in memory)."""
    raw = duckdb.connect(str(db), read_only=True)
    try:
        tables = {row[0] for row in raw.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        state = {
            "submissions": _rows(raw, "SELECT submission_id, content_hash, stored_name, submitter, status, line_count,"
                                      " total_amount FROM submissions ORDER BY 1"),
            "slices": _rows(raw, "SELECT * FROM submission_slices ORDER BY ALL"),
            "flows": _rows(raw, "SELECT submission_id, count(*), sum(counted_amount), sum(hash(source_row, place, "
                                "spender, cofog, amount)) FROM flows GROUP BY 1 ORDER BY 1"),
            "queries_open": _rows(raw, "SELECT submission_id, count(*) FROM line_queries WHERE resolved_at IS NULL "
                                       "GROUP BY 1 ORDER BY 1"),
            "audit": _rows(raw, "SELECT action, target FROM audit_log WHERE action LIKE 'submission.%' ORDER BY ALL"),
            "imports": _rows(raw, "SELECT import_id, content_hash, row_count FROM imports ORDER BY 1"),
        }
        if "place_statistics" in tables:
            state["statistics"] = _rows(raw, "SELECT count(*), sum(value) FROM place_statistics")
        return state
    finally:
        raw.close()


def stored_files(db: Path) -> dict[str, str]:
    return snapshot(open_workspace(db).submissions_dir)


def writing_began(db: Path) -> bool:
    """The command has started writing: DuckDB's write-ahead log exists, or a file is being kept."""
    folder = open_workspace(db).submissions_dir
    return db.with_name(db.name + ".wal").exists() or (folder.exists() and any(
        entry.name not in KEPT.get(db, set()) for entry in folder.iterdir()))


KEPT: dict[Path, set[str]] = {}  # the stored files a copied workspace started with


@dataclass
class Run:
    """A run of a command: how long until it began writing, and how long in all."""

    to_write: float
    total: float


def watch(command: list[str], db: Path, delay: float | None = None, after_write: bool = False) -> Run | None:
    """Run `command` on the workspace `db`; with `delay`, SIGKILL it that many seconds after it started (or,
    `after_write`, after it began writing). Returns the run's timings if it finished, None if killed."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return _watch(db, lambda: proc.poll() is None, proc, delay, after_write)
    finally:
        if proc.poll() is None:
            proc.kill()
        if proc.wait(timeout=60) not in (0, -signal.SIGKILL):
            raise AssertionError(f"{command} exited {proc.returncode}")


def watch_request(server: subprocess.Popen, db: Path, request: Callable[[], Any], delay: float | None = None,
                  after_write: bool = False) -> Run | None:
    """Send `request` to the server on `db`; with `delay`, SIGKILL the server as `watch` kills a command."""
    thread = threading.Thread(target=lambda: _quietly(request), daemon=True)
    thread.start()
    try:
        return _watch(db, thread.is_alive, server, delay, after_write)
    finally:
        thread.join(timeout=120)


def _watch(db: Path, running: Callable[[], bool], proc: subprocess.Popen, delay: float | None,
           after_write: bool) -> Run | None:
    KEPT[db] = set(stored_files(db))
    started, to_write = time.perf_counter(), None
    while running():
        now = time.perf_counter() - started
        if to_write is None and writing_began(db):
            to_write = now
        clock = now - to_write if after_write and to_write is not None else now
        if delay is not None and clock >= delay and (to_write is not None or not after_write):
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
            return None
        time.sleep(0.005)
    total = time.perf_counter() - started
    return Run(total if to_write is None else to_write, total)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spread(duration: float, kills: int) -> list[float]:
    """`kills` moments evenly spread over a run of `duration` seconds."""
    return [duration * (i + 0.5) / kills for i in range(kills)]


def kill_plan(run: Run, kills: int) -> list[tuple[float, bool]]:
    """(delay, counted from when writing began) for each kill: half spread over the run until it began
    writing (start-up, reading, validation), half over its writing, commit and exit, the moments that
    matter most and that an even spread over a long validation would hardly touch."""
    early = kills // 2
    return [(delay, False) for delay in spread(run.to_write, early)] + \
        [(delay, True) for delay in spread(run.total - run.to_write, kills - early)]


def _quietly(action: Callable[[], Any]) -> None:
    with contextlib.suppress(OSError):  # the server was killed under the request: that is the point
        action()
