"""`kill -9` at any moment of an ingest, an import or a submission's acceptance loses nothing and half-loads
nothing, and the workspace it leaves opens.

Each test runs the real command once to the end on a copy of the workspace (the state after, and how long a
run takes), then on fresh copies kills it with SIGKILL at moments spread evenly over that time: half over the
time until it began writing, half over its writing, commit and exit (it began writing when DuckDB's
write-ahead log or a kept file appeared). After each kill, plain DuckDB reads the file (replaying any
write-ahead log) and finds exactly the state before or the state after, never a mix; placespend then opens
it, tidies the stored files to match, counts from it, and the same command run again completes the load.
The default suite kills small runs a few times; `pytest -m slow` kills a 1M-line ingest 20 times.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from workspace_support import (
    PLACESPEND,
    copy_workspace,
    database_state,
    free_port,
    kill_plan,
    stored_files,
    watch,
    watch_request,
)

from placespend.app import accounts, ingest_files, workflow
from placespend.app.bench.generate import write_file
from placespend.app.workspace import open_workspace
from placespend.count.consolidate import count_place
from placespend.count.every_place_count import count_all_places
from placespend.engine.ledger import ledger_of

from conftest import Cli, line, write_csv

PASSWORD = "correct horse battery staple"


def _base(folder: Path) -> Path:
    """A workspace that already holds a council's return: whatever a crash does must not lose it."""
    db = folder / "base" / "ws.duckdb"
    Cli(db)("ingest", write_csv(folder / "lbl.csv", [line(amount="1000.00"), line(amount="5.00", cofog="07")]))
    return db


def _counted(db: Path) -> tuple[Any, ...]:
    """The product's own count of every place, from the workspace as placespend opens it."""
    with open_workspace(db).read() as con:
        ledger = ledger_of(con)
        every = count_all_places(ledger, "2008-09")
        lewisham = count_place(ledger, "E09000023", "2008-09")
    return lewisham.total, lewisham.lines, tuple(sorted((place, c.total, c.lines) for place, c in every.items()))


def _file_alone(db: Path) -> Path:
    """A copy of the database file without its write-ahead log.

    Why not "no `.wal` is left": a kill in the middle of a commit leaves a torn log entry, which DuckDB ignores on
    replay and overwrites on its next write, but does not delete when nothing was replayed (DuckDB 1.5.6; seen as
    a rare failure of this test). What matters is that closing folded every committed change into the file, so
    that the file alone, copied or backed up without its log, is the whole workspace."""
    alone = db.parent / "file-alone" / db.name
    alone.parent.mkdir(exist_ok=True)
    shutil.copy2(db, alone)
    alone.with_name(alone.name + ".wal").unlink(missing_ok=True)
    return alone


class Outcomes:
    """The states before and after the whole command, and the check every killed copy must pass."""

    def __init__(self, before: Path, after: Path) -> None:
        self.states = {"before": database_state(before), "after": database_state(after)}
        assert self.states["before"] != self.states["after"], "the command changed nothing"
        self.files = {"before": stored_files(before), "after": stored_files(after)}
        self.counts = {"before": _counted(before), "after": _counted(after)}
        self.seen: list[str] = []
        self.struck = 0  # kills that found the command still running

    def check(self, db: Path, finished_first: object = None) -> str:
        left = database_state(db)  # read-only: a write-ahead log left behind is replayed, not folded in
        found = [name for name, state in self.states.items() if state == left]
        assert found, f"half-loaded: {left} is neither before nor after"
        with open_workspace(db).write(changes_results=False):  # opens read-write: replays the log, tidies the files
            pass
        assert database_state(db) == left
        assert database_state(_file_alone(db)) == left, "committed work was left in the write-ahead log"
        assert stored_files(db) == self.files[found[0]]
        assert _counted(db) == self.counts[found[0]]
        self.seen.append(found[0])
        self.struck += finished_first is None
        return found[0]

    def assert_struck(self, kills: int) -> None:
        """Most kills must have hit a running command (a run can be quicker than the timed one)."""
        print(f"{kills} kills, {self.struck} while running: left {self.seen}")
        assert len(self.seen) == kills and self.struck >= kills // 2, (self.struck, self.seen)


def _kill_command(tmp_path: Path, base: Path, command: Callable[[Path], list[str]], kills: int,
                  rerun_every: int) -> Outcomes:
    whole = copy_workspace(base, tmp_path / "whole")
    run = watch(command(whole), whole)
    outcomes = Outcomes(base, whole)
    for number, (delay, after_write) in enumerate(kill_plan(run, kills)):
        db = copy_workspace(base, tmp_path / f"kill-{number}")
        outcomes.check(db, watch(command(db), db, delay, after_write))
        if number % rerun_every == 0:  # the same file again loads whole (a half-kept copy would be 'unchanged')
            subprocess.run(command(db), check=True, capture_output=True, timeout=3600)
            assert database_state(db) == outcomes.states["after"] and stored_files(db) == outcomes.files["after"]
    return outcomes


def _kill_ingest(tmp_path: Path, lines: int, kills: int, rerun_every: int) -> Outcomes:
    big = tmp_path / "national.csv"
    write_file(big, lines, 7)
    return _kill_command(tmp_path, _base(tmp_path), lambda db: [
        *PLACESPEND, "--db", str(db), "ingest", str(big), "--submitter", "national", "--format", "json"],
        kills, rerun_every)


def test_killing_an_ingest_at_any_moment_loads_all_or_nothing(tmp_path):
    _kill_ingest(tmp_path, lines=20_000, kills=4, rerun_every=2).assert_struck(4)


@pytest.mark.slow
def test_killing_a_million_line_ingest_twenty_times(tmp_path):
    _kill_ingest(tmp_path, lines=1_000_000, kills=20, rerun_every=5).assert_struck(20)


def _statistics(path: Path, rows: int, offset: int = 0) -> Path:
    path.write_text("area,period,indicator,value\n" + "".join(
        f"E0{(i % 30_000) + 1_000_000:07d},{2001 + i // 30_000},population,{i % 997 + 1}\n"
        for i in range(offset, offset + rows)), encoding="utf-8")
    return path


def test_killing_an_import_at_any_moment_imports_all_or_nothing(tmp_path):
    base = _base(tmp_path)
    Cli(base)("import", _statistics(tmp_path / "earlier.csv", 1000))
    stats = _statistics(tmp_path / "statistics.csv", 40_000, offset=50_000)
    _kill_command(tmp_path, base, lambda db: [*PLACESPEND, "--db", str(db), "import", str(stats), "--format", "json"],
                  kills=4, rerun_every=2).assert_struck(4)


def _submitted(tmp_path: Path, lines: int) -> tuple[Path, int, str]:
    """A workspace holding the council's accepted return and a newer, queried one of `lines` lines awaiting
    acceptance, which will supersede it; and an analyst's API token."""
    db = _base(tmp_path)
    ws = open_workspace(db)
    newer = write_csv(tmp_path / "lbl-v2.csv", [line(amount=f"{i % 5000}.{i % 100:02d}", cofog=f"{i % 10 + 1:02d}",
                                                     line_id=f"n{i}") for i in range(lines)])
    [result] = ingest_files.ingest_returns(ws, [newer], submitter="lbl", status="submitted", confirm_large=True)
    assert result.outcome == "loaded", result.report.errors
    analyst = accounts.add_user(ws, "analyst", PASSWORD, "analyst")
    workflow.raise_query(ws, analyst, result.submission_id, 2, "please confirm row 2")
    return db, result.submission_id, accounts.new_api_token(ws, analyst, "crash test")


def _serve(db: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen([*PLACESPEND, "--db", str(db), "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/api/health", timeout=2)
            return server, base
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError("the server did not start")


def _accept(base: str, submission_id: int, token: str) -> None:
    request = urllib.request.Request(f"{base}/api/submissions/{submission_id}/accept", method="POST",
                                     data=b"{\"confirm_replace\": true}",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=600).read()


def _kill_acceptance(tmp_path: Path, lines: int, kills: int) -> Outcomes:
    base, submission_id, token = _submitted(tmp_path, lines)
    whole = copy_workspace(base, tmp_path / "whole")
    server, url = _serve(whole)
    run = watch_request(server, whole, lambda: _accept(url, submission_id, token))
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=60)
    outcomes = Outcomes(base, whole)
    assert outcomes.states["after"]["queries_open"] == [] and outcomes.states["before"]["queries_open"]
    for number, (delay, after_write) in enumerate(kill_plan(run, kills)):
        db = copy_workspace(base, tmp_path / f"kill-{number}")
        server, url = _serve(db)
        left = watch_request(server, db, lambda url=url: _accept(url, submission_id, token), delay, after_write)
        if left is not None:  # answered before the kill came: stop the server the hard way all the same
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=60)
        outcomes.check(db, left)
    return outcomes


def test_killing_the_server_while_it_accepts_a_submission(tmp_path):
    _kill_acceptance(tmp_path, lines=20_000, kills=4).assert_struck(4)


@pytest.mark.slow
def test_killing_the_server_twenty_times_while_it_accepts(tmp_path):
    _kill_acceptance(tmp_path, lines=200_000, kills=20).assert_struck(20)


def test_what_a_killed_load_left_in_the_submissions_folder_is_tidied_on_open(cli, db, make_csv):
    """A copy cut short (a kill mid-copy) and a file kept for a load that never committed are removed when
    the workspace is next opened for writing; the files the ledger names stay, byte for byte."""
    cli("ingest", make_csv("lbl.csv", [line()]))
    ws = open_workspace(db)
    kept = stored_files(db)
    (ws.submissions_dir / ("a" * 64 + ".csv.4242.partial")).write_bytes(b"period,pla")
    (ws.submissions_dir / ("b" * 64 + ".csv")).write_bytes(b"never committed")
    with ws.write(changes_results=False):
        pass
    assert stored_files(db) == kept


def test_an_acceptance_and_its_audit_entry_commit_together(db, tmp_path):
    """If anything fails inside an acceptance (here its audit entry cannot be written), nothing of it stays:
    the submission is still queried, its query still open, the older return still live."""
    ws = open_workspace(db)
    Cli(db)("ingest", write_csv(tmp_path / "v1.csv", [line(amount="10.00")]))
    [newer] = ingest_files.ingest_returns(ws, [write_csv(tmp_path / "v2.csv", [line(amount="9.00")])],
                                          status="submitted")
    assert newer.outcome == "loaded", newer.report.errors
    analyst = accounts.add_user(ws, "analyst", PASSWORD, "analyst")
    workflow.raise_query(ws, analyst, newer.submission_id, 2, "why 20?")
    before = database_state(db)
    with ws.write(changes_results=False) as con:
        con.con.execute("ALTER TABLE audit_log RENAME TO audit_log_elsewhere")
    with pytest.raises(Exception, match="audit_log"):
        workflow.accept(ws, analyst, newer.submission_id)
    with ws.write(changes_results=False) as con:
        con.con.execute("ALTER TABLE audit_log_elsewhere RENAME TO audit_log")
    assert database_state(db) == before


def test_a_commit_torn_by_a_kill_leaves_the_state_before_and_the_next_load_is_kept(tmp_path):
    """A kill in the middle of writing a commit to the write-ahead log leaves a torn entry: the workspace opens
    at the state before that commit, and the next load after it is kept whole, in the file itself."""
    db = _base(tmp_path)
    before = database_state(db)
    wal = db.with_name(db.name + ".wal")
    subprocess.run([sys.executable, "-c", f"""
import os, duckdb
con = duckdb.connect({str(db)!r})
con.execute("SET checkpoint_threshold = '1TB'")  # the change stays in the log, as at a kill before a checkpoint
con.execute("DELETE FROM flows WHERE amount = 5")
os._exit(9)"""], check=False, timeout=120)
    assert wal.exists() and wal.stat().st_size > 0, "the change was not left in the log"
    with wal.open("r+b") as log:
        log.truncate(wal.stat().st_size // 2)  # the commit cut off halfway through
    assert database_state(db) == before
    with open_workspace(db).write(changes_results=False):
        pass
    assert database_state(db) == before
    assert database_state(_file_alone(db)) == before
    Cli(db)("ingest", write_csv(tmp_path / "later.csv", [line(period="2009-10", amount="7.00", cofog="09")]))
    after = database_state(_file_alone(db))
    assert after["submissions"][:1] == before["submissions"] and len(after["submissions"]) == 2
    assert after["flows"][:1] == before["flows"] and after["flows"][1][1:3] == (1, Decimal("7.00"))
