"""The returns readers on tiny hand-made files: no real data needed, every figure visible in the test."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from placespend.domain.problems import Report
from placespend.ingest.registry import probe
from placespend.ingest.returns import budget, councils, outturn
from placespend.ingest.returns.grid import decode


def _write(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    import csv

    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows(rows)
    return path


def _ra(tmp_path: Path, encoding: str = "utf-8-sig") -> Path:
    numbers = ["", "", "", "", "110", "120", "190", "249", "290", "799", "811", "831", "1011"]
    header = ["E-code", "ONS Code", "Local authority", "Class", "Early years", "Primary schools",
              "TOTAL EDUCATION SERVICES", "Street lighting", "TOTAL HIGHWAYS", "TOTAL SERVICE EXPENDITURE",
              "Housing benefits – rent allowances", "External trading accounts", "Reserves"]
    return _write(tmp_path / "ra.csv", [
        ["Revenue Account Budget (RA) 2023-24: Revenue Account data"], ["Data are reported in £ thousand"],
        numbers, header,
        ["E5013", "E09000012", "Hackney", "LB", "10", "20,000", "20,010", "-5", "-5", "20,005", "99", "7", "1"],
        ["E6002", "", "Bedfordshire Police Authority", "O", "0", "0", "0", "0", "0", "0", "0", "0", "0"],
        ["E9999", "", "Nowhere", "O", "...", "…", "0", "1", "1", "1", "0", "0", "0"],
        ["", "", "ENGLAND", "", "1", "1", "1", "1", "1", "1", "1", "1", "1"],
    ], encoding)


def test_ra_counts_detail_lines_only_in_pounds_with_negatives_kept(tmp_path: Path) -> None:
    report = Report("ra.csv")
    batches = budget.read_ra(_ra(tmp_path), report)
    assert report.ok, report.errors
    assert [b.submitter for b in batches] == ["e09000012"]  # police had only zeros; E9999 has no ONS code
    lines = {line.service_code: line for line in batches[0].lines}
    assert {code: line.amount for code, line in lines.items()} == {
        "110": Decimal("10000.00"), "120": Decimal("20000000.00"), "249": Decimal("-5000.00")}
    assert sum(line.amount for line in lines.values()) == Decimal("20005000")  # = line 799
    assert lines["249"].cofog == "06.4" and lines["110"].cofog == "09.1"
    assert {line.basis for line in lines.values()} == {"budget"}
    assert lines["110"].period == "2023-24" and lines["110"].place == "E09000012"
    slugs = {p.slug for p in report.warnings}
    assert {"lines-not-counted-subtotal", "lines-not-counted-outside", "lines-not-counted-unmapped",
            "lines-not-counted-unknown", "lines-not-counted-total", "authority-unplaced"} <= slugs
    assert "total-mismatch" not in slugs


def test_a_budget_that_does_not_add_up_is_warned(tmp_path: Path) -> None:
    path = _ra(tmp_path)
    path.write_text(path.read_text(encoding="utf-8-sig").replace('"20,005"', '"30,005"'), encoding="utf-8")
    report = Report("ra.csv")
    budget.read_ra(path, report)
    assert [p.row for p in report.warnings if p.slug == "total-mismatch"] == [5]


def test_macroman_is_detected_and_decoded(tmp_path: Path) -> None:
    path = _ra(tmp_path, encoding="mac_roman")
    text, encoding = decode(path.read_bytes())
    assert encoding == "mac_roman" and "rent allowances" in text and "£ thousand" in text and "–" in text
    assert budget.is_ra(probe(path))
    report = Report("ra.csv")
    assert budget.read_ra(path, report)[0].lines[0].amount == Decimal("10000.00")


def test_rsx_counts_c7_net_columns_and_checks_the_total(tmp_path: Path) -> None:
    ids = ["", "", "", "", "C1R190", "C7R190", "C7R290", "C7R330", "C7R601", "C7R699", "C7R999"]
    ids += ["C7R9" for _ in range(3)]  # cell ids the crosswalk does not know
    path = _write(tmp_path / "rsx.csv", [
        ["Worksheet 2: Revenue Outturn (RO) 2022-23: Service Expenditure Summary (RSX) data"],
        ids,
        ["E-code", "ONS Code", "Local authority", "Class", "Education - Employees (C1)", "Education - Net (C7)",
         "Highways - Net (C7)", "Children - Net (C7)", "Police - Net (C7)", "Total - Net (C7)", "x", "", "", ""],
        ["E7050", "E23000036", "Avon and Somerset PCC", "O", "5", "0", "0", "0", "300", "300", "", "", "", ""],
        ["[Y]", "E06", "Unitary Authorities", "UA", "1", "1", "1", "1", "1", "1", "", "", "", ""],
    ])
    assert outturn.is_rsx(probe(path)) and not outturn.is_rs(probe(path))
    report = Report("rsx.csv")
    batches = outturn.read_rsx(path, report)
    assert report.ok, report.errors
    (batch,) = batches
    (line,) = batch.lines
    assert (line.spender, line.spender_type, line.cofog, line.amount, line.basis, line.period) == (
        "e23000036", "police", "03.1", Decimal("300000.00"), "outturn", "2022-23")


def test_rs_period_from_the_file_name_and_combined_social_care(tmp_path: Path) -> None:
    path = _write(tmp_path / "rs_2010-11_net_current_expenditure_by_LA_gbp_thousands.csv", [
        ["E-code", "Local authority", "Class", "Education services", "Social care",
         "TOTAL SERVICE EXPENDITURE (TOTAL OF LINES 190 TO 698)", "Parish precepts", "Education services"],
        ["E5013", "Hackney", "L", "100", "50", "150", "9", "999"],
    ])
    report = Report(path.name)
    (batch,) = outturn.read_rs(path, report)
    assert {(x.service_code, x.cofog, x.amount) for x in batch.lines} == {
        ("190", "09", Decimal("100000.00")), ("social-care", "10", Decimal("50000.00"))}
    assert batch.lines[0].place == "E09000012"  # from the packaged E-code lookup
    assert "lines-not-counted-outside" in {p.slug for p in report.warnings}


def test_not_reported_cells_make_no_line() -> None:
    assert councils.thousands("...") is None and councils.thousands("…") is None
    assert councils.thousands("Category discontinued") is None
    assert councils.thousands("-1,234") == Decimal("-1234000.00")
    assert councils.thousands("219385.12339215004") == Decimal("219385123.39")
