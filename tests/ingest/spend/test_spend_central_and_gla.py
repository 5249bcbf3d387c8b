"""The GLA's spend (2008-2013 consolidation and 2013-14 periods) and the Cabinet Office's over GBP 25k.

The counts of London (E12000007, the GLA's area) and England (E92000001, a central department's place) are
checked year by year against sums computed here from the raw files with the csv module.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

from spend_helpers import count_total, data_dir, import_json


def fy(date: dt.date) -> str:
    start = date.year if date.month >= 4 else date.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def text_of(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def pounds(text: str) -> Decimal:
    """'(1,010.10)' is a credit of 1010.10, as the GLA writes them."""
    text = text.replace(",", "")
    return -Decimal(text[1:-1]) if text.startswith("(") else Decimal(text)


def by_year(files: list[Path], amount: str, date: str) -> tuple[Counter[str], dict[str, list[int]]]:
    """Amounts by financial year of `date`, reading each row by the header's names; ragged rows by file."""
    years: Counter[str] = Counter()
    ragged: dict[str, list[int]] = {}
    for path in files:
        rows = list(csv.reader(io.StringIO(text_of(path), newline="")))
        head = rows[0]
        for number, cells in enumerate(rows[1:], start=2):
            if len(cells) > len(head):
                ragged.setdefault(path.name, []).append(number)
            record = dict(zip(head, cells, strict=False))
            years[fy(dt.date.fromisoformat(record[date]))] += pounds(record[amount])
    return years, ragged


def test_gla_2008_2013_counts_every_year_across_threshold_changes(cli):
    path = data_dir() / "spend-gla-2008-2013" / "gla_spend_over_250_500_1000_2008-2013_all.csv"
    expected, _ = by_year([path], "Amount", "Date")
    assert round(expected["2008-09"] / 1_000_000, 1) == Decimal("54.3")     # PROVENANCE: FY totals
    assert round(expected["2012-13"] / 1_000_000) == 543
    [result] = import_json(cli, path)
    assert result["outcome"] == "loaded" and not result["errors"]
    slugs = {w["slug"] for w in result["warnings"]}
    assert {"threshold-changed", "several-years", "spend-summary"} <= slugs
    changed = next(w for w in result["warnings"] if w["slug"] == "threshold-changed")["message"]
    assert "GBP 1,000 (included VAT)" in changed and "GBP 250 (excluded VAT)" in changed
    for year, amount in sorted(expected.items()):
        assert count_total(cli, "E12000007", year)[0] == amount, year


def test_gla_2013_14_periods_with_credits_ragged_rows_and_grants_to_boroughs(cli):
    files = sorted((data_dir() / "spend-odileeds" / "london_clean").glob("2013-P*.csv"))
    assert len(files) == 13
    expected, ragged = by_year(files, "Amount", "Clearing Date")
    assert list(ragged) == ["2013-P10.csv"] and 185 in ragged["2013-P10.csv"]
    results = {Path(r["file"]).name: r for r in import_json(cli, *files)}
    assert {r["outcome"] for r in results.values()} == {"loaded"}
    p10 = results["2013-P10.csv"]["warnings"]
    assert sorted(w["row"] for w in p10 if w["slug"] == "row-too-long") == ragged["2013-P10.csv"]
    assert all(w["value"] == "Contra" for w in p10 if w["slug"] == "row-too-long")
    total, payload = count_total(cli, "E12000007", "2013-14")
    assert total == expected["2013-14"]
    lewisham = next(r for r in payload["unreported_recipients"] if r["recipient"] == "london-borough-of-lewisham")
    assert lewisham["recipient_type"] == "local_authority" and Decimal(str(lewisham["amount"])) >= 12_700_000
    credits = sum(json.loads(next(w["value"] for w in r["warnings"] if w["slug"] == "spend-summary"))["credits"]
                  for r in results.values())
    assert credits > 200


def test_cabinet_office_2019_20_over_25k(cli):
    files = sorted((data_dir() / "spend-odileeds" / "cabinetoffice_clean").glob("*.csv"))
    expected, _ = by_year(files, "Amount", "Date")
    results = import_json(cli, *files)
    assert [r["outcome"] for r in results] == ["loaded"] * 12
    legacy = [Path(r["file"]).name for r in results if any(w["slug"] == "encoding-legacy" for w in r["warnings"])]
    assert legacy == ["2019-06.csv", "2019-07.csv", "2019-08.csv", "2019-09.csv", "2019-12.csv", "2020-03.csv"]
    for year in ("2019-20", "2020-21"):
        total, payload = count_total(cli, "E92000001", year)
        assert total == expected[year]
    _, payload = count_total(cli, "E92000001", "2019-20")
    assert set(payload["by_spender_type"]) >= {"central_government", "executive_agency"}


def test_cabinet_office_2010_11_over_25k(cli):
    files = sorted((data_dir() / "spend-odileeds" / "cabinetoffice_processed").glob("*.csv"))
    expected, _ = by_year(files, "Amount", "Payment Date")
    assert expected == {"2010-11": Decimal("369315923.61")}
    results = import_json(cli, *files)
    assert {r["outcome"] for r in results} == {"loaded"}
    assert count_total(cli, "E92000001", "2010-11")[0] == expected["2010-11"]
