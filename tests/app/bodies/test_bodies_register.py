"""The bodies register: name keys, rule suggestions, audited merges and their undo, and the effect on the count."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from placespend.app import ingest_files
from placespend.app.bodies import names
from placespend.app.bodies import register as bodies
from placespend.app.workspace import open_workspace
from placespend.cli import bodies_cmds
from placespend.count import consolidate
from placespend.domain.problems import PlacespendError
from placespend.engine.ledger import ledger_of
from placespend.engine.workspace import Workspace

from conftest import charity_spelled_two_ways

LEWISHAM = "E09000023"


@pytest.mark.parametrize(("spelling", "key"), [
    ("The Counselling & Family Centre Ltd.", "counselling and family centre"),
    ("COUNSELLING AND FAMILY CENTRE LIMITED", "counselling and family centre"),
    ("Counselling + Family Centre", "counselling and family centre"),
    ("Acme Co. Ltd", "acme company"),
    ("Age UK Trafford (Urmston Community Hub)", "age uk trafford urmston community hub"),
    ("Chainlink Community Cycles Community Interest Company", "chainlink community cycles"),
    ("The", "the"),
])
def test_name_key_folds_what_never_distinguishes_bodies(spelling: str, key: str) -> None:
    assert names.name_key(spelling) == key


def test_identifiers_and_canonical_preference() -> None:
    assert names.identifiers_of("GB-COH-7962245") == {("company", "07962245")}
    assert names.identifiers_of("e09000023") == {("gss", LEWISHAM)}
    ranked = sorted(["360g-x-cyril", "gb-coh-07962245", "e09000023"], key=names.preference)
    assert ranked == ["e09000023", "gb-coh-07962245", "360g-x-cyril"]


@pytest.fixture
def ws(tmp_path: Path, make_csv) -> Workspace:
    """Lewisham council spends 1,000 and grants 500 to a charity spelled two ways; the charity reports 500."""
    workspace = open_workspace(tmp_path / "ws" / "t.duckdb")
    charity_spelled_two_ways(workspace, tmp_path)
    return workspace


def _count(ws: Workspace) -> consolidate.CountResult:
    """The count: the ledger's live lines carry the register's canonical ids (engine.tables.active_flows)."""
    with ws.read() as con:
        return consolidate.count_place(ledger_of(con), LEWISHAM, "2008-09")


def test_suggest_finds_the_same_name_and_the_same_council(ws: Workspace) -> None:
    found = {(s.rule, tuple(s.bodies)) for s in bodies.suggest(ws)}
    assert ("same normalised name", ("gb-coh-07962245", "360g-x-cyril")) in found
    assert ("same local authority area", ("e09000023", "gb-lae-lew")) in found


def test_merge_counts_the_pound_once_and_undo_restores_it(ws: Workspace) -> None:
    before = _count(ws)
    assert before.total == Decimal("2010.00") and before.unreported_transfers == Decimal("510.00")
    merge_id = bodies.merge(ws, "360G-X-Cyril", "gb-coh-07962245", "Same charity: company 07962245", by="ann")
    after = _count(ws)
    assert after.total == Decimal("1500.00") and after.eliminated_transfers == Decimal("510.00")
    (merge,) = bodies.history(ws)
    assert (merge.merge_id, merge.merged, merge.into_body, merge.kind, merge.merged_by) == (
        merge_id, "360g-x-cyril", "gb-coh-07962245", "hand", "ann")
    bodies.undo(ws, merge_id, by="bob", reason="wrong charity")
    assert _count(ws).total == before.total
    (merge,) = bodies.history(ws)
    assert (merge.undone_by, merge.undo_reason, merge.live) == ("bob", "wrong charity", False)
    with ws.read() as con:
        stored = con.table("flows").recipient.to_pyarrow().to_pylist()
    assert "360g-x-cyril" in stored  # the ledger itself is never rewritten


def test_chains_resolve_and_loops_and_repeats_are_refused(ws: Workspace) -> None:
    first = bodies.merge(ws, "gb-lae-lew", "e09000023", "same council", by="ann")
    bodies.merge(ws, "360g-x-cyril", "gb-coh-07962245", "same charity", by="ann")
    with pytest.raises(PlacespendError, match="already merged"):
        bodies.merge(ws, "gb-lae-lew", "gb-coh-07962245", "no", by="ann")
    with pytest.raises(PlacespendError, match="loop"):
        bodies.merge(ws, "e09000023", "gb-lae-lew", "no", by="ann")
    with pytest.raises(PlacespendError, match="No body"):
        bodies.merge(ws, "nobody", "e09000023", "no", by="ann")
    with pytest.raises(PlacespendError, match="reason"):
        bodies.merge(ws, "gb-coh-07962245", "e09000023", " ", by="ann")
    bodies.merge(ws, "e09000023", "gb-coh-07962245", "a test chain", by="ann")
    assert bodies.canonical_of(ws, "gb-lae-lew") == "gb-coh-07962245"
    bodies.undo(ws, first, by="ann")
    assert bodies.canonical_of(ws, "gb-lae-lew") == "gb-lae-lew"
    assert bodies.canonical_of(ws, "e09000023") == "gb-coh-07962245"
    with pytest.raises(PlacespendError, match="already undone"):
        bodies.undo(ws, first, by="ann")


def test_apply_suggestions_records_rule_merges(ws: Workspace) -> None:
    ids = bodies.apply_suggestions(ws, bodies.suggest(ws), by="rules")
    assert len(ids) == 2 and bodies.suggest(ws) == []
    assert {(m.kind, m.rule) for m in bodies.history(ws)} == {("rule", "same normalised name"),
                                                              ("rule", "same local authority area")}
    listed = {b.body: b for b in bodies.list_bodies(ws)}
    assert listed["gb-coh-07962245"].aliases == ["360g-x-cyril"] and "360g-x-cyril" not in listed


def test_company_numbers_from_grants_files_are_a_rule(tmp_path: Path) -> None:
    path = tmp_path / "grants.csv"
    rows = [{"Identifier": f"g{n}", "Currency": "GBP", "Amount Awarded": "100", "Award Date": "2020-05-01",
             "Funding Org:Identifier": "GB-CHC-1", "Funding Org:Name": "Trust", "Recipient Org:Identifier": rid,
             "Recipient Org:Name": name, "Recipient Org:Company Number": "7962245",
             "Beneficiary Location:Geographic Code": LEWISHAM, "Title": "Befriending"}
            for n, (rid, name) in enumerate([("GB-COH-07962245", "Cyril Flint"), ("360G-t-cf", "CF Befrienders")])]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    ws = open_workspace(tmp_path / "ws.duckdb")
    assert ingest_files.import_reference(ws, path).outcome == "loaded"
    (suggestion,) = bodies.suggest(ws)
    assert (suggestion.rule, suggestion.bodies) == ("same company number", ["gb-coh-07962245", "360g-t-cf"])


def test_cli_merge_list_history_undo(ws: Workspace) -> None:
    app = typer.Typer()

    @app.callback()
    def main(ctx: typer.Context) -> None:
        ctx.obj = {"db": ws.path}

    bodies_cmds.register(app)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, ["bodies", *args])
        assert result.exit_code == code, result.output
        return result.stdout

    assert json.loads(run("suggest", "--format", "json"))["merge_ids"] == []
    assert "now counts as" in run("merge", "360g-x-cyril", "gb-coh-07962245", "--reason", "same charity", "--by", "ann")
    listed = json.loads(run("list", "--search", "cyril", "--format", "json"))
    assert [(b["body"], b["aliases"]) for b in listed] == [("gb-coh-07962245", ["360g-x-cyril"])]
    history = json.loads(run("history", "--format", "json"))
    assert history[0]["reason"] == "same charity" and history[0]["merged_by"] == "ann"
    assert "undone" in run("undo", "1", "--reason", "oops")
    assert "already undone" in runner.invoke(app, ["bodies", "undo", "1"]).output
    assert runner.invoke(app, ["bodies", "undo", "1"]).exit_code == 2
