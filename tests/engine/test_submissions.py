"""Files are stored unchanged, re-ingesting changes nothing, newer returns supersede older ones."""

from __future__ import annotations

import hashlib

from placespend.app.workspace import open_workspace
from placespend.engine.migrations import latest_version

from conftest import line, snapshot


def test_same_file_twice_changes_nothing(cli, db, make_csv):
    path = make_csv("lbl.csv", [line(amount="10.00"), line(amount="5.50", cofog="09.1", capital_revenue="capital")])
    first = cli.json("ingest", path)
    assert first[0]["outcome"] == "loaded" and first[0]["lines"] == 2
    before = snapshot(db.parent)
    again = cli.json("ingest", path)
    assert again[0]["outcome"] == "unchanged" and again[0]["submission_id"] == first[0]["submission_id"]
    assert snapshot(db.parent) == before


def test_stored_file_is_the_submitted_bytes(cli, db, make_csv):
    path = make_csv("lbl.csv", [line()])
    cli("ingest", path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    stored = open_workspace(db).stored_file(digest + ".csv")
    assert stored.read_bytes() == path.read_bytes()


def test_newer_return_supersedes_and_history_keeps_both(cli, make_csv):
    cli("ingest", make_csv("v1.csv", [line(amount="100.00")]))
    # The only body in the place restates 100 as 251: a guarded replacement, confirmed (supersession tests).
    cli("ingest", make_csv("v2.csv", [line(amount="250.00"), line(amount="1.00", cofog="07")]), "--replace",
        "--confirm-large")
    assert cli.json("count", "--place", "E09000023", "--year", "2008-09")["total"] == 251
    history = cli.json("submissions")
    assert [row["file_name"] for row in history] == ["v1.csv", "v2.csv"]
    assert history[0]["superseded_by"] == history[1]["submission_id"]
    assert history[0]["live_slices"] == 0 and history[1]["live_slices"] == 1


def test_supersession_is_per_place_and_period(cli, make_csv):
    cli("ingest", make_csv("both.csv", [line(amount="100.00"), line(amount="7.00", period="2009-10")]))
    cli("ingest", make_csv("new.csv", [line(amount="40.00", period="2009-10")]), "--replace", "--confirm-large")
    assert cli.json("count", "--place", "E09000023", "--year", "2008-09")["total"] == 100
    assert cli.json("count", "--place", "E09000023", "--year", "2009-10")["total"] == 40


def test_other_submitters_are_not_superseded(cli, make_csv):
    cli("ingest", make_csv("a.csv", [line(amount="100.00")]))
    cli("ingest", make_csv("b.csv", [line(spender="pct", spender_type="nhs", cofog="07", amount="30.00")]))
    assert cli.json("count", "--place", "E09000023", "--year", "2008-09")["total"] == 130


def test_schema_is_versioned(cli, db, make_csv):
    cli("ingest", make_csv("a.csv", [line()]))
    with open_workspace(db).read() as con:
        versions = [r[0] for r in con.con.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()]
    assert versions == list(range(1, latest_version() + 1))


def test_env_var_chooses_workspace(tmp_path, make_csv, monkeypatch):
    from typer.testing import CliRunner

    from placespend.cli.main import app

    target = tmp_path / "env.duckdb"
    monkeypatch.setenv("PLACESPEND_DB", str(target))
    result = CliRunner().invoke(app, ["ingest", str(make_csv("a.csv", [line()]))])
    assert result.exit_code == 0, result.output
    assert target.exists()


def test_outturn_is_not_replaced_by_a_later_budget(cli, make_csv):
    """A council's budget loaded after its outturn stays in the history; the count keeps the outturn."""
    cli("ingest", make_csv("outturn.csv", [line(amount="100.00", basis="outturn")]))
    cli("ingest", make_csv("budget.csv", [line(amount="90.00", basis="budget")]))
    assert cli.json("count", "--place", "E09000023", "--year", "2008-09")["total"] == 100
    cli("ingest", make_csv("outturn2.csv", [line(amount="101.00", basis="outturn")]))
    assert cli.json("count", "--place", "E09000023", "--year", "2008-09")["total"] == 101
    history = {row["file_name"]: row for row in cli.json("submissions")}
    assert history["budget.csv"]["live_slices"] == 0 and history["outturn.csv"]["live_slices"] == 0
    assert history["outturn2.csv"]["live_slices"] == 1


def test_a_budget_is_replaced_by_outturn(cli, make_csv):
    cli("ingest", make_csv("budget.csv", [line(amount="90.00", basis="budget")]))
    cli("ingest", make_csv("outturn.csv", [line(amount="100.00", basis="outturn")]))
    assert cli.json("count", "--place", "E09000023", "--year", "2008-09")["total"] == 100


def test_a_workspace_from_before_spend_submitters_were_bodies_is_brought_forward(cli, db, make_csv):
    """Workspaces that stored a body's monthly spend files as '<body>#<first>..<last>' list them as the body's
    own once opened; a body id that merely contains '#' is left as it is."""
    import duckdb

    cli("ingest", make_csv("a.csv", [line()]))
    cli("ingest", make_csv("b.csv", [line(spender="pct", spender_type="nhs", cofog="07")]))
    with duckdb.connect(str(db)) as raw:
        raw.execute("UPDATE submissions SET submitter = 'manchester-city-council#2019-04-01..2019-04-30' "
                    "WHERE submitter = 'lbl'")
        raw.execute("UPDATE submissions SET submitter = 'pct#2' WHERE submitter = 'pct'")
        raw.execute("DELETE FROM schema_version WHERE version >= 11")  # back to before schema 11
    with open_workspace(db).write(changes_results=False):
        pass  # opening to write brings the schema forward
    with open_workspace(db).read() as con:
        submitters = [r[0] for r in con.con.execute("SELECT submitter FROM submissions ORDER BY 1").fetchall()]
    assert submitters == ["manchester-city-council", "pct#2"]
