"""The app layer's ingest path as the CLI prints it: each file's outcome, the submissions it became, and the
reference imports, checked against the rows written and hashes computed here (DESIGN.md §6: one return per
spender, the same file twice changes nothing)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from placespend.app import ingest_files
from placespend.app.workspace import open_workspace
from placespend.engine.workspace import Workspace

from conftest import line


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def both_paths(tmp_path: Path) -> Iterator[tuple[bool, Workspace]]:
    """A new workspace for each reader of a return: the row path (the reference), then the columnar path."""
    for columnar in (False, True):
        yield columnar, open_workspace(tmp_path / f"columnar-{columnar}" / "ws.duckdb")


def test_a_file_of_two_spenders_prints_each_submission_with_its_lines_and_money(cli, make_csv):
    rows = [line(amount="1000.00", capital_revenue="capital"), line(amount="0.50", cofog="10.1"),
            line(spender="pct", spender_type="nhs", cofog="07.3", amount="400.00", capital_revenue="capital")]
    path = make_csv("two.csv", rows)
    [result, again] = cli.json("ingest", path, path)  # the same file twice in one batch: stored once
    stored = {s["submitter"]: s for s in cli.json("submissions")}
    assert (result["outcome"], result["submitter"], result["submitters"]) == ("loaded", None, ["lbl", "pct"])
    assert (result["lines"], Decimal(str(result["total"]))) == (3, Decimal("1000.00") + Decimal("0.50") + 400)
    assert [(s["submission_id"], s["submitter"], s["lines"], Decimal(str(s["total"])))
            for s in result["submissions"]] == [(stored["lbl"]["submission_id"], "lbl", 2, Decimal("1000.50")),
                                                (stored["pct"]["submission_id"], "pct", 1, Decimal("400.00"))]
    assert result["submission_id"] == stored["lbl"]["submission_id"] and result["replaces"] == []
    # Each spender's part is stored under the file's hash and its name; no warnings (both have capital lines).
    assert {who: (s["content_hash"], s["line_count"], s["warning_count"], s["status"]) for who, s in stored.items()} \
        == {who: (f"{sha256(path)}#{who}", n, 0, "accepted") for who, n in (("lbl", 2), ("pct", 1))}
    lbl = stored["lbl"]["submission_id"]
    assert (again["outcome"], again["submission_id"], again["lines"]) == ("unchanged", lbl, 0)
    # The file is kept once, named by its own SHA-256 (what a backup's check recomputes), not by a part's hash.
    assert {s["stored_name"] for s in stored.values()} == {f"{sha256(path)}.csv"}
    kept = cli.db.with_name(f"{cli.db.stem}.submissions") / f"{sha256(path)}.csv"
    assert kept.read_bytes() == path.read_bytes()


def test_a_one_spender_file_is_its_submitter_under_the_files_own_hash(cli, make_csv):
    path = make_csv("one.csv", [line(amount="12.34")])
    [result] = cli.json("ingest", path)
    [stored] = cli.json("submissions")
    assert (result["submitter"], result["submitters"], result["submission_id"]) == ("lbl", ["lbl"],
                                                                                    stored["submission_id"])
    # One warning (no capital lines) is counted on the submission; the CLI's returns are accepted.
    assert (stored["content_hash"], stored["status"], stored["warning_count"], len(result["warnings"])) == \
        (sha256(path), "accepted", 1, 1)
    assert [(s["submitter"], s["lines"], Decimal(str(s["total"]))) for s in result["submissions"]] == \
        [("lbl", 1, Decimal("12.34"))]
    # The same file again, in a later command: unchanged, naming the file and the submission it already is.
    [again] = cli.json("ingest", path)
    assert (again["outcome"], again["file"], again["submission_id"]) == ("unchanged", "one.csv",
                                                                         stored["submission_id"])


def test_a_reference_import_prints_its_reader_rows_and_import_once(cli, make_csv):
    stats = make_csv("stats.csv", [{"area": f"E0900000{i}", "period": "2019", "indicator": "population",
                                    "value": str(100 * i)} for i in (1, 2, 3)])
    [first] = cli.json("import", stats)
    assert (first["outcome"], first["reader"], first["rows"]) == ("loaded", "tidy-area-statistics",
                                                                  {"place_statistics": 3})
    [again] = cli.json("import", stats)
    assert (again["outcome"], again["import_id"], again["rows"]) == ("unchanged", first["import_id"], {})
    assert isinstance(first["import_id"], int)


def test_a_valid_file_rejected_with_its_batch_holds_no_lines(cli, make_csv):
    """A batch is all or nothing: the valid file of a batch with a bad one is loaded nowhere, and its result says
    so (no lines, no submissions), as a file rejected on its own does."""
    good = make_csv("good.csv", [line(amount="10.00"), line(amount="20.00")])
    bad = make_csv("bad.csv", [line(amount="ten pounds")])
    [kept, refused] = cli.json("ingest", good, bad, expect=1)
    assert refused["outcome"] == "rejected" and refused["errors"]
    assert (kept["outcome"], kept["lines"], Decimal(str(kept["total"])), kept["submissions"]) == \
        ("rejected", 0, Decimal("0.00"), [])
    assert "batch-rejected" in [w["slug"] for w in kept["warnings"]]
    assert not cli.db.exists()  # nothing stored: not even a workspace


def test_places_imported_from_a_reference_file_keep_their_declared_region(cli, make_csv):
    """A place definitions file read by `import` (the reference readers) keeps each place's region as the file
    declares it, and `places` lists it."""
    definitions = make_csv("places.csv", [
        {"place": "se-pilot", "name": "South East pilot", "area": "E09000023", "region": "E12000007"},
        {"place": "se-pilot", "name": "South East pilot", "area": "E09000022", "region": "E12000007"},
        {"place": "n-pilot", "name": "North pilot", "area": "E08000001", "region": ""}])
    [result] = cli.json("import", definitions)
    assert (result["outcome"], result["rows"]) == ("loaded", {"places": 3})
    listed = {row["place"]: row["region"] for row in cli.json("places")}
    assert listed["se-pilot"] == "E12000007" and not listed["n-pilot"]


def test_a_places_file_is_stored_and_counted_and_a_bad_one_stores_nothing(tmp_path, make_csv):
    """The places import the demo and the benchmarks use (`import_places`): a good file's places are stored and
    counted (a composite of two areas is one place), a bad file stores nothing and says it stored nothing."""
    ws = open_workspace(tmp_path / "ws.duckdb")
    good = make_csv("places.csv", [
        {"place": "se-pilot", "name": "South East pilot", "area": "E09000023"},
        {"place": "se-pilot", "name": "South East pilot", "area": "E09000022"},
        {"place": "n-pilot", "name": "North pilot", "area": "E08000001"}])
    report, saved = ingest_files.import_places(ws, good)
    assert report.ok and saved == 2
    with ws.read() as con:
        assert con.con.execute("SELECT place, area FROM place_areas ORDER BY 1, 2").fetchall() == [
            ("n-pilot", "E08000001"), ("se-pilot", "E09000022"), ("se-pilot", "E09000023")]
    bad = make_csv("bad.csv", [{"place": "w-pilot", "name": "West pilot", "area": ""}])
    report, saved = ingest_files.import_places(ws, bad)
    assert not report.ok and saved == 0
    with ws.read() as con:
        assert con.con.execute("SELECT count(*) FROM places WHERE place = 'w-pilot'").fetchall() == [(0,)]


def test_a_return_with_no_lines_is_the_named_bodys_on_both_paths(tmp_path):
    """A nil return (the header and no lines) sent for a named body is that body's submission, whichever reader
    takes it. No test held the columnar path to it: a mutant that dropped the named body there recorded the
    return under an empty submitter and survived."""
    path = tmp_path / "nil.csv"
    path.write_text(",".join(line()) + "\n", encoding="utf-8")
    for columnar, ws in both_paths(tmp_path):
        [result] = ingest_files.ingest_returns(ws, [path], submitter="lbl", columnar=columnar)
        assert (result.outcome, result.submitters, result.line_count) == ("loaded", ["lbl"], 0)
        assert [(s["submitter"], s["line_count"]) for s in ingest_files.submission_history(ws)] == [("lbl", 0)]


def test_a_large_line_is_held_against_the_named_submitters_previous_return_on_both_paths(tmp_path, make_csv):
    """With a submitter named (`ingest --submitter`), a line is compared with that submitter's previous return for
    its place and period, not with a return of the line's spender: 1,000.00 against a previous 100.00 is more than
    the previous total and its 25% margin, so the return is refused at the line's row and amount column, and for
    nothing else."""
    first = make_csv("first.csv", [line(amount="100.00")])
    second = make_csv("second.csv", [line(amount="1000.00")])
    for columnar, ws in both_paths(tmp_path):
        [loaded] = ingest_files.ingest_returns(ws, [first], submitter="national", columnar=columnar)
        [refused] = ingest_files.ingest_returns(ws, [second], submitter="national", columnar=columnar)
        assert loaded.outcome == "loaded" and refused.outcome == "rejected"
        amount = f"amount ({chr(ord('A') + list(line()).index('amount'))})"  # the header's name and its letter
        assert [(p.slug, p.row, p.column) for p in refused.report.problems if p.severity == "error"] == [
            ("amount-exceeds-previous-return", 2, amount)]


def test_a_partners_upload_with_another_bodys_line_is_refused_at_that_row_on_both_paths(tmp_path, make_csv):
    """A partner may only report its own body's money (`only_spender`, set for uploads): a file from lbl with
    one line of pct's is refused as a whole, naming that line's row and the spender column, and nothing is stored."""
    path = make_csv("upload.csv", [line(amount="10.00"), line(spender="pct", spender_type="nhs", amount="20.00")])
    for columnar, ws in both_paths(tmp_path):
        [result] = ingest_files.ingest_returns(ws, [path], submitter="lbl", only_spender="lbl", columnar=columnar,
                                               status="submitted")
        assert (result.outcome, result.submitters) == ("rejected", ["lbl"])
        assert [(p.slug, p.row, p.column) for p in result.report.problems if p.severity == "error"] == [
            ("spender-not-yours", 3, "spender")]
        # Nothing is stored: the workspace is not even created by a refused first batch.
        assert "'pct'" in result.report.errors[0].message and not (tmp_path / f"columnar-{columnar}").exists()
