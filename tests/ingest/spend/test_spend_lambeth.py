"""Lambeth's messy files: the June 2012 transaction report and the 2011-12 monthly supplier totals.

June 2012 has a nine-line preamble, cp1252 no-break spaces turned into daggers by a mirror, 639 rows in
which a date was fused with its neighbour, and a Total row. The expectations are computed here from the raw
text with a regular expression of the test's own, and checked against the publisher's own Total.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

from spend_helpers import count_total, data_dir, import_json

DATE_AND_AMOUNT = re.compile(r"(\d{2})/(\d{2})/(\d{4}),?(-?[\d,]+\.?\d*)$")


def fy(date: dt.date) -> str:
    start = date.year if date.month >= 4 else date.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def june_2012() -> Path:
    return data_dir() / "spend500-lambeth" / "2012-06-payments.csv"


def june_expectations() -> dict[str, object]:
    """By year, from supplier..amount cells joined back together: fused or not, a date then an amount end it."""
    rows = list(csv.reader(io.StringIO(june_2012().read_text(encoding="utf-8"), newline="")))
    assert rows[9][:3] == ["Body", "Department", "Supplier Name"]
    by_year: Counter[str] = Counter()
    fused, damaged, own_total = [], [], None
    for number, cells in enumerate(rows[10:], start=11):
        if cells and cells[0] == "Total":
            own_total = Decimal(cells[4])
            continue
        if not any(c.replace("†", "").strip() for c in cells):
            continue
        match = DATE_AND_AMOUNT.search(",".join(cells[2:-1]))
        day, month, year, amount = match.groups()
        by_year[fy(dt.date(int(year), int(month), int(day)))] += Decimal(amount)
        if len(cells) < 6:
            fused.append(number)
        if any("†" in c and c.replace("†", " ").strip() for c in cells):
            damaged.append(number)
    return {"by_year": by_year, "fused": fused, "damaged": damaged, "own_total": own_total}


def test_june_2012_loads_with_preamble_damage_and_fused_fields_handled_row_by_row(cli):
    expected = june_expectations()
    [result] = import_json(cli, june_2012())
    assert result["outcome"] == "loaded" and result["reader"] == "spend" and not result["errors"]
    warnings = result["warnings"]
    by_slug: dict[str, list[dict]] = {}
    for warning in warnings:
        by_slug.setdefault(warning["slug"], []).append(warning)
    assert [(w["row"], w["slug"]) for w in by_slug["preamble-skipped"]] == [(1, "preamble-skipped")]
    assert "row 10" in by_slug["preamble-skipped"][0]["message"]
    assert sorted(w["row"] for w in by_slug["fields-fused"]) == expected["fused"]
    assert len(expected["fused"]) == 639
    first = min(by_slug["fields-fused"], key=lambda w: w["row"])
    assert (first["row"], first["column"], first["value"]) == (19, "Invoice Creation Date (D)", "25/06/2012900")
    catch22 = next(w for w in by_slug["fields-fused"] if w["row"] == 441)
    assert (catch22["column"], catch22["value"]) == ("Supplier Name (C)", "Catch2212/06/2012")
    assert sorted({w["row"] for w in by_slug["encoding-repaired"]}) == expected["damaged"]
    assert "'GAS - GENERAL'" in next(w for w in by_slug["encoding-repaired"] if w["row"] == 291)["message"]
    assert [(w["row"], w["value"]) for w in by_slug["totals-row"]] == [(3167, "40292334.84")]
    figures = json.loads(by_slug["spend-summary"][0]["value"])
    assert Decimal(figures["amount_kept"]) == expected["own_total"] == sum(expected["by_year"].values())
    assert figures["rows_rejected"] == 0
    for year, amount in expected["by_year"].items():
        assert count_total(cli, "E09000022", year)[0] == amount


def supplier_totals(path: Path) -> tuple[Decimal, Decimal | None, int]:
    """Sum of supplier rows (two cells, a number second), the file's own Grand Total, unreadable rows."""
    text = path.read_bytes().decode("utf-8-sig")
    total, grand, unreadable = Decimal(0), None, 0
    for cells in csv.reader(io.StringIO(text, newline="")):
        name = cells[0].strip() if cells else ""
        if not name or name in {"Supplier Name", "Sum of Invoice Nett Amount"}:
            continue
        if name == "Grand Total":
            grand = Decimal(cells[1])
            continue
        try:
            total += Decimal(cells[1]) if len(cells) == 2 else Decimal("x")
        except (ArithmeticError, IndexError):
            unreadable += 1
    return total, grand, unreadable


def test_supplier_totals_load_when_the_profile_is_chosen(cli):
    folder = data_dir() / "spend500-lambeth"
    files = sorted(folder.glob("20??-??-payments.csv"))[:-1]   # 2011-01 .. 2012-05; June 2012 is transactions
    assert len(files) == 16
    results = {Path(r["file"]).name: r for r in import_json(cli, *files, "--kind", "spend:lambeth-supplier-totals")}
    by_year: Counter[str] = Counter()
    for path in files:
        total, grand, unreadable = supplier_totals(path)
        year = fy(dt.date(int(path.name[:4]), int(path.name[5:7]), 1))
        by_year[year] += total
        result = results[path.name]
        assert result["outcome"] == "loaded", result["errors"]
        figures = json.loads(next(w["value"] for w in result["warnings"] if w["slug"] == "spend-summary"))
        assert Decimal(figures["amount_kept"]) == total
        assert figures["rows_rejected"] == unreadable
        if grand is not None and not unreadable:
            assert total == grand, path.name   # the publisher's own Grand Total, to the penny
    november = results["2011-11-payments.csv"]["warnings"]
    assert [w["row"] for w in november if w["slug"] == "row-too-long"] == [912]
    assert [w["row"] for w in november if w["slug"] == "amount-not-number"] == [912]
    for year, amount in by_year.items():
        assert count_total(cli, "E09000022", year)[0] == amount


def test_supplier_totals_are_not_recognised_without_the_profile(cli):
    path = data_dir() / "spend500-lambeth" / "2011-04-payments.csv"
    [result] = import_json(cli, path, expect=1)
    assert [e["slug"] for e in result["errors"]] == ["kind-unrecognised"]
