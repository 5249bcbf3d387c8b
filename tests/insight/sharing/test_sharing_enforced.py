"""Sharing agreements enforced on the real commands (ICO data sharing code; DESIGN.md §7): `insight link`,
`overlap`, `unmatched` and `services` run only under a live agreement covering both owners and every field the
files carry, only for a named analyst where pairs come out; every run and every refusal is in the sharing
audit with the SHA-256 of its inputs; a run's pairs are purged after the agreement's retention, with a record."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from people_support import FIELDS, agreement_add
from placespend.app import sharing
from placespend.app.workspace import open_workspace
from placespend.insight.synthetic_people import make_partners

from conftest import Cli

OWNERS = ("--left-owner", "lbl", "--right-owner", "pct")


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("enforced")
    partners = make_partners(200, 160, 90, seed=21, error_rate=0.0, twin_share=0.0)
    (folder / "left.csv").write_text(partners.left_csv)
    (folder / "right.csv").write_text(partners.right_csv)
    cli = Cli(folder / "unused.duckdb")
    cli("insight", "keygen", "--out", folder / "k.key")
    for side in ("left", "right"):
        cli("insight", "pseudonymise", folder / f"{side}.csv", "--key", folder / "k.key", "--out",
            folder / f"{side}_t.csv")
    return folder


def _link(cli: Cli, files: Path, *extra: str, expect: int = 0):
    return cli("insight", "link", files / "left_t.csv", files / "right_t.csv", "--out", files / "pairs.csv",
               *OWNERS, *extra, expect=expect)


def _actions(db: Path) -> list[str]:
    return [entry["action"] for entry in sharing.audit_trail(open_workspace(db))]


def test_link_without_an_agreement_is_refused_and_audited(cli, db, files):
    (files / "pairs.csv").unlink(missing_ok=True)
    result = _link(cli, files, "--as", "analyst", expect=2)
    assert "no sharing agreement covers the parties lbl, pct" in " ".join(result.output.split())
    assert not (files / "pairs.csv").exists()
    assert _actions(db) == ["refused"]


def test_an_agreement_missing_a_field_the_files_carry_is_not_enough(cli, db, files):
    cli("insight", *agreement_add("narrow", fields=tuple(f for f in FIELDS if f != "x_service")))
    result = _link(cli, files, "--as", "analyst", expect=2)
    assert "agreement narrow does not cover the fields x_service" in " ".join(result.output.split())
    overlap = cli("insight", "overlap", files / "left_t.csv", files / "right_t.csv", "--by", "x_ward", *OWNERS,
                  "--as", "analyst", expect=2)
    assert "does not cover the fields x_service" in " ".join(overlap.output.split())
    assert _actions(db) == ["agreement.add", "refused", "refused"]


def test_only_a_named_analyst_gets_pairs(cli, db, files):
    cli("insight", *agreement_add("bolton"))
    result = _link(cli, files, "--as", "someone_else", expect=2)
    assert "only the analysts named in agreement bolton (analyst)" in " ".join(result.output.split())
    _link(cli, files, "--as", "analyst")
    assert (files / "pairs.csv").exists()


def test_a_party_outside_the_agreement_is_refused(cli, db, files):
    cli("insight", *agreement_add("bolton"))
    result = cli("insight", "overlap", files / "left_t.csv", files / "right_t.csv", "--by", "x_ward",
                 "--left-owner", "lbl", "--right-owner", "police", "--as", "analyst", expect=2)
    assert "no sharing agreement covers the parties lbl, police" in " ".join(result.output.split())


def test_files_without_owners_are_refused(cli, db, files):
    cli("insight", *agreement_add("bolton"))
    result = cli("insight", "link", files / "left_t.csv", files / "right_t.csv", "--out", files / "p.csv",
                 "--as", "analyst", expect=2)
    assert "say which body owns its records" in " ".join(result.output.split())


def test_a_threshold_below_the_default_is_refused_before_anything_runs(cli, db, files):
    cli("insight", *agreement_add("bolton"))
    for command in ("overlap", "unmatched"):
        result = cli("insight", command, files / "left_t.csv", files / "right_t.csv", "--by", "x_ward", *OWNERS,
                     "--as", "analyst", "--threshold", "9", expect=2)
        assert "cannot be lower than 10" in " ".join(result.output.split())
    assert sharing.runs(open_workspace(db), "bolton") == []


def test_every_run_is_audited_with_its_inputs_and_what_it_published(cli, db, files):
    cli("insight", *agreement_add("bolton", extra=("--threshold", "12", "--rounding", "5")))
    _link(cli, files, "--as", "analyst")
    overlap = cli.json("insight", "overlap", files / "left_t.csv", files / "right_t.csv", "--by", "x_ward",
                       *OWNERS, "--as", "analyst", "--threshold", "10")
    assert overlap["threshold"] == 12 and overlap["rounding"] == 5  # the agreement's floor and rounding hold
    assert all(v is None or v % 5 == 0 for g in overlap["groups"] for k, v in g.items() if k != "group")
    unmatched = cli.json("insight", "unmatched", files / "left_t.csv", files / "right_t.csv", "--by", "x_ward",
                         *OWNERS, "--as", "analyst")
    services = cli.json("insight", "services", files / "left_t.csv", files / "right_t.csv", "--by", "x_ward",
                        "--owner", "lbl", "--owner", "pct", "--as", "analyst")
    ws = open_workspace(db)
    runs = sharing.runs(ws, "bolton")
    assert [r["kind"] for r in runs] == ["link", "overlap", "unmatched", "services"]
    digest = {side: hashlib.sha256((files / f"{side}_t.csv").read_bytes()).hexdigest() for side in ("left", "right")}
    assert all((r["left_fingerprint"], r["right_fingerprint"]) == (digest["left"], digest["right"]) for r in runs)
    assert [r["run_id"] for r in runs[1:]] == [overlap["run_id"], unmatched["run_id"], services["run_id"]]
    stored = json.loads(json.dumps(runs[1]["published"]))
    assert stored["groups"] == overlap["groups"]  # what was printed is what the audit says was published
    with open(files / "pairs.csv") as handle:
        printed_pairs = len(handle.readlines()) - 1
    with ws.read() as con:
        stored_pairs = con.con.execute("SELECT count(*) FROM linkage_pairs WHERE run_id = ?",
                                       [runs[0]["run_id"]]).fetchone()[0]
    assert stored_pairs == printed_pairs > 0
    assert _actions(db) == ["agreement.add", "run", "run", "run", "run"]


def test_a_link_runs_pairs_are_purged_after_retention_with_a_record(cli, db, files):
    cli("insight", *agreement_add("bolton"))
    _link(cli, files, "--as", "analyst")
    ws = open_workspace(db)
    [run] = sharing.runs(ws)
    with ws.write(changes_results=False) as con:  # 31 days pass (the agreement keeps results for 30)
        con.con.execute("UPDATE linkage_runs SET run_at = run_at - INTERVAL 31 DAY")
    purged = cli.json("insight", "purge")["purged"]
    assert [p["run_id"] for p in purged] == [run["run_id"]] and purged[0]["pairs_deleted"] > 0
    with ws.read() as con:
        assert con.con.execute("SELECT count(*) FROM linkage_pairs").fetchone()[0] == 0
    assert _actions(db) == ["agreement.add", "run", "purge"]


def test_a_retired_agreement_stops_linkage(cli, db, files):
    cli("insight", *agreement_add("bolton"))
    cli("insight", "agreement", "retire", "bolton", "--reason", "programme ended")
    result = _link(cli, files, "--as", "analyst", expect=2)
    assert "retired on" in result.output and "programme ended" in " ".join(result.output.split())
