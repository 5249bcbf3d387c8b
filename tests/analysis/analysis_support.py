"""A small hand-worked ledger for the analyses, built through the real CLI, and a CLI with `analyse` wired in.

The ledger (Lewisham E09000023, 2008-09; amounts in GBP):

    dept  (central_government) spends 4,000,000 on 10 from its own budget;
          transfers 3,270,000 to the council (eliminated: the council reports spend).
    council (local_authority) spends 600,000 on 09, funded by dept, ring-fenced and statutory;
          400,000 on 10 from own income (no, no); 200,000 on 06 from own income, statutory;
          transfers 300,000 to a charity that sends no return (unreported: the charity's spend), funder dept;
          transfers 2,370,000 to the college (eliminated), funder dept.
    college (education) spends 2,370,000 on 09, funded by the council, ring-fenced, not statutory.
    pct (nhs) spends 2,000,000 on 07 from its own allocation, statutory, not ring-fenced.
    club (third_sector) spends 90,000 on 08, flags left blank; parish spends 40,000 on 08 (no, no).

Counted total: 4,000,000 + 1,200,000 + 2,370,000 + 2,000,000 + 90,000 + 40,000 + 300,000 = 10,000,000.
"""

from __future__ import annotations

from typing import Any

from typer.testing import CliRunner

from placespend.cli.main import app as main_app

from conftest import line

PLACE, YEAR = "E09000023", "2008-09"


def ledger_files() -> dict[str, list[dict[str, Any]]]:
    no = {"ring_fenced": "no", "statutory": "no"}
    dept = dict(spender="dept", spender_type="central_government")
    council = dict(spender="council", spender_type="local_authority")
    return {
        "dept.csv": [
            line(**dept, amount="4000000.00", cofog="10.2", **no),
            line(**dept, flow="transfer", amount="3270000.00", cofog="09", recipient="council",
                 recipient_type="local_authority", **no),
        ],
        "council.csv": [
            line(**council, amount="600000.00", cofog="09.1", funder="dept", funder_type="central_government",
                 ring_fenced="yes", statutory="yes"),
            line(**council, amount="400000.00", cofog="10.4", **no),
            line(**council, amount="200000.00", cofog="06.1", ring_fenced="no", statutory="yes"),
            line(**council, flow="transfer", amount="300000.00", cofog="10.7", recipient="charity",
                 recipient_type="third_sector", funder="dept", funder_type="central_government", **no),
            line(**council, flow="transfer", amount="2370000.00", cofog="09.2", recipient="college",
                 recipient_type="education", funder="dept", funder_type="central_government", **no),
        ],
        "college.csv": [line(spender="college", spender_type="education", amount="2370000.00", cofog="09.2",
                             funder="council", funder_type="local_authority", ring_fenced="yes",
                             statutory="no")],
        "pct.csv": [line(spender="pct", spender_type="nhs", amount="2000000.00", cofog="07.3", ring_fenced="no",
                         statutory="yes")],
        "club.csv": [line(spender="club", spender_type="third_sector", amount="90000.00", cofog="08.1")],
        "parish.csv": [line(spender="parish", spender_type="parish", amount="40000.00", cofog="08.1", **no)],
    }


class AnalyseCli:
    """Runs `placespend --db DB analyse ...` in process."""

    def __init__(self, db: Any) -> None:
        self.db, self.app, self.runner = db, main_app, CliRunner()

    def __call__(self, *args: str, expect: int | None = 0) -> Any:
        result = self.runner.invoke(self.app, ["--db", str(self.db), "analyse", *map(str, args)])
        if expect is not None:
            assert result.exit_code == expect, f"exit {result.exit_code}: {result.output}\n{result.exception!r}"
        return result

    def json(self, *args: str) -> Any:
        import json

        return json.loads(self(*args, "--format", "json").stdout)


def build_ledger(cli: Any, make_csv: Any) -> Any:
    """Ingest the hand-worked ledger above through the real CLI; returns the CLI for further commands."""
    cli("ingest", *[make_csv(name, rows) for name, rows in ledger_files().items()])
    return cli


def read(db: Any, engine: str = "duckdb") -> Any:
    """A read connection to the test workspace on `engine`, for calling the analyses directly."""
    from placespend.app.workspace import open_workspace, read_on

    return read_on(open_workspace(db), engine)
