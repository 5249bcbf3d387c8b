"""A corpus of defective spend files, each made from a real one, and the report each must give.

The base is the header and first 30 rows of Manchester's April 2019 file. Every case damages it the way real
publications are damaged and names the problem it must produce: its slug, its row (as a spreadsheet numbers
the CSV) and its column ('Net Amount (F)': the name and the letter). A bad row never stops the others from
loading; only a file with nothing readable is refused.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from spend_helpers import data_dir, import_json

from placespend.ingest.registry import read_reference

HEADER = ["Body Name", "Service Area", "Expenses Type", "Invoice Payment Date", "Transaction Number", "Net Amount",
          "Supplier Name"]
DATE, AMOUNT = "Invoice Payment Date (D)", "Net Amount (F)"
ANY = -1


def base() -> list[list[str]]:
    path = data_dir() / "spend-odileeds" / "manchester_clean" / "2019-04.csv.gz"
    rows = list(csv.reader(io.StringIO(gzip.decompress(path.read_bytes()).decode("utf-8"), newline="")))
    assert rows[0] == HEADER
    return [list(r) for r in rows[:31]]


def text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def edit(row: int, column: int, value: str) -> Callable[[list[list[str]]], list[list[str]]]:
    """Set one cell; `row` is the spreadsheet row number (the header is row 1)."""
    def apply(rows: list[list[str]]) -> list[list[str]]:
        rows[row - 1][column] = value
        return rows
    return apply


def rows_case(*changes: Callable[[list[list[str]]], list[list[str]]], encoding: str = "utf-8") -> Callable[..., bytes]:
    def make(rows: list[list[str]]) -> bytes:
        for change in changes:
            rows = change(rows)
        return text(rows).encode(encoding)
    return make


def text_case(change: Callable[[str], str], encoding: str = "utf-8") -> Callable[..., bytes]:
    return lambda rows: change(text(rows)).encode(encoding)


def insert(at: int, *new: list[str]) -> Callable[[list[list[str]]], list[list[str]]]:
    return lambda rows: [*rows[:at - 1], *[list(r) for r in new], *rows[at - 1:]]


def mixed_encodings(rows: list[list[str]]) -> bytes:
    rows[3][6] = "Café Nero"
    data = text(rows).encode("utf-8").splitlines(keepends=True)
    data[4] = data[4].replace(b"\n", b"").rstrip() + "Crêperie".encode("cp1252") + b"\n"
    return b"".join(data)


def truncated_gzip(rows: list[list[str]]) -> bytes:
    packed = gzip.compress(text(rows * 40).encode("utf-8"))
    return packed[:len(packed) // 2]


@dataclass
class Case:
    make: Callable[[list[list[str]]], bytes]
    expect: list[tuple[str, int | None, str | None]]   # (slug, row, column) that must be reported; row ANY: any
    loads: bool = True
    lines: int | None = None                          # lines kept, when it matters
    suffix: str = ".csv"
    kind: str | None = None                           # --kind, where recognition itself cannot work


NEW_HEADER = ["Body Name", "Service Area", "Expense Type", "Payment Date", "Transaction Number", "Net Amount",
              "Supplier Name"]

CASES: dict[str, Case] = {
    "truncated mid-row": Case(text_case(lambda t: t[:t.rindex("\n", 0, len(t) - 1) + 1] + t.splitlines()[-1][:60]),
                              [("row-too-short", 31, AMOUNT)], lines=29),
    "truncated gzip": Case(truncated_gzip, [("file-truncated", ANY, None)], suffix=".csv.gz", kind="spend"),
    "impossible date": Case(rows_case(edit(5, 3, "2019-02-30")), [("date-invalid", 5, DATE)], lines=29),
    "date out of range": Case(rows_case(edit(6, 3, "1899-04-01")), [("date-out-of-range", 6, DATE)], lines=29),
    "blank date": Case(rows_case(edit(7, 3, "")), [("date-missing", 7, DATE)], lines=29),
    "amount not a number": Case(rows_case(edit(6, 5, "N/A")), [("amount-not-number", 6, AMOUNT)], lines=29),
    "blank amount": Case(rows_case(edit(7, 5, "")), [("amount-missing", 7, AMOUNT)], lines=29),
    "amount with three decimals": Case(rows_case(edit(8, 5, "12.345")), [("amount-rounded", 8, AMOUNT)], lines=30),
    "header repeated mid-file": Case(rows_case(insert(12, HEADER)), [("header-repeated", 12, None)], lines=30),
    "header changed mid-file": Case(rows_case(insert(12, NEW_HEADER)), [("header-changed", 12, None)], lines=30),
    "totals row": Case(rows_case(insert(32, ["Total", "", "", "", "", "123456.78", ""])),
                       [("totals-row", 32, None)], lines=30),
    "subtotal row": Case(rows_case(insert(20, ["", "", "", "", "", "9999.99", ""])), [("subtotal-row", 20, AMOUNT)],
                         lines=30),
    "mixed encodings": Case(mixed_encodings, [("encoding-mixed", 5, None)], lines=30),
    "MacRoman file": Case(rows_case(edit(3, 6, "Nestlé – Café"), encoding="mac_roman"),
                          [("encoding-legacy", None, None)], lines=30),
    "UTF-8 read as cp1252 by a mirror": Case(rows_case(edit(4, 6, "CafÃ© Rouge")),
                                             [("encoding-repaired", 4, "Supplier Name (G)")], lines=30),
    "missing amount column": Case(rows_case(lambda rows: [r[:5] + r[6:] for r in rows]),
                                  [("column-missing", 1, "Net Amount")], loads=False),
    "extra column": Case(rows_case(lambda rows: [[*r, "Notes" if i == 0 else "n"] for i, r in enumerate(rows)]),
                         [("column-unrecognised", 1, "Notes (H)")], lines=30),
    "header case and spaces": Case(rows_case(edit(1, 5, "  NET   amount "), edit(1, 0, "body_name")),
                                   [("header-variant", 1, "NET   amount (F)"), ("header-variant", 1, "body_name (A)")],
                                   lines=30),
    "row with too few cells": Case(rows_case(lambda rows: [*rows[:7], rows[7][:3], *rows[8:]]),
                                   [("row-too-short", 8, DATE)], lines=29),
    "row with trailing cells missing": Case(rows_case(lambda rows: [*rows[:7], rows[7][:6], *rows[8:]]),
                                            [("row-too-short", 8, "Supplier Name (G)")], lines=30),
    "row with too many cells": Case(rows_case(lambda rows: [*rows[:8], [*rows[8], "oops"], *rows[9:]]),
                                    [("row-too-long", 9, "H")], lines=30),
    "date fused with amount": Case(rows_case(lambda rows: [*rows[:13], [*rows[13][:3], rows[13][3] + rows[13][5],
                                                                        rows[13][4], rows[13][6]], *rows[14:]]),
                                   [("fields-fused", 14, DATE)], lines=30),
    "preamble above the header": Case(rows_case(lambda rows: [["Payments over £500"], ["April 2019"], [], *rows]),
                                      [("preamble-skipped", 1, None)], lines=30),
    "NUL bytes": Case(lambda rows: text(rows).encode("utf-8").replace(b"\n", b"\x00\n", 3), [("nul-bytes", None, None)],
                      lines=30),
    "empty file": Case(lambda rows: b"", [("file-empty", None, None)], loads=False, kind="spend"),
    "only a header": Case(rows_case(lambda rows: rows[:1]), [("file-no-payments", None, None)], lines=0),
    "every amount unreadable": Case(rows_case(lambda rows: [rows[0], *[[*r[:5], "x", r[6]] for r in rows[1:]]]),
                                    [("file-no-lines", None, None), ("amount-not-number", 31, AMOUNT)], loads=False),
    "another council in Manchester's layout": Case(
        rows_case(lambda rows: [rows[0], *[["Salford City Council", *r[1:]] for r in rows[1:]]]),
        [("spend-profile-missing", None, None)], loads=False),
    "UTF-16 with BOM": Case(lambda rows: text(rows).encode("utf-16"), [], lines=30),
}


@pytest.mark.parametrize("name", list(CASES))
def test_defective_file_gives_the_right_report(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    path = tmp_path / f"defect{case.suffix}"
    path.write_bytes(case.make(base()))
    report, reader, batches = read_reference(path, case.kind)
    found = [(p.slug, p.row, p.column) for p in report.problems]
    for slug, row, column in case.expect:
        matching = [f for f in found if f[0] == slug]
        assert matching, f"{name}: no '{slug}' in {found}"
        wanted = [f for f in matching if row in (ANY, f[1]) and f[2] == column]
        assert wanted, f"{name}: {slug} reported at {matching}, expected row {row} {column}"
    assert report.ok == case.loads, [p for p in report.problems if p.severity == "error"]
    if case.loads:
        assert reader is not None and reader.name == "spend"
        assert all(p.row is not None for p in report.warnings if p.slug in {"date-invalid", "amount-not-number"})
    if case.lines is not None:
        assert sum(len(b.lines) for b in batches) == case.lines


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 20


def test_an_empty_file_is_refused_when_its_kind_is_not_given(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    report, reader, _ = read_reference(path)
    assert reader is None and [p.slug for p in report.errors] == ["kind-unrecognised"]


def test_money_as_people_write_it(tmp_path: Path) -> None:
    rows = base()
    written = {2: "£1,234.50", 3: "(500.00)", 4: "250.00-", 5: "1 234.56 CR", 6: "-75", 7: "+12.00"}
    for row, value in written.items():
        rows[row - 1][5] = value
    path = tmp_path / "money.csv"
    path.write_text(text(rows), encoding="utf-8")
    report, _, [batch] = read_reference(path)
    amounts = {line.row: line.amount for line in batch.lines}
    assert [amounts[r] for r in written] == [Decimal(x) for x in ("1234.50", "-500.00", "-250.00", "-1234.56",
                                                                 "-75.00", "12.00")]
    assert report.ok and not [p for p in report.warnings if p.row is not None]


def test_a_defective_month_loads_through_the_cli_with_its_report(cli, tmp_path: Path) -> None:
    rows = base()
    rows[5][5] = "N/A"
    path = tmp_path / "2019-04.csv"
    path.write_text(text(rows), encoding="utf-8")
    [result] = import_json(cli, path)
    assert result["outcome"] == "loaded"
    bad = [w for w in result["warnings"] if w["slug"] == "amount-not-number"]
    assert [(w["row"], w["column"], w["value"]) for w in bad] == [(6, AMOUNT, "N/A")]
    expected = sum(Decimal(r[5]) for i, r in enumerate(rows[1:], start=2) if i != 6)
    out = cli("count", "--place", "E08000003", "--year", "2019-20", "--format", "csv").stdout
    assert f"E08000003,2019-20,total,total,{expected:.2f}" in out
