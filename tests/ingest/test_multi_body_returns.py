"""A flows CSV holding several bodies' lines is one return per spender, loaded all or nothing (DESIGN.md §6).

`--submitter B` instead makes the whole file B's return (a partnership's compiled ledger). Both validation
paths (columnar and row by row) must store the same submissions.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from test_columnar_ingest import ingest_both, ledger

from placespend.app.demo import partnership

from conftest import line, snapshot, write_csv

PENNY = Decimal("0.01")


def one_file(folder: Path) -> Path:
    """The demo partnership's 41 returns as one CSV, as a partnership's finance team might send them."""
    files = partnership.write_partnership_csvs(folder / "returns")
    rows = [row for path in files for row in csv.DictReader(path.open(encoding="utf-8"))]
    return write_csv(folder / "lewisham-all-bodies.csv", rows, columns=list(partnership.COLUMNS))


def by_hand(path: Path) -> tuple[Counter[str], dict[str, Decimal]]:
    """Lines and counted pounds per spender, read with the csv module: amount x place_share to the penny."""
    lines: Counter[str] = Counter()
    money: dict[str, Decimal] = defaultdict(Decimal)
    for row in csv.DictReader(path.open(encoding="utf-8")):
        share = Decimal(row["place_share"] or "1")
        lines[row["spender"]] += 1
        money[row["spender"]] += (Decimal(row["amount"]) * share).quantize(PENNY, rounding=ROUND_HALF_UP)
    return lines, dict(money)


def test_a_multi_body_csv_loads_as_one_submission_per_spender(cli, tmp_path):
    path = one_file(tmp_path)
    lines, money = by_hand(path)
    assert len(lines) > 30
    [result] = cli.json("ingest", path)
    assert result["outcome"] == "loaded" and result["submitters"] == sorted(lines)
    stored = {s["submitter"]: s for s in cli.json("submissions")}
    assert set(stored) == set(lines)
    for body, count in lines.items():
        assert stored[body]["line_count"] == count, body
        assert Decimal(str(stored[body]["total_amount"])) == money[body], body
        assert stored[body]["file_name"] == path.name and stored[body]["live_slices"] >= 1
    assert sum(s["line_count"] for s in stored.values()) == sum(lines.values())
    # The same count as the demo's 41 separate returns: Table 1's B for Lewisham, to the penny.
    count = cli.json("count", "--place", "E09000023", "--year", "2008-09")
    assert Decimal(str(count["total"])) == Decimal("2290000000.00")
    assert cli.json("ingest", path)[0]["outcome"] == "unchanged"


def test_both_paths_store_the_same_submissions(tmp_path):
    path = write_csv(tmp_path / "three.csv", [
        line(amount="1000.00", capital_revenue="capital"),
        line(spender="pct", spender_type="nhs", cofog="07.3", amount="400.00", spender_name="NHS Lewisham"),
        line(spender="mpa", spender_type="police", cofog="03.1", amount="300.00", place="e09000011"),
        line(flow="transfer", recipient="pct", recipient_type="nhs", amount="250.00", recipient_name="Lewisham PCT"),
        line(spender="PCT ", spender_type="nhs", cofog="07.3", amount="0.50", spender_name="PCT (typo)"),
    ])
    rows, cols = ingest_both(tmp_path, [[path]])
    # Each body's name as each spender's return in turn gives it: pct's own return names it last.
    assert ("pct", "NHS Lewisham", "nhs") in ledger(tmp_path / "columnar-True" / "ws.duckdb")["bodies"]
    assert [part.submitter for part in cols[0][0].parts] == ["lbl", "mpa", "pct"]
    assert [(p.line_count, p.total) for p in rows[0][0].parts] == \
        [(2, Decimal("1250.00")), (1, Decimal("300.00")), (2, Decimal("400.50"))]
    submissions = ledger(tmp_path / "columnar-True" / "ws.duckdb")["submissions"]
    assert [(s[4], s[6], s[7]) for s in submissions] == \
        [("lbl", 2, Decimal("1250.00")), ("mpa", 1, Decimal("300.00")), ("pct", 2, Decimal("400.50"))]
    assert len({s[1] for s in submissions}) == 3 and all(s[1].count("#") == 1 for s in submissions)


def test_one_bad_line_of_one_body_loads_nothing(cli, tmp_path):
    cli("ingest", write_csv(tmp_path / "first.csv", [line(capital_revenue="capital")]))
    before = snapshot(cli.db.parent)
    path = write_csv(tmp_path / "three.csv", [line(), line(spender="pct", spender_type="nhs", cofog="07"),
                                              line(spender="mpa", spender_type="police", amount="12.345")])
    [result] = cli.json("ingest", path, expect=1)
    assert result["outcome"] == "rejected" and [(e["slug"], e["row"]) for e in result["errors"]] == \
        [("amount-too-precise", 4)]
    assert snapshot(cli.db.parent) == before


def test_a_guarded_body_in_a_multi_body_file_loads_nothing(cli, tmp_path):
    """One body's part would replace most of its previous return: the whole file waits for --replace."""
    cli("ingest", write_csv(tmp_path / "pct.csv", [line(spender="pct", spender_type="nhs", cofog="07",
                                                        amount=f"{n}00.00", line_id=str(n)) for n in range(1, 5)]))
    before = snapshot(cli.db.parent)
    path = write_csv(tmp_path / "both.csv", [line(capital_revenue="capital"),
                                             line(spender="pct", spender_type="nhs", cofog="07", amount="50.00")])
    [result] = cli.json("ingest", path, expect=1)
    assert [e["slug"] for e in result["errors"]] == ["replace-needs-confirmation"]
    assert "pct's new return for E09000023 2008-09 has 1 line" in result["errors"][0]["message"]
    assert snapshot(cli.db.parent) == before
    [result] = cli.json("ingest", path, "--replace")
    assert [s["submitter"] for s in result["submissions"]] == ["lbl", "pct"]
    assert sorted((s["submitter"], s["live_slices"]) for s in cli.json("submissions")) == \
        [("lbl", 1), ("pct", 0), ("pct", 1)]


def test_submitter_makes_the_whole_file_one_compiled_return(cli, tmp_path):
    path = write_csv(tmp_path / "ledger.csv", [line(amount="10.00"), line(spender="pct", spender_type="nhs",
                                                                          cofog="07", amount="20.00")])
    [result] = cli.json("ingest", path, "--submitter", "Lewisham Partnership")
    assert result["submitters"] == ["lewisham partnership"]
    [stored] = cli.json("submissions")
    assert (stored["submitter"], stored["line_count"], Decimal(str(stored["total_amount"]))) == \
        ("lewisham partnership", 2, Decimal("30.00"))
    # The compiled ledger's next version replaces the whole of it, not each body's lines.
    again = write_csv(tmp_path / "ledger-v2.csv", [line(amount="11.00"), line(spender="pct", spender_type="nhs",
                                                                              cofog="07", amount="20.00")])
    [result] = cli.json("ingest", again, "--submitter", "lewisham partnership")
    assert result["replaces"][0]["replaces_submission"] == stored["submission_id"]
    count = cli.json("count", "--place", "E09000023", "--year", "2008-09")
    assert Decimal(str(count["total"])) == Decimal("31.00")


def test_a_file_of_several_councils_imported_again_changes_nothing(cli, tmp_path):
    """An outturn file holds one submission per council (hashed `<file>#<council>`); the same file again is
    recognised, not inserted twice."""
    ids = ["", "", "", "", "C1R190", "C7R190", "C7R290", "C7R330", "C7R601", "C7R699", "C7R999"]
    path = tmp_path / "rsx.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([
            ["Worksheet 2: Revenue Outturn (RO) 2022-23: Service Expenditure Summary (RSX) data"], ids,
            ["E-code", "ONS Code", "Local authority", "Class", "Education - Employees (C1)", "Education - Net (C7)",
             "Highways - Net (C7)", "Children - Net (C7)", "Police - Net (C7)", "Total - Net (C7)", "x"],
            ["E7050", "E23000036", "Avon and Somerset PCC", "O", "5", "0", "0", "0", "300", "300", ""],
            ["E5013", "E09000012", "Hackney", "L", "5", "100", "0", "0", "0", "100", ""]])
    [first] = cli.json("import", path)
    assert first["outcome"] == "loaded" and len(cli.json("submissions")) == 2
    before = snapshot(cli.db.parent)
    [again] = cli.json("import", path)
    assert again["outcome"] == "unchanged" and snapshot(cli.db.parent) == before
