"""The generated template, filled as a finance officer would (with openpyxl), ingests and counts correctly."""

from __future__ import annotations

from decimal import Decimal

from openpyxl import load_workbook

from placespend.domain import vocabulary as v
from placespend.domain.flow_columns import COLUMNS

FILLED = [
    # spender, type, flow, amount, cofog, recipient, recipient_type, place_share, capital_revenue
    ("lbl", "local_authority", "spend", 1_000_000.00, "10.2", None, None, None, "revenue"),
    ("lbl", "local_authority", "spend", 250_000.50, "09.1", None, None, None, "capital"),
    ("lbl", "local_authority", "transfer", 40_000.00, "10.7", "foodbank", "third_sector", None, "revenue"),
    ("lbl", "local_authority", "spend", 2_400_000.00, "03.1", None, None, 0.045, "revenue"),
]


def test_template_has_sheets_dropdowns_and_examples(cli, tmp_path):
    out = tmp_path / "return.xlsx"
    cli("template", out)
    book = load_workbook(out)
    assert book.sheetnames[:4] == ["Instructions", "Spend", "Bodies", "Examples"]
    spend = book["Spend"]
    assert [c.value for c in spend[1]] == [c.name for c in COLUMNS]
    validated = {str(rule.sqref).split(":")[0]: rule.formula1 for rule in spend.data_validations.dataValidation}
    headers = {c.value: c.column_letter for c in spend[1]}
    for name in ("spender_type", "flow", "cofog", "basis", "apportionment", "capital_revenue"):
        assert f"{headers[name]}2" in validated, f"no drop-down on {name}"
    lists = book["Lists"]
    assert lists.sheet_state == "hidden"
    column = next(c for c in lists[1] if c.value == "spender_type").column_letter
    assert [lists[f"{column}{r}"].value for r in range(2, len(v.BODY_TYPES) + 2)] == list(v.BODY_TYPES)
    assert book["Examples"].max_row >= 4


def test_filled_template_ingests_cleanly_and_counts(cli, tmp_path):
    out = tmp_path / "return.xlsx"
    cli("template", out)
    book = load_workbook(out)
    sheet = book["Spend"]
    at = {c.value: c.column for c in sheet[1]}
    for row, (spender, kind, flow, amount, cofog, recipient, rtype, share, cap) in enumerate(FILLED, start=2):
        values = {"period": "2008-09", "place": "E09000023", "spender": spender, "spender_type": kind, "flow": flow,
                  "amount": amount, "cofog": cofog, "recipient": recipient, "recipient_type": rtype,
                  "place_share": share, "capital_revenue": cap,
                  "apportionment": "body_estimate" if share else None}
        for name, value in values.items():
            if value is not None:
                sheet.cell(row, at[name], value)
    book["Bodies"].append(["lbl", "London Borough of Lewisham", "local_authority"])
    book.save(out)
    result = cli.json("ingest", out)[0]
    assert result["outcome"] == "loaded", result["errors"]
    assert result["errors"] == []
    count = cli.json("count", "--place", "E09000023", "--year", "2008-09")
    # Independent arithmetic: the transfer goes to a body that reports nothing, so it is counted.
    expected = Decimal("1000000.00") + Decimal("250000.50") + Decimal("40000.00") + Decimal("108000.00")
    assert Decimal(str(count["total"])) == expected
    assert Decimal(str(count["unreported_transfers"])) == Decimal("40000.00")
    assert Decimal(str(count["by_method"]["estimated"])) == Decimal("108000.00")
    explained = cli.json("explain", "--place", "E09000023", "--year", "2008-09", "--cofog", "03")
    assert [(r["file_name"], r["source_sheet"], r["source_row"]) for r in explained] == [("return.xlsx", "Spend", 5)]
