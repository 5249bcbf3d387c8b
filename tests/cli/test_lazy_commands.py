"""`placespend --help` and a count import only what they use (the root group names its commands in
`cli.main.COMMANDS` and imports a command's module only to run it): the table must say exactly what the
command modules register, and a fresh process of either command must not load the heavy libraries of the
other commands. How long they take is measured in benchmarks/startup.py, not here."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import typer
import typer.main
from typer.testing import CliRunner

from placespend.cli.main import COMMANDS, MARKUP, app

from conftest import Cli, line, write_csv

# Libraries of other commands (assets, insight, suppliers, report, Spark, the template), none of them needed to
# list the commands or to count a place.
HEAVY = {"sklearn", "spopt", "libpysal", "splink", "pyspark", "plotly", "geopandas", "shapely", "openpyxl",
         "weasyprint", "reportlab", "statsmodels", "matplotlib", "fastapi"}


def _registered_by(module: str) -> dict[str, typer.core.TyperCommand]:
    """What `module`'s register() adds to a fresh app, as the root group would show it."""
    scratch = typer.Typer(rich_markup_mode=MARKUP)
    importlib.import_module(module).register(scratch)
    return typer.main.get_group(scratch).commands


def _summary(command) -> str:
    """The first paragraph of a command's help, as a group's help lists it, on one line."""
    first = (command.short_help or command.help or "").strip().split("\n\n")[0]
    return " ".join(first.split())


def test_the_table_names_every_command_its_module_registers_with_its_own_help():
    modules = sorted({listed.module for listed in COMMANDS.values()})
    registered = {name: (module, _summary(command))
                  for module in modules for name, command in _registered_by(module).items()}
    assert registered == {name: (listed.module, listed.summary) for name, listed in COMMANDS.items()}


def test_every_command_module_is_in_the_table():
    """A new command module would be invisible to `placespend` until it is in the table."""
    folder = Path(importlib.import_module("placespend.cli").__file__).parent
    modules = {f"placespend.cli.{path.stem}" for path in folder.glob("*_cmds.py")}
    nested = {"placespend.cli.insight_area_cmds", "placespend.cli.insight_spatial_cmds",
              "placespend.cli.insight_people_cmds", "placespend.cli.insight_sharing_cmds"}  # under `insight`
    assert modules - nested == {listed.module for listed in COMMANDS.values()}


def test_help_lists_every_command_with_its_summary():
    result = subprocess.run([sys.executable, "-m", "placespend.cli.main", "--help"], capture_output=True,
                            text=True, timeout=120, env={**_env(), "COLUMNS": "400"})
    assert result.returncode == 0, result.stderr
    rows = {}
    for text in result.stdout.splitlines():
        words = text.strip("│ ").split(maxsplit=1)
        if len(words) == 2 and words[0] in COMMANDS:
            rows[words[0]] = " ".join(words[1].split())
    assert rows == {name: listed.summary for name, listed in COMMANDS.items()}


def test_a_mistyped_command_is_answered_with_the_nearest_names():
    """The names come from the table, so the suggestion needs no command module."""
    result = CliRunner().invoke(app, ["cuont"])
    assert result.exit_code == 2
    assert "No such command 'cuont'. Did you mean 'count'?" in " ".join(result.output.replace("│", " ").split())


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}


# `placespend ARGS` as the program runs it, writing at exit the modules it imported. (sys.modules rather than
# -X importtime, which leaves out modules loaded by importlib.import_module, as the command modules are.)
PROBE = """
import atexit, json, runpy, sys
out, module = sys.argv.pop(1), sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
sys.argv[0] = "placespend"
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


def _imported(folder: Path, *args: str, module: str = "placespend.cli.main") -> tuple[str, set[str]]:
    """The output of a fresh `placespend ARGS` process and the modules it imported: through Typer (cli.main), or
    as the installed program runs (`module="placespend"`: cli.program first)."""
    out = folder / "modules.json"
    result = subprocess.run([sys.executable, "-c", PROBE, str(out), module, *args], capture_output=True, text=True,
                            timeout=300, env={**_env(), "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout, set(json.loads(out.read_text()))


def _packages(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_help_imports_no_command_module_nor_library_of_one(tmp_path):
    out, imported = _imported(tmp_path, "--help")
    assert "count" in out and "typer" in imported
    assert not _packages(imported) & (HEAVY | {"ibis", "duckdb", "pandas", "pyarrow", "numpy"})
    assert not {name for name in imported if name.endswith("_cmds") or name.startswith("placespend.app")}


@pytest.fixture
def counted_db(tmp_path: Path) -> Path:
    db = tmp_path / "ws" / "count.duckdb"
    Cli(db)("ingest", write_csv(tmp_path / "lbl.csv", [line(amount="1000.00"), line(amount="250.00", cofog="07.3")]))
    return db


def test_a_count_imports_none_of_the_other_commands_libraries(counted_db):
    out, imported = _imported(counted_db.parent, "--db", str(counted_db), "count", "--place", "E09000023",
                              "--year", "2008-09", "--format", "json")
    assert json.loads(out, parse_float=Decimal)["total"] == Decimal("1000.00") + Decimal("250.00")
    assert not _packages(imported) & HEAVY
    other_methods = ("placespend.insight", "placespend.assets", "placespend.deepdive", "placespend.procurement")
    assert not {name for name in imported if name.startswith(other_methods)}
    assert {name for name in imported if name.endswith("_cmds")} == {"placespend.cli.count_cmds"}


def test_a_count_of_an_up_to_date_workspace_imports_neither_ibis_nor_pandas(counted_db):
    """The quick count (app.quick_count) runs SQL compiled ahead of time on DuckDB alone: Ibis, pandas and pyarrow
    were 1.2 s of the process (DuckDB's own parameter binding imports pandas, so it binds none)."""
    out, imported = _imported(counted_db.parent, "--db", str(counted_db), "count", "--place", "E09000023",
                              "--year", "2008-09", "--format", "json")
    assert json.loads(out, parse_float=Decimal)["lines"] == 2
    assert not _packages(imported) & {"ibis", "sqlglot", "pandas", "pyarrow", "numpy"}


def test_the_program_answers_a_count_without_loading_typer(counted_db):
    """`placespend count` as installed (cli.program) reads the count's plain command line itself: Typer, which
    builds its parsers with pydantic, and Rich's help were half of the process (BENCHMARKS.md, "CLI start-up")."""
    out, imported = _imported(counted_db.parent, "--db", str(counted_db), "count", "--place", "E09000023",
                              "--year", "2008-09", "--format", "json", module="placespend")
    assert json.loads(out, parse_float=Decimal)["total"] == Decimal("1250.00")
    assert not _packages(imported) & {"typer", "pydantic", "click", "ibis", "pandas", "pyarrow", "numpy"}
    assert not {name for name in imported if name.endswith("_cmds") or name == "placespend.cli.main"}


def test_the_programs_help_loads_no_database(tmp_path):
    """Only a count's command line loads DuckDB before Typer: `--help` goes to Typer as it is."""
    out, imported = _imported(tmp_path, "--help", module="placespend")
    assert "count" in out and "typer" in imported
    assert "duckdb" not in _packages(imported)
