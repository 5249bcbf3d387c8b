"""Manchester, Newcastle and Gateshead's 2019-20 spend files through the real CLI, counted to the penny.

Every expectation is computed here from the raw files with the csv module, independently of the reader:
the count of the council's place for 2019-20 must equal the sum of the amount column (credits net off),
less Gateshead's income lines, which are reported apart. Gateshead's defects (ragged rows in 2019-11, the
renamed column in 2019-12, a text in the amount column in 2019-04) must be reported with their rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
from decimal import Decimal
from pathlib import Path

from spend_helpers import count_total, data_dir, import_json


def raw_rows(path: Path) -> list[list[str]]:
    text = gzip.decompress(path.read_bytes()).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def fy(date: dt.date) -> str:
    start = date.year if date.month >= 4 else date.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def summed(files: list[Path], amount: str, date: str, year: str) -> tuple[Decimal, int]:
    """Sum of `amount` over rows dated in `year`, and the number of rows (all must be dated and numeric)."""
    total, rows = Decimal(0), 0
    for path in files:
        table = raw_rows(path)
        head = table[0]
        for cells in table[1:]:
            record = dict(zip(head, cells, strict=True))
            if fy(dt.date.fromisoformat(record[date])) == year:
                total += Decimal(record[amount])
                rows += 1
    return total, rows


def summary(result: dict) -> dict:
    found = [w for w in result["warnings"] if w["slug"] == "spend-summary"]
    assert len(found) == 1, result["warnings"][:5]
    return json.loads(found[0]["value"])


def test_manchester_year_counts_its_net_amounts(cli):
    files = sorted((data_dir() / "spend-odileeds" / "manchester_clean").glob("*.csv.gz"))
    assert len(files) == 12
    expected, rows = summed(files, "Net Amount", "Invoice Payment Date", "2019-20")
    assert rows == 39_291 and expected == Decimal("857037958.07")   # PROVENANCE: 39,291 rows, GBP 857.0m
    results = import_json(cli, *files)
    assert [r["outcome"] for r in results] == ["loaded"] * 12
    assert all(r["reader"] == "spend" and not r["errors"] for r in results)
    assert sum(summary(r)["lines"] for r in results) == rows
    total, payload = count_total(cli, "E08000003", "2019-20")
    assert total == expected
    assert payload["lines"] == rows
    assert sum(Decimal(str(a)) for a in payload["by_cofog"].values()) == expected


def test_newcastle_credits_net_off(cli):
    files = sorted((data_dir() / "spend-odileeds" / "newcastle_clean").glob("*.csv.gz"))
    expected, rows = summed(files, "Total (excludes VAT)", "Paid Date", "2019-20")
    assert rows == 70_217 and expected == Decimal("576528548.50")
    credits = sum(1 for path in files for cells in raw_rows(path)[1:] if cells[-1].startswith("-"))
    assert credits > 1000
    results = import_json(cli, *files)
    assert [r["outcome"] for r in results] == ["loaded"] * 12
    assert sum(summary(r)["credits"] for r in results) == credits
    total, payload = count_total(cli, "E08000021", "2019-20")
    assert total == expected
    assert Decimal(str(payload["by_capital_revenue"]["capital"])) > 100_000_000


def gateshead_expected(files: list[Path]) -> dict[str, object]:
    """Expenditure and income by the first nine cells of each row, as the header names them."""
    spend = income = Decimal(0)
    ragged: dict[str, list[int]] = {}
    unreadable: list[tuple[str, int]] = []
    subtotals: list[tuple[str, int]] = []
    for path in files:
        table = raw_rows(path)
        width = 9
        for number, cells in enumerate(table[1:], start=2):
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                ragged.setdefault(path.name, []).append(number)
            subjective, amount, updated, period = cells[1], cells[7], cells[8], cells[5]
            if not any(c.strip() for i, c in enumerate(cells) if i != 7):   # an amount alone: a subtotal
                subtotals.append((path.name, number))
                continue
            try:
                value = Decimal(amount)
            except ArithmeticError:
                unreadable.append((path.name, number))
                continue
            year = fy(dt.date.fromisoformat(updated)) if updated else f"{period[:4]}-{int(period[2:4]) + 1:02d}"
            assert year == "2019-20"
            if subjective.startswith("Income"):
                income += value
            else:
                spend += value
    return {"spend": spend, "income": income, "ragged": ragged, "unreadable": unreadable, "subtotals": subtotals}


def test_gateshead_counts_expenditure_reports_income_and_defects(cli):
    files = sorted((data_dir() / "spend-odileeds" / "gateshead_clean").glob("*.csv.gz"))
    expected = gateshead_expected(files)
    assert len(expected["ragged"]["2019-11.csv.gz"]) == 26 and expected["unreadable"] == [("2019-04.csv.gz", 5422)]
    results = {Path(r["file"]).name: r for r in import_json(cli, *files)}
    assert {r["outcome"] for r in results.values()} == {"loaded"}
    total, _ = count_total(cli, "E08000037", "2019-20")
    assert total == expected["spend"]
    income = sum(Decimal(summary(r)["income_amount"]) for r in results.values())
    assert income == expected["income"]
    excluded = [w for r in results.values() for w in r["warnings"] if w["slug"] == "income-excluded"]
    assert sum(Decimal(w["value"]) for w in excluded) == expected["income"]
    november = results["2019-11.csv.gz"]["warnings"]
    assert sorted(w["row"] for w in november if w["slug"] == "row-too-long") == expected["ragged"]["2019-11.csv.gz"]
    assert all(w["column"] == "J" for w in november if w["slug"] == "row-too-long")
    december = results["2019-12.csv.gz"]["warnings"]
    variant = [w for w in december if w["slug"] == "header-variant"]
    assert [(w["row"], w["column"], w["value"]) for w in variant] == [(1, "Nstrg(T) (A)", "Nstrg(T)")]
    april = results["2019-04.csv.gz"]["warnings"]
    bad = [w for w in april if w["slug"] == "amount-not-number"]
    assert [(w["row"], w["column"]) for w in bad] == [(5422, "Amount (H)")]
    assert summary(results["2019-04.csv.gz"])["rows_rejected"] == 1
    assert expected["subtotals"] == [("2019-08.csv.gz", 3382)]
    subtotal = [w for w in results["2019-08.csv.gz"]["warnings"] if w["slug"] == "subtotal-row"]
    assert [(w["row"], w["column"], w["value"]) for w in subtotal] == [(3382, "Amount (H)", "19686.83")]


def test_a_month_imported_twice_changes_nothing_and_months_add_up(cli):
    files = sorted((data_dir() / "spend-odileeds" / "manchester_clean").glob("*.csv.gz"))[:2]
    expected, _ = summed(files, "Net Amount", "Invoice Payment Date", "2019-20")
    import_json(cli, files[0])
    import_json(cli, files[1])
    again = import_json(cli, files[0])
    assert again[0]["outcome"] == "unchanged"
    total, _ = count_total(cli, "E08000003", "2019-20")
    assert total == expected
    listed = cli.json("submissions")
    # The council's months are one partner's submissions (DESIGN.md §6: the submitter is the body).
    assert [s["submitter"] for s in listed] == ["manchester-city-council"] * 2


def test_a_reissued_month_replaces_that_month_only(cli, tmp_path):
    """A council re-publishes April without one payment: April's first issue is superseded, May still counts."""
    april, may = sorted((data_dir() / "spend-odileeds" / "manchester_clean").glob("*.csv.gz"))[:2]
    table = raw_rows(april)
    dates = [dt.date.fromisoformat(dict(zip(table[0], cells, strict=True))["Invoice Payment Date"])
             for cells in table[1:]]
    dropped = next(i for i, day in enumerate(dates, start=1) if min(dates) < day < max(dates))
    amount = Decimal(dict(zip(table[0], table[dropped], strict=True))["Net Amount"])
    reissue = tmp_path / "reissue" / april.name
    reissue.parent.mkdir()
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\r\n").writerows(table[:dropped] + table[dropped + 1:])
    reissue.write_bytes(gzip.compress(text.getvalue().encode("utf-8")))
    expected, _ = summed([april, may], "Net Amount", "Invoice Payment Date", "2019-20")
    import_json(cli, april, may)
    [result] = import_json(cli, reissue)
    assert result["outcome"] == "loaded"
    total, _ = count_total(cli, "E08000003", "2019-20")
    assert total == expected - amount
    listed = cli.json("submissions")
    assert [s["submitter"] for s in listed] == ["manchester-city-council"] * 3
    assert len(listed) == 3
