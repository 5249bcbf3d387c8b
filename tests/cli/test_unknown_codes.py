"""Unknown codes are refused, never answered with an empty figure (a place total of GBP 0, every line as the
lines of COFOG '99'); a known place with no lines in a year is a true zero that says which years have lines.

The count's refusal runs as a user runs it, a CLI process: exit 2 and one line naming the nearest known codes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Cli, line, write_csv

PLACESPEND = Path(sys.executable).with_name("placespend")  # the console script `make setup` installs
Y = "2008-09"


@pytest.fixture(scope="module")
def cli(tmp_path_factory) -> Cli:
    """Lewisham as a defined place (tp-lewisham) with two council lines for 2008-09 in its area E09000023."""
    folder = tmp_path_factory.mktemp("unknown-codes")
    cli = Cli(folder / "ws.duckdb")
    cli("import", write_csv(folder / "places.csv", [{"place": "tp-lewisham", "name": "Lewisham", "area": "E09000023",
                                                     "region": "London"}]))
    cli("ingest", write_csv(folder / "lbl.csv", [line(amount="1000.00", cofog="10.2"),
                                                 line(amount="500.00", cofog="07.3", capital_revenue="capital")]))
    return cli


def test_count_of_an_unknown_place_exits_2_with_one_line_naming_known_places(cli):
    done = subprocess.run([str(PLACESPEND), "--db", str(cli.db), "count", "--place", "ZZZ999", "--year", Y,
                           "--format", "json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""  # no JSON with a total of 0
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Unknown place 'ZZZ999'" in done.stderr and "tp-lewisham (Lewisham)" in done.stderr


UNKNOWN_PLACE = [
    ["count", "--place", "ZZZ999", "--year", Y],
    ["explain", "--place", "ZZZ999", "--year", Y],
    ["estimate", "--place", "ZZZ999", "--year", Y],
    ["compare", "--place", "ZZZ999", "--year", Y],
    *[["analyse", name, "--place", "tp-lewisham", "--place", "ZZZ999", "--year", Y]
      for name in ("composition", "concentration", "local-control", "per-head", "routes")],
    ["deepdive", "themes", "--place", "ZZZ999", "--year", Y],
    ["wards", "--place", "ZZZ999", "--year", Y],
    ["insight", "segments", "--place", "ZZZ999"],
    ["insight", "profile", "--place", "ZZZ999"],
    ["insight", "map", "--place", "ZZZ999"],
]


@pytest.mark.parametrize("args", UNKNOWN_PLACE, ids=lambda args: " ".join(args[:2]))
def test_every_command_taking_a_place_refuses_an_unknown_one(cli, args):
    result = cli(*args, expect=2)
    assert "unknown place 'zzz999'" in result.output.lower(), result.output  # insight shows the code normalised


def test_deepdive_report_refuses_an_unknown_place(cli, tmp_path):
    result = cli("deepdive", "report", "--html", tmp_path / "r.html", "--place", "ZZZ999", "--year", Y, expect=2)
    assert "Unknown place 'ZZZ999'" in result.output
    assert not (tmp_path / "r.html").exists()


def test_a_place_typed_by_its_name_points_at_its_code(cli):
    result = cli("count", "--place", "Lewisham", "--year", Y, expect=2)
    assert "Unknown place 'Lewisham'. Nearest known: tp-lewisham (Lewisham)" in result.output


def test_explain_refuses_an_unknown_cofog_code_instead_of_listing_every_line(cli):
    result = cli("explain", "--place", "E09000023", "--year", Y, "--cofog", "99", "--format", "json", expect=2)
    assert "Unknown COFOG code '99'. Nearest known: 09" in result.output
    assert "10.2" not in result.output  # no line is listed
    # a known group still filters: only the 07.3 line
    rows = cli.json("explain", "--place", "E09000023", "--year", Y, "--cofog", "7.3")
    assert [(r["cofog"], r["amount"]) for r in rows] == [("07.3", 500)]


@pytest.mark.parametrize(("option", "value", "kind"), [("--body-type", "councl", "body type"),
                                                       ("--status", "counted", "status")])
def test_explain_refuses_an_unknown_body_type_or_status(cli, option, value, kind):
    result = cli("explain", "--place", "E09000023", "--year", Y, option, value, expect=2)
    assert f"Unknown {kind} '{value}'" in result.output


def test_per_head_refuses_an_unknown_cofog_code(cli):
    result = cli("analyse", "per-head", "--place", "tp-lewisham", "--year", Y, "--cofog", "13", expect=2)
    assert "Unknown COFOG code '13'" in result.output


def test_wards_refuses_an_unknown_body(cli):
    result = cli("wards", "--place", "E09000023", "--year", Y, "--spender", "lbll", expect=2)
    assert "Unknown body 'lbll'. Nearest known: lbl" in result.output


def test_a_malformed_year_is_refused(cli):
    result = cli("count", "--place", "E09000023", "--year", "2008", expect=2)
    assert "Unknown year '2008'" in result.output and "YYYY-YY" in result.output


def test_a_year_without_lines_is_a_zero_that_says_which_years_have_lines(cli):
    note = "No lines for E09000023 in 2010-11; years with lines: 2008-09."
    out = cli.json("count", "--place", "E09000023", "--year", "2010-11")
    assert out["total"] == 0 and out["lines"] == 0 and out["notes"] == [note]
    assert cli.json("count", "--place", "E09000023", "--year", Y)["notes"] == []
    table = cli("count", "--place", "tp-lewisham", "--year", "2010-11")
    assert "No lines for tp-lewisham in 2010-11; years with lines: 2008-09." in " ".join(table.output.split())


def test_places_lists_the_codes_that_place_accepts(cli):
    rows = cli.json("places")
    assert [(r["place"], r["name"], r["region"], r["periods"]) for r in rows] == [
        ("tp-lewisham", "Lewisham", "London", ["2008-09"])]
