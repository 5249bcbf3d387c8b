"""The CLI beside a running `placespend serve` (both real processes on a real workspace): commands work, run
by the server, with the same output as without it; what cannot run there says so in one sentence, never a
traceback; and a server stopped by SIGTERM or SIGINT leaves the workspace checkpointed and withdraws the file
that tells the CLI where it is."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from placespend.app.workspace import open_workspace
from placespend.cli.main import app

from conftest import Cli, line, write_csv

PLACESPEND = [sys.executable, "-m", "placespend.cli.main"]
PASSWORD = "correct horse battery staple"
# The read-only commands a user runs beside the web app, each as JSON so that outputs compare exactly.
READS = [
    ["count", "--place", "E09000023", "--year", "2008-09", "--format", "json"],
    ["explain", "--place", "E09000023", "--year", "2008-09", "--cofog", "07", "--format", "json"],
    ["estimate", "--place", "E09000023", "--year", "2008-09", "--criteria", "needs", "--format", "json"],
    ["compare", "--year", "2008-09", "--place", "E09000023", "--format", "json"],
    ["analyse", "composition", "--place", "E09000023", "--year", "2008-09", "--format", "json"],
    ["analyse", "concentration", "--place", "E09000023", "--year", "2008-09", "--format", "json"],
    ["submissions", "--format", "json"],
]


def _commands() -> set[str]:
    from typer.main import get_command

    return set(get_command(app).commands)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([*PLACESPEND, "--db", str(db), "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2)
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("server did not start")


def _run(db: Path, *args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([*PLACESPEND, "--db", str(db), *args], capture_output=True, text=True, timeout=600,
                          cwd=cwd, env={**os.environ, "COLUMNS": "200", **env})


def _said(result: subprocess.CompletedProcess) -> str:
    return " ".join((result.stdout + result.stderr).split())  # Rich wraps long lines


@pytest.fixture
def workspace_db(tmp_path: Path) -> Path:
    """Two partners' returns for Lewisham, its region's spending and populations, a viewer and its token."""
    db = tmp_path / "ws" / "served.duckdb"
    cli = Cli(db)
    cli("ingest", write_csv(tmp_path / "lbl.csv", [line(amount="1000.00"), line(amount="250.00", cofog="07.3")]))
    cli("ingest", write_csv(tmp_path / "pct.csv", [line(spender="pct", spender_type="nhs", cofog="07.3",
                                                        amount="400.00")]))
    districts = {"E09000023": 300, "E09000001": 100, "E09000002": 600}
    cli("import", write_csv(tmp_path / "lookup.csv", [{"relation": "lad_region", "child": code,
                                                      "parent": "E12000007"} for code in districts]))
    cli("import", write_csv(tmp_path / "stats.csv", [
        {"area": code, "period": "2019", "indicator": indicator, "value": people // share}
        for code, people in districts.items()
        for indicator, share in (("population", 1), ("population_0_18", 4), ("population_65_plus", 6),
                                 ("households", 2), ("imd_average_score", 10),
                                 ("population_age_weighted_health", 1))]))
    cli("import", write_csv(tmp_path / "spend.csv", [{"period": "2008-09", "region": "London", "cofog": c,
                                                      "amount": a} for c, a in (("10", "9000.00"), ("07", "3000.00"))]))
    return db


def test_commands_beside_the_server_are_run_by_it(workspace_db, tmp_path):
    expected = {tuple(args): Cli(workspace_db).json(*args[:-2]) for args in READS}  # run here, no server
    assert _run(workspace_db, "user", "add", "viewer", "--role", "viewer", PLACESPEND_PASSWORD=PASSWORD).returncode == 0
    token = _run(workspace_db, "user", "token", "viewer").stdout.strip()
    proc, base = _serve(workspace_db)
    ws = open_workspace(workspace_db)
    try:
        assert stat.S_IMODE(ws.server_file.stat().st_mode) == 0o600  # its secret is for the owner alone
        for args in READS:
            beside = _run(workspace_db, *args)
            assert beside.returncode == 0, _said(beside)
            assert json.loads(beside.stdout) == expected[tuple(args)], args
        table = _run(workspace_db, "count", "--place", "E09000023", "--year", "2008-09")
        assert table.returncode == 0 and "1,650.00" in table.stdout and "\x1b[" not in table.stdout

        # A write goes through too: a return named relative to another folder, then seen by the web app.
        elsewhere = tmp_path / "elsewhere"
        write_csv(elsewhere / "returns" / "fire.csv", [line(spender="lfb", spender_type="fire", cofog="03.2",
                                                             amount="99.00")])
        loaded = _run(workspace_db, "ingest", "returns/fire.csv", "--format", "json", cwd=elsewhere)
        assert loaded.returncode == 0, _said(loaded)
        assert json.loads(loaded.stdout)[0]["outcome"] == "loaded"
        counted = json.loads(_run(workspace_db, *READS[0]).stdout)
        assert counted["total"] == expected[tuple(READS[0])]["total"] + 99
        request = urllib.request.Request(f"{base}/api/places/E09000023/count?year=2008-09",
                                         headers={"Authorization": f"Bearer {token}"})
        assert json.loads(urllib.request.urlopen(request, timeout=30).read())["total"] == counted["total"]
        bad = _run(workspace_db, "ingest", str(write_csv(tmp_path / "bad.csv", [line(amount="ten")])))
        assert bad.returncode == 1 and "not an amount" in _said(bad) and "Traceback" not in _said(bad)

        made = _run(workspace_db, "backup", str(tmp_path / "backup"))
        assert made.returncode == 0, _said(made)
        assert (tmp_path / "backup" / "manifest.json").exists()

        # What cannot run inside the server: one plain sentence each.
        for args, sentence in ((["restore", str(tmp_path / "backup"), "--replace"],
                                f"is served by placespend serve (PID {proc.pid}): stop it, then restore."),
                               (["serve", "--port", str(_free_port())],
                                f"placespend serve (PID {proc.pid}) is already serving")):
            refused = _run(workspace_db, *args)
            assert refused.returncode == 2 and sentence in _said(refused), _said(refused)
            assert "Traceback" not in _said(refused) and len(refused.stderr.strip().splitlines()) <= 3
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert not ws.server_file.exists()
    alone = _run(workspace_db, *READS[0])  # with the server gone the same command runs here, on the same data
    assert json.loads(alone.stdout) == counted


@pytest.mark.skipif("places" not in _commands(), reason="no `placespend places` command in this version")
def test_places_beside_the_server(workspace_db):
    expected = _run(workspace_db, "places", "--format", "json").stdout
    proc, _ = _serve(workspace_db)
    try:
        beside = _run(workspace_db, "places", "--format", "json")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert beside.returncode == 0 and json.loads(beside.stdout) == json.loads(expected)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_server_leaves_no_wal_and_no_announcement(workspace_db, stop):
    proc, port = _serve(workspace_db)
    wal = workspace_db.with_name(workspace_db.name + ".wal")
    try:
        # A failed sign-in is audited: a write the server holds in DuckDB's write-ahead log until a checkpoint.
        form = b"username=nobody&password=wrong"
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{port}/login", data=form, timeout=10)
        assert wal.exists() and open_workspace(workspace_db).server_file.exists()
    finally:
        os.kill(proc.pid, stop)
        proc.wait(timeout=60)
    said = proc.stdout.read().decode(errors="replace")  # the server's log: why, if the close failed
    assert not wal.exists() and not open_workspace(workspace_db).server_file.exists(), said


def test_a_command_holding_the_workspace_is_not_a_server_so_the_cli_says_what_to_do(workspace_db, tmp_path):
    """A long ingest in another terminal holds the file too; nothing to run it by, so one sentence."""
    hold = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                             "print('held', flush=True); time.sleep(120)", str(workspace_db)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert hold.stdout.readline().strip() == "held"
        busy = _run(workspace_db, *READS[0])
    finally:
        hold.kill()
        hold.wait()
    said = _said(busy)
    assert busy.returncode == 2 and "Traceback" not in said
    assert f"is in use by another placespend process (PID {hold.pid})" in said
    assert "stop it and run this command again" in said
