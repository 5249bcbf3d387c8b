"""Sharing agreements enforced (issue "Customer insight II", point 4): the register through the real CLI,
`require_agreement` refusing with what is missing, every run audited, and retention purging stored pairs."""

from __future__ import annotations

import datetime as dt

import pytest

from placespend.app import sharing
from placespend.app.workspace import open_workspace
from placespend.domain.problems import PlacespendError

FUTURE = (dt.date.today() + dt.timedelta(days=200)).isoformat()


def add(cli, agreement_id: str = "falls", *extra: str) -> None:
    cli("insight", "agreement", "add", agreement_id, "--purpose", "Falls prevention: who is known to both",
        "--legal-basis", "public task", "--special-basis", "9(2)(h)", "--party", "lbl", "--party", "pct",
        "--field", "postcode", "--field", "date_of_birth", "--field", "x_ward", "--analyst", "analyst",
        "--review-date", FUTURE, "--retention-days", "30", *extra)


def test_an_agreement_is_registered_listed_and_shown(cli):
    add(cli)
    [listed] = cli.json("insight", "agreement", "list")
    assert listed["parties"] == ["lbl", "pct"] and listed["legal_basis"] == "6(1)(e)"
    assert listed["special_basis"] == "9(2)(h)" and listed["problem"] is None
    shown = cli.json("insight", "agreement", "show", "falls")
    assert [entry["action"] for entry in shown["audit"]] == ["agreement.add"]


def test_a_basis_outside_article_6_is_refused_naming_the_choices(cli):
    result = cli("insight", "agreement", "add", "x", "--purpose", "p", "--legal-basis", "because",
                 "--party", "a", "--party", "b", "--field", "postcode", "--analyst", "analyst",
                 "--review-date", FUTURE, "--retention-days", "1", expect=2)
    text = " ".join(result.output.split())  # Rich wraps long lines
    assert "not a UK GDPR Art. 6 basis" in text and "6(1)(e) public task" in text


def test_require_agreement_names_what_is_missing(cli, db):
    ws = open_workspace(db)
    with pytest.raises(PlacespendError, match="no sharing agreement covers the parties lbl, pct"):
        sharing.require_agreement(ws, ["lbl", "pct"], ["postcode"])
    add(cli)
    assert sharing.require_agreement(ws, ["LBL", "pct"], ["postcode", "x_ward"]).agreement_id == "falls"
    with pytest.raises(PlacespendError, match="does not cover the fields surname"):
        sharing.require_agreement(ws, ["lbl", "pct"], ["postcode", "surname"])
    cli("insight", "agreement", "retire", "falls", "--reason", "programme ended")
    with pytest.raises(PlacespendError, match=r"retired on .* \(programme ended\)"):
        sharing.require_agreement(ws, ["lbl", "pct"], ["postcode"])
    refusals = [e for e in sharing.audit_trail(ws) if e["action"] == "refused"]
    assert len(refusals) == 3  # the first has no agreement to file it under, but is audited all the same


def test_an_agreement_past_its_end_date_is_expired(cli, db):
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    add(cli, "old", "--retain-until", yesterday)
    with pytest.raises(PlacespendError, match=f"agreement old expired on {yesterday}"):
        sharing.require_agreement(open_workspace(db), ["lbl", "pct"], ["postcode"])


def test_a_run_is_audited_and_purged_after_its_retention(cli, db):
    add(cli)
    ws = open_workspace(db)
    found = sharing.require_agreement(ws, ["lbl", "pct"], ["postcode"])
    run_id = sharing.save_run(ws, found, "link", "analyst", "lbl", "pct", "a" * 64, "b" * 64,
                              pairs=[("L1", "R1", 0.99), ("L2", "R7", 0.95)], left_records=40, right_records=30)
    [run] = sharing.runs(ws)
    # 2 linked of 40 and 30: 38 / 2 / 28 with total 68; 2 is small, and a lone row's total gives it away
    # from the other two, so the protected summary withholds 2 and at least one more.
    [group] = run["published"]["groups"]
    assert group["both"] is None and [group["left_only"], group["right_only"]].count(None) >= 1
    assert cli.json("insight", "purge") == {"purged": []}  # within 30 days: kept
    with ws.write(changes_results=False) as con:
        con.con.execute("UPDATE linkage_runs SET run_at = run_at - INTERVAL 31 DAY")
    purged = cli.json("insight", "purge")["purged"]
    assert [(p["run_id"], p["pairs_deleted"]) for p in purged] == [(run_id, 2)]
    with ws.read() as con:
        assert con.con.execute("SELECT count(*) FROM linkage_pairs").fetchone()[0] == 0
    actions = [e["action"] for e in sharing.audit_trail(ws, "falls")]
    assert actions == ["agreement.add", "run", "purge"]
    run_entry = next(e for e in sharing.audit_trail(ws) if e["action"] == "run")
    assert run_entry["detail"]["left_fingerprint"] == "a" * 64 and run_entry["detail"]["pairs"] == 2


def test_a_run_summary_is_rounded_as_the_agreement_asks(cli, db):
    add(cli, "rounded", "--rounding", "5", "--threshold", "10")
    ws = open_workspace(db)
    found = sharing.agreement(ws, "rounded")
    run_id = sharing.save_run(ws, found, "link", "analyst", "lbl", "pct", "c" * 64, "d" * 64,
                              pairs=[(f"L{i}", f"R{i}", 0.9) for i in range(12)], left_records=40, right_records=30)
    # 28 / 12 / 18, total 58: nothing below 10, each rounded to the nearest 5 (halves up)
    [group] = sharing.run_summary(ws, run_id)["published"]["groups"]
    assert (group["left_only"], group["both"], group["right_only"], group["total"]) == (30, 10, 20, 60)


def test_an_agreement_cannot_lower_the_disclosure_threshold(cli, db):
    """An agreement may ask for more suppression than the default, never less: counts of 1 to 9 stay withheld."""
    result = cli("insight", "agreement", "add", "small", "--purpose", "p", "--legal-basis", "public task",
                 "--party", "a", "--party", "b", "--field", "postcode", "--analyst", "analyst",
                 "--review-date", FUTURE, "--retention-days", "1", "--threshold", "5", expect=2)
    assert "cannot be lower than 10" in " ".join(result.output.split())
    assert sharing.agreements(open_workspace(db)) == []


def test_an_overdue_review_stops_sharing_until_one_is_recorded(cli, db):
    add(cli)
    ws = open_workspace(db)
    with ws.write(changes_results=False) as con:
        con.con.execute("UPDATE sharing_agreements SET review_date = current_date - 1")
    with pytest.raises(PlacespendError, match="due for review"):
        sharing.require_agreement(ws, ["lbl", "pct"], ["postcode"])
    cli("insight", "agreement", "review", "falls", "--next", FUTURE)
    assert sharing.require_agreement(ws, ["lbl", "pct"], ["postcode"]).review_date.isoformat() == FUTURE


def test_an_input_fingerprint_is_the_sha256_of_its_bytes(tmp_path):
    import hashlib

    from placespend.ingest.fingerprint import file_fingerprint

    path = tmp_path / "left.csv"
    path.write_bytes(b"record_id,x_ward\nL1,E05000001\n")
    assert file_fingerprint(path) == hashlib.sha256(b"record_id,x_ward\nL1,E05000001\n").hexdigest()
