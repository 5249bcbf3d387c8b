"""`placespend` as installed (cli.program): a count's plain command line is answered before Typer loads, and
must print exactly what the command through Typer prints; every other command line, and a count the quick count
leaves to the full path, must behave as Typer makes it behave."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from placespend.cli.program import CountAsked, count_asked

from conftest import Cli, line, write_csv

SRC = Path(__file__).resolve().parents[2] / "src"
TYPER = "placespend.cli.main"
PROGRAM = "placespend"


def _run(module: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "120", **(env or {})})


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    """Lewisham: a council's spend in two COFOG divisions and a transfer to a charity that reports the money
    as its own spend, funded by the council (counted once, where the charity spends it); Greenwich in another year."""
    folder = tmp_path_factory.mktemp("program")
    db = folder / "ws.duckdb"
    rows = [line(amount="1000.00"), line(amount="250.55", cofog="07.3"),
            line(flow="transfer", amount="300.00", recipient="ch1", recipient_type="third_sector"),
            line(spender="ch1", spender_type="third_sector", amount="300.00", cofog="10.4", funder="lbl",
                 funder_type="local_authority"),
            line(place="E09000011", period="2009-10", spender="rbg", amount="77.07")]
    Cli(db)("ingest", write_csv(folder / "returns.csv", rows))
    return db


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_the_program_prints_the_same_bytes_as_the_command_through_typer(ws, fmt):
    args = ("--db", str(ws), "count", "--place", "E09000023", "--year", "2008-09", "--format", fmt)
    quick, typer = _run(PROGRAM, *args), _run(TYPER, *args)
    assert quick.returncode == typer.returncode == 0, quick.stderr + typer.stderr
    assert quick.stdout == typer.stdout
    if fmt == "json":
        # the grant and the charity's spend of it are one 300.00, counted where the charity spends it
        assert json.loads(quick.stdout, parse_float=Decimal)["total"] == Decimal("1000.00") + Decimal("250.55") + \
            Decimal("300.00")


def test_the_short_options_and_the_workspace_from_the_environment_give_the_same_count(ws):
    quick = _run(PROGRAM, "count", "-p", "E09000011", "-y", "2009-10", "-f", "json",
                 env={"PLACESPEND_DB": str(ws)})
    typer = _run(TYPER, "--db", str(ws), "count", "--place", "E09000011", "--year", "2009-10", "--format", "json")
    assert quick.returncode == 0, quick.stderr
    assert quick.stdout == typer.stdout
    assert json.loads(quick.stdout, parse_float=Decimal)["total"] == Decimal("77.07")


@pytest.mark.parametrize("args", [
    ("count", "--place", "E09999999", "--year", "2008-09"),  # not a place: the check's message
    ("count", "--place", "E09000023", "--year", "2008-9"),  # not a year
    ("count", "--place", "E09000023", "--year", "2008-09", "--format", "xml"),  # Typer's own refusal
    ("count", "--place", "E09000023"),  # no year: Typer says which option is missing
    ("count", "--help"),
    ("--help",),
])
def test_what_the_quick_count_leaves_is_answered_by_typer_as_before(ws, args):
    quick, typer = _run(PROGRAM, "--db", str(ws), *args), _run(TYPER, "--db", str(ws), *args)
    def words(text: str) -> str:  # usage lines name the program as it was run, and Rich pads boxes to fit it
        return " ".join(text.replace(f"-m {TYPER}", f"-m {PROGRAM}").replace("│", " ").split())

    assert (quick.returncode, words(quick.stdout), words(quick.stderr)) == \
        (typer.returncode, words(typer.stdout), words(typer.stderr))
    assert quick.returncode == (0 if "--help" in args else 2)


def test_another_command_runs_through_the_program(ws):
    places = _run(PROGRAM, "--db", str(ws), "places", "--format", "json")
    assert places.returncode == 0, places.stderr
    assert places.stdout == _run(TYPER, "--db", str(ws), "places", "--format", "json").stdout


def test_a_missing_workspace_gets_typers_message_not_a_new_file(tmp_path):
    missing = tmp_path / "none.duckdb"
    quick = _run(PROGRAM, "--db", str(missing), "count", "--place", "E09000023", "--year", "2008-09")
    typer = _run(TYPER, "--db", str(missing), "count", "--place", "E09000023", "--year", "2008-09")
    assert (quick.returncode, quick.stderr) == (typer.returncode, typer.stderr)
    assert quick.returncode != 0 and not missing.exists()


def test_the_plain_form_is_read_in_every_spelling_typer_accepts():
    want = CountAsked("w.duckdb", "E09000023", "2008-09", "json")
    assert count_asked(["--db", "w.duckdb", "count", "--place", "E09000023", "--year", "2008-09",
                        "--format", "json"]) == want
    assert count_asked(["--db=w.duckdb", "count", "--year=2008-09", "-p", "E09000023", "-f", "json"]) == want
    assert count_asked(["--db", "w.duckdb", "count", "-y", "2008-09", "--place", "E09000023", "--format=json",
                        "--engine", "duckdb"]) == want
    assert count_asked(["count", "-p", "E09000023", "-y", "2008-09"]) == CountAsked(None, "E09000023", "2008-09",
                                                                                    "table")


@pytest.mark.parametrize("argv", [
    [],
    ["places"],
    ["count"],
    ["count", "--place", "E09000023"],  # no year
    ["count", "--place", "E09000023", "--year"],  # a missing value
    ["count", "-p", "E09000023", "-y", "2008-09", "-p", "E09000011"],  # a repeat: Typer decides
    ["count", "-pE09000023", "-y", "2008-09"],  # a spelling left to Typer
    ["count", "-p", "E09000023", "-y", "2008-09", "--engine", "spark"],
    ["count", "-p", "E09000023", "-y", "2008-09", "--format", "xml"],
    ["count", "-p", "E09000023", "-y", "2008-09", "--help"],
    ["--version", "count", "-p", "E09000023", "-y", "2008-09"],
    ["--db", "count", "-p", "E09000023", "-y", "2008-09"],  # --db takes "count" as its value
    ["explain", "-p", "E09000023", "-y", "2008-09"],
])
def test_any_other_command_line_is_left_to_typer(argv):
    assert count_asked(argv) is None


def test_the_spark_engine_from_the_environment_is_left_to_typer(monkeypatch):
    monkeypatch.setenv("PLACESPEND_ENGINE", "spark")
    assert count_asked(["count", "-p", "E09000023", "-y", "2008-09"]) is None
    monkeypatch.setenv("PLACESPEND_ENGINE", "duckdb")
    assert count_asked(["count", "-p", "E09000023", "-y", "2008-09"]) is not None
