"""Every malformed input gives the right error at the right row and column and changes nothing.

Each case starts from a workspace that already holds a good return, snapshots every byte of it, feeds the
bad file through the real CLI, and checks the exit code, the reported problem and the snapshot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from placespend.domain.flow_columns import COLUMNS

from conftest import line, snapshot, write_csv

HEADER = ["period", "place", "spender", "spender_type", "flow", "amount", "cofog", "recipient", "recipient_type",
          "place_share", "service_scheme", "service_code", "line_id", "notes"]


def rows_csv(path: Path, *bad: dict[str, str], columns: list[str] = HEADER) -> Path:
    """A return whose rows 2-3 are good and whose row 4 onwards are the bad ones."""
    good = [line(amount="10.00", line_id="a"), line(amount="20.00", line_id="b", capital_revenue="capital")]
    others = dict.fromkeys(key for row in bad for key in row if key not in HEADER and key != "capital_revenue")
    return write_csv(path, [*good, *bad], columns=[*columns, "capital_revenue", *others])


def binary(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def text_file(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def workbook(path: Path, rows: list[list[object]], sheet: str = "Spend", merge: str | None = None) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    book.save(path)
    return path


GOOD = ["2008-09", "E09000023", "lbl", "local_authority", "spend", 10, "10.2"]
XHEAD = HEADER[:7]

CASES: dict[str, tuple[Callable[[Path], Path], str, int | None, str | None]] = {
    # name: (make file, slug, row, column prefix)
    "amount not a number": (lambda p: rows_csv(p / "r.csv", line(amount="ten pounds")),
                            "amount-not-number", 4, "amount"),
    "negative amount": (lambda p: rows_csv(p / "r.csv", line(amount="-5.00")), "amount-negative", 4, "amount"),
    "amount with three decimals": (lambda p: rows_csv(p / "r.csv", line(amount="12.345")),
                                   "amount-too-precise", 4, "amount"),
    "unknown COFOG": (lambda p: rows_csv(p / "r.csv", line(cofog="11.1")), "cofog-unknown", 4, "cofog"),
    "missing column": (lambda p: rows_csv(p / "r.csv", columns=[c for c in HEADER if c != "amount"]),
                       "column-missing", 1, "amount"),
    "duplicated column": (lambda p: text_file(p / "r.csv", ",".join([*XHEAD, "amount"]) + "\n"
                                              + ",".join(map(str, [*GOOD, 10])) + "\n"),
                          "column-duplicated", 1, "amount"),
    "misspelt column": (lambda p: text_file(p / "r.csv", ",".join([*XHEAD, "amonut"]) + "\n"
                                            + ",".join(map(str, [*GOOD, 1])) + "\n"), "column-unknown", 1, "amonut"),
    "blank row between lines": (lambda p: text_file(p / "r.csv", ",".join(XHEAD) + "\n" + ",".join(map(str, GOOD))
                                                    + "\n,,,,,,\n" + ",".join(map(str, GOOD)) + "\n"),
                                "blank-row", 3, None),
    "totals row": (lambda p: text_file(p / "r.csv", ",".join(XHEAD) + "\n" + ",".join(map(str, GOOD))
                                       + "\nTotal,,,,,10,\n"), "totals-row", 3, None),
    "period with slash": (lambda p: rows_csv(p / "r.csv", line(period="2008/09")), "period-format", 4, "period"),
    "period not consecutive years": (lambda p: rows_csv(p / "r.csv", line(period="2008-10")),
                                     "period-format", 4, "period"),
    "transfer without recipient": (lambda p: rows_csv(p / "r.csv", line(flow="transfer")),
                                   "transfer-without-recipient", 4, "recipient"),
    "transfer without recipient type": (lambda p: rows_csv(p / "r.csv", line(flow="transfer", recipient="vcs1")),
                                        "recipient-type-missing", 4, "recipient_type"),
    "transfer to itself": (lambda p: rows_csv(p / "r.csv", line(flow="transfer", recipient="LBL",
                                                                recipient_type="local_authority")),
                           "transfer-to-self", 4, "recipient"),
    "blank required cell": (lambda p: rows_csv(p / "r.csv", line(spender="")), "required-missing", 4, "spender"),
    "unknown body type": (lambda p: rows_csv(p / "r.csv", line(spender_type="council")),
                          "spender-type-invalid", 4, "spender_type"),
    "unknown flow": (lambda p: rows_csv(p / "r.csv", line(flow="grant")), "flow-invalid", 4, "flow"),
    "unknown place": (lambda p: rows_csv(p / "r.csv", line(place="lewisham-ish")), "place-unknown", 4, "place"),
    "place share above one": (lambda p: rows_csv(p / "r.csv", line(place_share="1.5")),
                              "place-share-out-of-range", 4, "place_share"),
    "duplicated line id": (lambda p: rows_csv(p / "r.csv", line(line_id="a")), "line-id-duplicated", 4, "line_id"),
    "no COFOG and no service code": (lambda p: rows_csv(p / "r.csv", line(cofog="")), "cofog-missing", 4, "cofog"),
    "unknown service code": (lambda p: rows_csv(p / "r.csv", line(cofog="", service_scheme="RA",
                                                                  service_code="no-such-line")),
                             "service-code-unknown", 4, "service_code"),
    "row longer than header": (lambda p: text_file(p / "r.csv", ",".join(XHEAD) + "\n"
                                                   + ",".join(map(str, GOOD)) + ",oops\n"), "row-too-long", 2, "H"),
    "cp1252 pound sign": (lambda p: text_file(p / "r.csv", ",".join([*XHEAD, "notes"]) + "\n"
                                              + ",".join(map(str, GOOD)) + ",cost £5\n", "cp1252"),
                          "encoding-invalid", 2, "H"),
    "preamble lines": (lambda p: text_file(p / "r.csv", "Lewisham return\nPrepared by finance\n" + ",".join(XHEAD)
                                           + "\n" + ",".join(map(str, GOOD)) + "\n"), "preamble", 1, None),
    "no header at all": (lambda p: text_file(p / "r.csv", "a,b,c\n1,2,3\n"), "header-not-found", 1, None),
    "empty file": (lambda p: text_file(p / "r.csv", ""), "file-empty", None, None),
    "a picture, not a spreadsheet": (lambda p: binary(p / "r.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00"),
                                     "file-not-tabular", None, None),
    "a zip that is not a workbook": (lambda p: _zip(p / "r.xlsx"), "not-excel", None, None),
    "old .xls workbook": (lambda p: binary(p / "r.xls", bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 64),
                          "file-old-excel", None, None),
    "merged cells": (lambda p: workbook(p / "r.xlsx", [XHEAD, GOOD, GOOD], merge="A2:A3"), "merged-cells", 2, "A"),
    "workbook without Spend sheet": (lambda p: workbook(p / "r.xlsx", [XHEAD, GOOD], sheet="Sheet1"),
                                     "sheet-missing", None, None),
    "Excel turned the period into a date": (lambda p: workbook(p / "r.xlsx", [XHEAD, [dt.datetime(2008, 9, 1),
                                                                                        *GOOD[1:]]]),
                                            "period-is-date", 2, "period"),
    "Excel error value": (lambda p: workbook(p / "r.xlsx", [XHEAD, [*GOOD[:5], "#REF!", "10.2"]]),
                          "cell-error", 2, "amount"),
    "column with values but no name": (lambda p: workbook(p / "r.xlsx", [[*XHEAD, None], [*GOOD, "x"]]),
                                       "column-unnamed", 1, "H"),
    "amount beyond any public body's budget": (lambda p: rows_csv(p / "r.csv", line(amount="999999999999999999")),
                                               "amount-implausible", 4, "amount"),
    "amount just over the ceiling": (lambda p: rows_csv(p / "r.csv", line(amount="500,000,000,000.01")),
                                     "amount-implausible", 4, "amount"),
    "amount in scientific notation beyond Decimal": (lambda p: rows_csv(p / "r.csv", line(amount="1e999999999")),
                                                     "amount-implausible", 4, "amount"),
    "huge amount typed in Excel": (lambda p: workbook(p / "r.xlsx", [XHEAD, GOOD, [*GOOD[:5], 99999999999999,
                                                                                  "10.2"]]),
                                   "amount-implausible", 3, "amount"),
    "share in percent beyond Decimal": (lambda p: rows_csv(p / "r.csv", line(place_share="1e999999999%")),
                                        "place-share-out-of-range", 4, "place_share"),
    # Every closed list, every required column left blank, and more of what partners' spreadsheets hold.
    "recipient type not a body type": (lambda p: rows_csv(p / "r.csv", line(flow="transfer", recipient="vcs1",
                                                                            recipient_type="charity")),
                                       "recipient-type-invalid", 4, "recipient_type"),
    "funder type not a body type": (lambda p: rows_csv(p / "r.csv", line(funder="dclg", funder_type="govt")),
                                    "funder-type-invalid", 4, "funder_type"),
    "capital or revenue misspelt": (lambda p: rows_csv(p / "r.csv", line(capital_revenue="capex")),
                                    "capital-revenue-invalid", 4, "capital_revenue"),
    "unknown basis": (lambda p: rows_csv(p / "r.csv", line(basis="forecast")), "basis-invalid", 4, "basis"),
    "unknown recurrence": (lambda p: rows_csv(p / "r.csv", line(recurrence="monthly")),
                           "recurrence-invalid", 4, "recurrence"),
    "unknown apportionment": (lambda p: rows_csv(p / "r.csv", line(apportionment="guess")),
                              "apportionment-invalid", 4, "apportionment"),
    "ring-fenced neither yes nor no": (lambda p: rows_csv(p / "r.csv", line(ring_fenced="maybe")),
                                       "ring-fenced-invalid", 4, "ring_fenced"),
    "statutory neither yes nor no": (lambda p: rows_csv(p / "r.csv", line(statutory="perhaps")),
                                     "statutory-invalid", 4, "statutory"),
    "place share in words": (lambda p: rows_csv(p / "r.csv", line(place_share="half")),
                             "place-share-not-number", 4, "place_share"),
    "negative place share": (lambda p: rows_csv(p / "r.csv", line(place_share="-0.1")),
                             "place-share-out-of-range", 4, "place_share"),
    "place share of two": (lambda p: rows_csv(p / "r.csv", line(place_share="2")),
                           "place-share-out-of-range", 4, "place_share"),
    "blank period": (lambda p: rows_csv(p / "r.csv", line(period="")), "required-missing", 4, "period"),
    "blank place": (lambda p: rows_csv(p / "r.csv", line(place="")), "required-missing", 4, "place"),
    "blank body type": (lambda p: rows_csv(p / "r.csv", line(spender_type="")), "required-missing", 4,
                        "spender_type"),
    "blank flow": (lambda p: rows_csv(p / "r.csv", line(flow="")), "required-missing", 4, "flow"),
    "blank amount": (lambda p: rows_csv(p / "r.csv", line(amount="")), "required-missing", 4, "amount"),
    "spender of spaces only": (lambda p: rows_csv(p / "r.csv", line(spender="   ")), "required-missing", 4,
                               "spender"),
    "period of one year": (lambda p: rows_csv(p / "r.csv", line(period="2008")), "period-format", 4, "period"),
    "period backwards": (lambda p: rows_csv(p / "r.csv", line(period="2009-08")), "period-format", 4, "period"),
    "period with spaces": (lambda p: rows_csv(p / "r.csv", line(period="2008 - 09")), "period-format", 4, "period"),
    "amount in accountants' brackets": (lambda p: rows_csv(p / "r.csv", line(amount="(100.00)")),
                                        "amount-negative", 4, "amount"),
    "amount with two points": (lambda p: rows_csv(p / "r.csv", line(amount="1.2.3")), "amount-not-number", 4,
                               "amount"),
    "COFOG group that does not exist": (lambda p: rows_csv(p / "r.csv", line(cofog="10.99")), "cofog-unknown", 4,
                                        "cofog"),
    "COFOG division 00": (lambda p: rows_csv(p / "r.csv", line(cofog="00")), "cofog-unknown", 4, "cofog"),
    "COFOG as words": (lambda p: rows_csv(p / "r.csv", line(cofog="health")), "cofog-unknown", 4, "cofog"),
    "CSV saved as UTF-16": (lambda p: text_file(p / "r.csv", ",".join(XHEAD) + "\n" + ",".join(map(str, GOOD))
                                                + "\n", "utf-16"), "file-not-tabular", None, None),
    "Excel division by zero in the share": (lambda p: workbook(p / "r.xlsx", [[*XHEAD, "place_share"],
                                                                             [*GOOD, "#DIV/0!"]]),
                                            "cell-error", 2, "place_share"),
    "Excel turned the place share into a date": (lambda p: workbook(p / "r.xlsx", [[*XHEAD, "place_share"],
                                                                                  [*GOOD, dt.datetime(2024, 1, 5)]]),
                                                 "place-share-not-number", 2, "place_share"),
}


def _zip(path: Path) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return path


@pytest.fixture
def loaded(cli, make_csv):
    cli("ingest", make_csv("good.csv", [line(amount="99.00", spender="pct", spender_type="nhs", cofog="07",
                                             capital_revenue="capital")]))
    return cli


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_input_is_reported_and_changes_nothing(case, loaded, db, tmp_path):
    make, slug, row, column = CASES[case]
    folder = tmp_path / "bad"
    folder.mkdir()
    path = make(folder)
    before = snapshot(db.parent)
    result = loaded.json("ingest", path, expect=1)[0]
    assert result["outcome"] == "rejected"
    found = [e for e in result["errors"] if e["slug"] == slug]
    assert found, f"expected {slug}, got {[(e['slug'], e['row'], e['column']) for e in result['errors']]}"
    problem = found[0]
    assert problem["file"] == path.name
    assert problem["row"] == row
    if column is not None:
        assert problem["column"] is not None and problem["column"].startswith(column), problem
    assert problem["message"]
    assert snapshot(db.parent) == before, "a rejected file changed the workspace"


def test_the_catalogue_has_50_distinct_inputs():
    """At least 50 inputs, each a different problem: no two share both the error and the column it is in."""
    assert len(CASES) >= 50
    assert len({(slug, column) for _, slug, _, column in CASES.values()}) >= 50
    assert len({slug for _, slug, _, _ in CASES.values()}) >= 35


def test_a_bad_file_in_a_batch_stops_the_good_ones(loaded, db, make_csv):
    good = make_csv("fine.csv", [line(amount="1.00")])
    bad = make_csv("bad.csv", [line(amount="x")])
    before = snapshot(db.parent)
    results = loaded.json("ingest", good, bad, expect=1)
    assert [r["outcome"] for r in results] == ["rejected", "rejected"]
    assert snapshot(db.parent) == before


def test_readable_report_names_file_row_and_column(loaded, make_csv):
    path = make_csv("lewisham.csv", [line(amount="ten")])
    out = loaded("ingest", path, expect=1).stdout
    assert "lewisham.csv" in out and "row 2" in out and "column amount (F)" in out and "not an amount" in out


def test_columns_documented_once():
    assert [c.name for c in COLUMNS][:6] == ["period", "place", "spender", "spender_type", "flow", "amount"]
