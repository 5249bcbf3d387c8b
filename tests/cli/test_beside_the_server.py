"""The CLI beside a running `placespend serve` (both real processes): one plain sentence, never a traceback,
and a server stopped by SIGTERM or SIGINT leaves the workspace checkpointed (no write-ahead log behind)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import Cli, line, write_csv

PLACESPEND = [sys.executable, "-m", "placespend.cli.main"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    proc = subprocess.Popen([*PLACESPEND, "--db", str(db), "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2)
            return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("server did not start")


@pytest.fixture
def workspace_db(tmp_path: Path) -> Path:
    db = tmp_path / "ws" / "served.duckdb"
    Cli(db)("ingest", write_csv(tmp_path / "lbl.csv", [line(amount="1000.00")]))
    return db


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_cli_beside_the_server_says_what_to_do_and_the_stopped_server_leaves_no_wal(workspace_db, stop):
    proc, port = _serve(workspace_db)
    wal = workspace_db.with_name(workspace_db.name + ".wal")
    try:
        # A failed sign-in is audited: a write the server holds in DuckDB's write-ahead log until a checkpoint.
        form = urllib.parse.urlencode({"username": "nobody", "password": "wrong"}).encode()
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", data=form, timeout=10)
        assert wal.exists()
        busy = subprocess.run([*PLACESPEND, "--db", str(workspace_db), "count", "--place", "E09000023",
                               "--year", "2008-09"], capture_output=True, text=True, timeout=120)
        said = " ".join((busy.stdout + busy.stderr).split())  # Rich wraps long lines
        assert busy.returncode != 0
        assert "Traceback" not in said and "IOException" not in said
        assert "in use by another placespend process" in said and f"PID {proc.pid}" in said
        assert "stop it and run this command again" in said
    finally:
        os.kill(proc.pid, stop)
        proc.wait(timeout=60)
    assert not wal.exists()
    # With the server gone the same command works and counts the one line.
    done = subprocess.run([*PLACESPEND, "--db", str(workspace_db), "count", "--place", "E09000023",
                           "--year", "2008-09", "--format", "json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert '"total": 1000.0' in done.stdout or '"total": 1000' in done.stdout
