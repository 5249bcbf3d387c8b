"""Properties of the flows CSV and template readers, over returns hypothesis makes up (DESIGN.md §3).

- Whatever valid lines a partner writes, in a CSV (both the columnar and the row path) or typed into the
  template's Spend sheet (numbers as Excel stores them, as doubles), the reader gives back exactly those
  lines: amounts to the penny, every field, in order.
- One bad cell anywhere is reported at its own row and column, and then no line at all is returned.
- Any text at all, read as a return, gives a report and never an exception.

The expected lines are the generated values themselves, written in their canonical forms (lower-case ids,
two-digit COFOG), so nothing here re-implements the reader.
"""

from __future__ import annotations

import csv
import io
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from test_columnar_ingest import line_rows

from placespend.app import ingest_files
from placespend.app.workspace import open_workspace
from placespend.domain import classifications as cls
from placespend.domain import vocabulary as v
from placespend.report.template import write_template

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PLACES = [f"E090000{n:02d}" for n in range(1, 34)]
COFOG = sorted(code for code in cls.cofog_names() if len(code) in (2, 4))
ids = st.from_regex(r"[a-z][a-z0-9_\-]{0,10}", fullmatch=True)
# Free text as partners write it: words that look like summaries ("Total refurbishment"), punctuation CSV
# must quote, accents, and anything else printable.
words = st.sampled_from(["Total refurbishment of the library", "total cost, phase 2", 'the "Hub"', "Café, Deptford",
                         "Grand Total Fitness Ltd", "SUBTOTAL of nothing", "line\nbreak", "#1 priority", "=SUM(A1)"])
texts = st.one_of(words, st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=30))
pennies = st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2, allow_nan=False)


@st.composite
def flow_line(draw) -> dict[str, Any]:
    year = draw(st.integers(1990, 2030))
    spender = draw(ids)
    row = {"period": f"{year}-{(year + 1) % 100:02d}", "place": draw(st.sampled_from(PLACES)), "spender": spender,
           "spender_type": draw(st.sampled_from(v.BODY_TYPES)), "flow": draw(st.sampled_from(["spend", "transfer"])),
           "amount": draw(pennies), "cofog": draw(st.sampled_from(COFOG)),
           "capital_revenue": draw(st.sampled_from(v.CAPITAL_REVENUE)), "basis": draw(st.sampled_from(v.BASES)),
           "place_share": draw(st.decimals(min_value=0, max_value=1, places=8, allow_nan=False)),
           "spender_name": draw(texts).strip() or None, "notes": draw(texts).strip() or None}
    if row["flow"] == "transfer":
        row["recipient"] = draw(ids.filter(lambda r: r != spender))
        row["recipient_type"] = draw(st.sampled_from(v.BODY_TYPES))
    return row


returns = st.lists(flow_line(), min_size=1, max_size=12)
COLUMNS = ["period", "place", "spender", "spender_type", "flow", "amount", "cofog", "recipient", "recipient_type",
           "capital_revenue", "basis", "place_share", "spender_name", "notes"]
AMOUNT_STYLES = [str, lambda d: f"{d:,}", lambda d: f"£{d:,.2f}", lambda d: f"{d.normalize():f}"]


def _csv(rows: list[dict[str, Any]], styles: list[int]) -> bytes:
    """The rows as a flows CSV; amounts written in the styles people type them in (1234.5, 1,234.50,
    £1,234.50), or as given where a test puts text there."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row, style in zip(rows, styles, strict=False):
        amount, share = row["amount"], row["place_share"]
        writer.writerow({**row, "amount": AMOUNT_STYLES[style](amount) if isinstance(amount, Decimal) else amount,
                         "place_share": f"{share:f}" if isinstance(share, Decimal) else share})
    return out.getvalue().encode("utf-8")


def _read(data: bytes, suffix: str, columnar: bool) -> ingest_files.IngestResult:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"return{suffix}"
        path.write_bytes(data)
        return ingest_files.validate_return(open_workspace(Path(folder) / "none.duckdb"), path, columnar=columnar,
                                       confirm_large=True)


def _lines(result: ingest_files.IngestResult) -> list[dict[str, Any]]:
    try:
        return line_rows(result) if result.report.ok else []
    finally:
        result.discard()


KEYS = ["period", "place", "spender", "spender_type", "flow", "amount", "cofog", "recipient", "recipient_type",
        "capital_revenue", "basis", "place_share", "spender_name", "notes"]


def _expected(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row.get(key) for key in KEYS}


def _as_read(line: dict[str, Any]) -> dict[str, Any]:
    return {key: line[key] for key in KEYS}


@SETTINGS
@given(rows=returns, styles=st.lists(st.integers(0, len(AMOUNT_STYLES) - 1), min_size=12, max_size=12))
@example(rows=[{"period": "2008-09", "place": "E09000023", "spender": "lbl", "spender_type": "local_authority",
                "flow": "spend", "amount": Decimal("1250.00"), "cofog": "10.2", "capital_revenue": "revenue",
                "basis": "outturn", "place_share": Decimal(1), "spender_name": None,
                "notes": "Total refurbishment of the library"}], styles=[0] * 12)
def test_a_written_csv_return_reads_back_exactly(rows, styles):
    for columnar in (True, False):
        result = _read(_csv(rows, styles), ".csv", columnar)
        assert result.report.ok, [(p.slug, p.row, p.column, p.message) for p in result.report.errors]
        assert [_as_read(line) for line in _lines(result)] == [_expected(row) for row in rows]


@SETTINGS
@given(rows=returns)
def test_lines_typed_into_the_template_read_back_exactly(rows):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "return.xlsx"
        write_template(path)
        book = load_workbook(path)
        sheet = book["Spend"]
        at = {cell.value: cell.column for cell in sheet[1]}
        for number, row in enumerate(rows, start=2):
            for name in COLUMNS:
                value = row.get(name)
                if isinstance(value, Decimal):  # typed as a number: Excel keeps a double
                    value = float(value)
                cell = sheet.cell(number, at[name], value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text that looks like a formula, as Excel keeps it when typed after '

        book.save(path)
        result = _read(path.read_bytes(), ".xlsx", columnar=False)
    assert result.report.ok, [(p.slug, p.row, p.column, p.message) for p in result.report.errors]
    assert [_as_read(line) for line in _lines(result)] == [_expected(row) for row in rows]


BAD_CELLS = {
    "period": st.sampled_from(["2008/09", "2008-10", "08-09", "FY2008", "2008"]),
    "place": st.sampled_from(["lewisham", "E0900002", "X09000023"]),
    "spender_type": st.sampled_from(["council", "LA", "nhs trust", "govt"]),
    "flow": st.sampled_from(["grant", "spent", "transfers"]),
    "amount": st.sampled_from(["ten", "12.345", "-1.00", "1.2.3", "£", "#VALUE!"]),
    "cofog": st.sampled_from(["11", "99.9", "10.99", "health"]),
    "capital_revenue": st.sampled_from(["capex", "opex"]),
    "basis": st.sampled_from(["forecast", "actuals"]),
    "place_share": st.sampled_from(["1.5", "-0.5", "half", "101%"]),
}


@SETTINGS
@given(rows=returns, data=st.data())
def test_one_bad_cell_is_reported_where_it_is_and_nothing_is_read(rows, data):
    index = data.draw(st.integers(0, len(rows) - 1))
    column = data.draw(st.sampled_from(sorted(BAD_CELLS)))
    bad = [dict(row) for row in rows]
    bad[index][column] = data.draw(BAD_CELLS[column])
    for columnar in (True, False):
        result = _read(_csv(bad, [0] * len(bad)), ".csv", columnar)
        assert not result.report.ok and _lines(result) == []
        where = {(p.row, (p.column or "").split(" ")[0]) for p in result.report.errors}
        assert (index + 2, column) in where, (column, bad[index][column], result.report.errors)


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=400) | st.binary(max_size=400).map(lambda b: b.decode("latin-1")))
def test_any_text_read_as_a_return_gives_a_report_not_an_exception(text):
    for columnar in (True, False):
        result = _read(text.encode("utf-8", "surrogatepass"), ".csv", columnar)
        assert result.outcome in {"loaded", "rejected"}
        assert all(p.message for p in result.report.problems)
        result.discard()
