"""Work that reads many times (building the demo) keeps the workspace file open between its reads, and lets it
go when it ends.

Why: DuckDB starts a database instance each time a file is opened (about 25 ms for the demo workspace), and the
demo's build reads 184 times; while one connection stays open, every other connection to the file shares its
instance. But a file kept open by one process cannot be written by another, so it must be let go as soon as the
work ends, and before a write of its own."""

from __future__ import annotations

import subprocess
import sys

import duckdb

from placespend.app.workspace import open_workspace

from conftest import Cli, line, write_csv

MARK = "SET GLOBAL max_expression_depth = 999"  # a setting of the database instance, not of one connection


def depth(con) -> int:
    return con.con.execute("SELECT current_setting('max_expression_depth')").fetchone()[0]


def ingested(tmp_path):
    db = tmp_path / "ws.duckdb"
    Cli(db)("ingest", write_csv(tmp_path / "lbl.csv", [line(amount="1000.00")]))
    return db


def test_reads_inside_held_share_one_database_instance_and_reads_after_it_start_afresh(tmp_path):
    ws = open_workspace(ingested(tmp_path))
    with ws.held():
        with ws.read() as con:
            con.con.execute(MARK)
        with ws.read() as con:
            assert depth(con) == 999  # the same instance: the file was not opened afresh
    with ws.read() as con:
        assert depth(con) == 1000  # let go: this read started DuckDB anew, with its default


def test_without_held_each_read_opens_the_file_afresh(tmp_path):
    ws = open_workspace(ingested(tmp_path))
    with ws.read() as con:
        con.con.execute(MARK)
    with ws.read() as con:
        assert depth(con) == 1000


def test_a_write_inside_held_lets_the_file_go_first_and_later_reads_see_it(tmp_path):
    ws = open_workspace(ingested(tmp_path))
    with ws.held():
        with ws.read() as con:
            before = con.con.execute("SELECT count(*) FROM flows").fetchone()[0]
        with ws.write(changes_results=False) as con:  # a read-only anchor left open would refuse this
            con.con.execute("CREATE TABLE scratch AS SELECT 1 AS x")
        with ws.read() as con:
            assert con.con.execute("SELECT count(*) FROM scratch").fetchone()[0] == 1
            assert con.con.execute("SELECT count(*) FROM flows").fetchone()[0] == before


def test_another_process_can_write_once_the_demo_is_built(tmp_path):
    db = tmp_path / "demo.duckdb"
    cli = Cli(db)
    cli("demo")  # holds the file between its reads
    write = f"import duckdb; duckdb.connect({str(db)!r}).execute('CREATE TABLE other AS SELECT 1 AS x').close()"
    done = subprocess.run([sys.executable, "-c", write], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr  # the file was let go as the build ended
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT x FROM other").fetchone() == (1,)


def test_while_held_another_process_cannot_write_and_is_told_the_file_is_busy(tmp_path):
    ws = open_workspace(ingested(tmp_path))
    write = f"import duckdb; duckdb.connect({str(ws.path)!r}).execute('CREATE TABLE other AS SELECT 1 AS x')"
    with ws.held():
        with ws.read() as con:
            con.con.execute("SELECT 1").fetchone()
        done = subprocess.run([sys.executable, "-c", write], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "lock" in done.stderr.lower()
