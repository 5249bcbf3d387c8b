"""The user's case on the demo workspace: one Lewisham council line must not replace the council's return.

`placespend demo` builds Lewisham 2008-09 with the council's (lbl) 106-line, GBP 1,219,905,000.00 return. A
one-line file of GBP 99,999,999,999,999 loaded with a minor warning and superseded it (the place's total
became GBP 100 trillion). Now: that line is refused at its row and column and nothing changes; a plausible
one-line file that would still replace the whole return is refused with the difference shown, and loads
with --replace, after which the count is what independent arithmetic says.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, Cli, demo_copy, snapshot, write_csv

PLACE, YEAR = "E09000023", "2008-09"
PLACESPEND = Path(sys.executable).with_name("placespend")  # the console script `make setup` installs
USERS_LINE = {"period": YEAR, "place": PLACE, "spender": "lbl", "spender_type": "local_authority",
              "flow": "spend", "amount": "99999999999999", "cofog": "09.1"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return demo_copy(tmp_path_factory.mktemp("demo") / "demo.duckdb").db


@pytest.fixture
def cli(demo, tmp_path) -> Cli:
    """A fresh copy of the demo workspace (the file and its stored submissions) for each test."""
    db = tmp_path / "ws" / "demo.duckdb"
    db.parent.mkdir()
    shutil.copyfile(demo, db)
    shutil.copytree(demo.with_name("demo.submissions"), db.with_name("demo.submissions"))
    return Cli(db)


def total(cli: Cli) -> Decimal:
    return Decimal(str(cli.json("count", "--place", PLACE, "--year", YEAR)["total"]))


def lbl_counted(db: Path) -> Decimal:
    """What the council's live return adds to the count, by DESIGN.md §4 read off the flows table: its spend,
    plus its transfers to bodies that report nothing in the place (transfers to reporters are eliminated)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("""
            WITH live AS (SELECT f.* FROM flows f JOIN submission_slices sl USING (submission_id, place, period)
                          WHERE sl.superseded_by IS NULL AND f.place = ? AND f.period = ?),
            reporters AS (SELECT DISTINCT spender FROM live)
            SELECT sum(counted_amount) FROM live
            WHERE spender = 'lbl' AND (flow = 'spend' OR recipient NOT IN (SELECT spender FROM reporters))
        """, [PLACE, YEAR]).fetchone()[0]
    finally:
        con.close()


def test_the_demo_council_return_is_the_one_the_user_saw(cli):
    [lbl] = [s for s in cli.json("submissions") if s["submitter"] == "lbl"]
    assert (lbl["line_count"], Decimal(str(lbl["total_amount"]))) == (106, Decimal("1219905000.00"))


def test_the_users_line_is_refused_at_its_row_and_column_and_nothing_changes(cli, tmp_path):
    before_total, before_files = total(cli), snapshot(cli.db.parent)
    path = write_csv(tmp_path / "lbl-one-line.csv", [USERS_LINE])
    result = cli("ingest", path, expect=1)
    assert "amount-implausible" in result.stdout and "row 2, column amount (F)" in result.stdout
    assert "99999999999999 is more than any UK public body spends in a year" in " ".join(result.stdout.split())
    assert snapshot(cli.db.parent) == before_files
    assert total(cli) == before_total == Decimal("2290000000.00")
    [report] = cli.json("ingest", path, expect=1)
    [error] = report["errors"]
    assert (error["slug"], error["file"], error["row"], error["column"]) == \
        ("amount-implausible", "lbl-one-line.csv", 2, "amount (F)")


def test_the_decimal_overflow_amount_is_a_clean_error_not_a_crash(cli, tmp_path):
    path = write_csv(tmp_path / "overflow.csv", [dict(USERS_LINE, amount="999999999999999999")])
    [report] = cli.json("ingest", path, expect=1)
    assert [(e["slug"], e["row"], e["column"]) for e in report["errors"]] == [("amount-implausible", 2, "amount (F)")]
    assert total(cli) == Decimal("2290000000.00")


def test_the_users_file_as_a_real_process(cli, tmp_path):
    """The console script, as the user ran it: exit 1, one readable report, no traceback, total unchanged."""
    path = write_csv(tmp_path / "lbl-one-line.csv", [USERS_LINE])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]),
           "COLUMNS": "200"}
    done = subprocess.run([str(PLACESPEND), "--db", str(cli.db), "ingest", str(path)], capture_output=True,
                          text=True, timeout=300, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "lbl-one-line.csv rejected" in done.stdout and "row 2, column amount (F)" in done.stdout
    counted = subprocess.run([str(PLACESPEND), "--db", str(cli.db), "count", "--place", PLACE, "--year", YEAR,
                              "--format", "json"], capture_output=True, text=True, timeout=300, env=env)
    assert '"total": 2290000000' in counted.stdout


def test_a_one_line_return_replacing_the_councils_needs_replace(cli, tmp_path):
    """A plausible line (GBP 1m) that would still replace all 106 lines: refused with the difference shown."""
    before_total, before_files = total(cli), snapshot(cli.db.parent)
    path = write_csv(tmp_path / "lbl-corrected.csv", [dict(USERS_LINE, amount="1000000.00")])
    result = cli("ingest", path, expect=1)
    out = " ".join(result.stdout.split())
    assert "What the new return would replace" in out
    assert "replace-needs-confirmation" in out and "--replace" in out and "Nothing was loaded" in out
    assert "has 1 line, GBP 1,000,000.00; the return it replaces (submission 1) has 106, GBP 1,219,905,000.00" in out
    assert "drops 105 of the 106 lines" in out
    assert snapshot(cli.db.parent) == before_files and total(cli) == before_total

    lbl_before = lbl_counted(cli.db)
    result = cli.json("ingest", path, "--replace")[0]
    assert result["outcome"] == "loaded" and [w["slug"] for w in result["warnings"]][-1] == "replaces-previous-return"
    [replaced] = result["replaces"]
    assert (replaced["previous_lines"], replaced["new_lines"], replaced["replaces_submission"]) == (106, 1, 1)
    # Independent arithmetic: the council's old contribution out, its one line in; lbl still reports, so the
    # transfers other bodies made to it stay eliminated.
    assert lbl_before == Decimal("1174000000.00") + Decimal("105000.00")  # spend + transfers to two small charities
    assert total(cli) == before_total - lbl_before + Decimal("1000000.00") == Decimal("1116895000.00")
    states = {s["submission_id"]: s for s in cli.json("submissions")}
    assert states[1]["superseded_by"] == result["submission_id"] and states[1]["live_slices"] == 0


def test_a_correction_that_keeps_the_return_whole_needs_no_confirmation(cli, tmp_path):
    """The council restates its return with one line changed: no guard, it simply supersedes."""
    con = duckdb.connect(str(cli.db), read_only=True)
    try:
        rows = con.execute("SELECT period, place, spender, spender_type, flow, amount, cofog, recipient, "
                           "recipient_type, capital_revenue, basis, place_share, line_id FROM flows "
                           "WHERE submission_id = 1 ORDER BY source_row").fetchall()
        columns = [d[0] for d in con.description]
    finally:
        con.close()
    lines = [{k: ("" if v is None else str(v)) for k, v in zip(columns, row, strict=True)} for row in rows]
    spend = next(line for line in lines if line["flow"] == "spend" and line["place_share"] == "1.00000000")
    spend["amount"] = str(Decimal(spend["amount"]) + Decimal("1234.56"))
    before = total(cli)
    [result] = cli.json("ingest", write_csv(tmp_path / "lbl-restated.csv", lines))
    assert result["outcome"] == "loaded" and result["replaces"][0]["needs_confirmation"] is False
    assert total(cli) == before + Decimal("1234.56")
