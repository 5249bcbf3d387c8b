"""The fixed command names of DESIGN.md §6 exist, each with --help, and misuse exits cleanly."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from placespend.cli.main import app

from conftest import line

FIXED = ["template", "ingest", "import", "count", "demo", "serve", "explain", "submissions", "estimate", "compare",
         "analyse", "user", "wards", "cba", "deepdive"]


@pytest.mark.parametrize("command", FIXED)
def test_every_command_has_help(command):
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_count_without_workspace_is_a_clean_error(tmp_path):
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "none.duckdb"), "count", "-p", "E09000023",
                                      "-y", "2008-09"])
    assert result.exit_code == 2
    assert "No workspace" in result.output
    assert not (tmp_path / "none.duckdb").exists()


def test_count_json_has_the_fixed_keys(cli, make_csv):
    cli("ingest", make_csv("a.csv", [line(amount="1234.56", cofog="7.3"), line(amount="0.44", cofog="10")]))
    out = cli.json("count", "--place", "e09000023", "--year", "2008-09")
    for key in ("place", "period", "total", "by_cofog", "by_spender_type", "unreported_transfers",
                "eliminated_transfers", "lines"):
        assert key in out
    assert out["place"] == "E09000023" and out["total"] == 1235
    assert out["by_cofog"] == {"07": 1234.56, "10": 0.44}


def test_count_csv_and_table(cli, make_csv):
    cli("ingest", make_csv("a.csv", [line(amount="1234.56")]))
    csv_out = cli("count", "--place", "E09000023", "--year", "2008-09", "--format", "csv").stdout
    assert "E09000023,2008-09,total,total,1234.56" in csv_out
    table = cli("count", "--place", "E09000023", "--year", "2008-09").stdout
    assert "£1,234.56" in table


def test_import_rejects_unrecognised_file(cli, make_csv):
    path = make_csv("mystery.csv", [{"x": 1, "y": 2}])
    result = cli("import", path, expect=1)
    assert "kind-unrecognised" in result.output and "not recognised" in result.output
