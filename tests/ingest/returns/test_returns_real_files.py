"""RS, RSX and RA readers against the real MHCLG files: each expectation is summed here from the raw cells."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from returns_support import (
    DATA,
    HACKNEY,
    HACKNEY_ECODE,
    RA_2021,
    RA_2023,
    RS_2010_CSV,
    RS_2010_XLS,
    RS_2017_XLSX,
    RSX_2021,
    RSX_2023,
    load,
    pounds,
    raw_rows,
    row_of,
)

from placespend.app.workspace import open_workspace
from placespend.count.consolidate import count_place
from placespend.domain.problems import Report
from placespend.engine.ledger import ledger_of
from placespend.ingest.reference.batch import ReferenceBatch
from placespend.ingest.registry import detect
from placespend.ingest.returns import budget, outturn
from placespend.ingest.returns.grid import probe_workbook

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"{DATA} is absent; these tests read the real public data")
HACKNEY_ID = HACKNEY.lower()


@cache
def read(path: Path) -> tuple[Report, list[ReferenceBatch]]:
    report = Report(path.name)
    reader = budget.read_ra if path.name.startswith("RA_") else (
        outturn.read_rsx if path.name.startswith("RSX_") else outturn.read_rs)
    return report, reader(path, report)


def hackney(path: Path) -> ReferenceBatch:
    report, batches = read(path)
    assert report.ok, report.errors
    return next(b for b in batches if b.submitter == HACKNEY_ID)


def test_rs_2010_11_hackney_total_service_expenditure_is_the_count(tmp_path: Path) -> None:
    rows = raw_rows(RS_2010_CSV)
    header, hackney_row = rows[0], row_of(rows, HACKNEY_ECODE)
    total_at = next(i for i, name in enumerate(header) if name.startswith("TOTAL SERVICE EXPENDITURE"))
    expected = pounds(hackney_row[total_at])
    assert expected == Decimal("527207000")  # the README's GBP 527.2m
    assert sum((pounds(cell) for cell in hackney_row[3:total_at]), Decimal(0)) == expected

    batch = hackney(RS_2010_CSV)
    assert {line.period for line in batch.lines} == {"2010-11"}
    assert {line.place for line in batch.lines} == {HACKNEY}
    assert {line.basis for line in batch.lines} == {"outturn"}
    ws = open_workspace(tmp_path / "ws.duckdb")
    load(ws, RS_2010_CSV, [batch], {HACKNEY_ID})
    with ws.read() as con:
        counted = count_place(ledger_of(con), HACKNEY, "2010-11")
    assert counted.total == expected
    assert counted.by_cofog["09"] == pounds(hackney_row[header.index("Education services")])
    social_care = pounds(hackney_row[header.index("Social care")])  # children and adults together in 2010-11
    assert next(line for line in batch.lines if line.service_code == "social-care").cofog == "10"
    assert counted.by_cofog["10"] >= social_care


def test_rs_2010_11_workbook_gives_the_same_lines_as_its_csv_export() -> None:
    pytest.importorskip("xlrd")
    from_xls, from_csv = hackney(RS_2010_XLS), hackney(RS_2010_CSV)
    assert sorted((x.service_code, x.amount) for x in from_xls.lines) == sorted(
        (x.service_code, x.amount) for x in from_csv.lines)
    assert len(read(RS_2010_XLS)[1]) == len(read(RS_2010_CSV)[1])


def test_below_the_line_columns_are_reported_not_counted() -> None:
    report, batches = read(RS_2010_CSV)
    slugs = {p.slug for p in report.warnings}
    assert {"lines-not-counted-outside", "lines-not-counted-total"} <= slugs
    assert not any(line.service_code in {"699", ""} for b in batches for line in b.lines)
    header = raw_rows(RS_2010_CSV)[0]
    # "Education services" is printed again in a later block; only the first block counts
    assert header.count("Education services") >= 1
    assert all(line.service_code != "190" or line.notes.startswith("Education") for line in hackney(
        RS_2010_CSV).lines)
    assert sum(1 for line in hackney(RS_2010_CSV).lines if line.service_code == "190") == 1


def test_rs_2017_18_workbook_matches_its_line_numbers(tmp_path: Path) -> None:
    rows = raw_rows(RS_2017_XLSX.with_name("rs_2017-18_net_current_expenditure_by_LA_gbp_thousands.csv"))
    header, row = rows[0], row_of(rows, HACKNEY_ECODE)
    expected = {name.split(":")[0]: Decimal(row[i]) * 1000 for i, name in enumerate(header)
                if name[:3] in {"190", "290", "330", "360", "390", "490", "509", "590", "599", "601", "602",
                                "690", "698"} and Decimal(row[i]) != 0}
    lines = hackney(RS_2017_XLSX).lines
    got = {line.service_code: line.amount for line in lines}
    assert got.keys() == expected.keys()
    for code, amount in expected.items():
        assert abs(got[code] - amount) <= Decimal("0.01")  # the workbook keeps unrounded float pounds


@pytest.mark.parametrize("path", [RSX_2021, RSX_2023])
def test_rsx_net_current_expenditure_by_heading_adds_to_the_published_total(path: Path) -> None:
    rows = raw_rows(path)
    ids = next(r for r in rows if "C7R190" in r)
    row = row_of(rows, HACKNEY_ECODE)
    net = {cell[3:]: pounds(row[i]) for i, cell in enumerate(ids) if cell.startswith("C7R")}
    total = net.pop("699")
    lines = hackney(path).lines
    assert {line.service_code: line.amount for line in lines} == {k: a for k, a in net.items() if a}
    assert sum(line.amount for line in lines) == total
    assert all(line.cofog for line in lines)


@pytest.mark.parametrize(("path", "encoding"), [(RA_2021, "utf-8-sig"), (RA_2023, "mac_roman")])
def test_ra_counts_detail_service_lines_up_to_total_service_expenditure(path: Path, encoding: str) -> None:
    rows = raw_rows(path, encoding)
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "E-code")
    numbers = rows[header_at - 1]
    row = row_of(rows, HACKNEY_ECODE)
    by_line = {n: pounds(row[i]) for i, n in enumerate(numbers) if n.isdigit() and row[i].strip()
               and row[i].strip().replace(",", "").lstrip("-").isdigit()}  # '...' = not reported
    subtotals = {"190", "290", "330", "360", "390", "490", "509", "590", "599", "690"}
    detail = {n: a for n, a in by_line.items() if int(n) < 799 and n not in subtotals and a}
    lines = hackney(path).lines
    assert {line.service_code: line.amount for line in lines} == detail
    assert sum(detail.values()) == by_line["799"]  # the published TOTAL SERVICE EXPENDITURE
    assert {line.basis for line in lines} == {"budget"}
    report, _ = read(path)
    assert "lines-not-counted-subtotal" in {p.slug for p in report.warnings}
    assert not [p for p in report.warnings if p.slug == "total-mismatch"]


def test_ra_2023_24_macroman_labels_decode() -> None:
    lines = hackney(RA_2023).lines
    physical = next(line for line in lines if line.service_code == "332")
    assert "(18–64)" in physical.notes  # an en dash, not 'Ð'


def test_every_authority_is_its_own_batch_with_its_own_place() -> None:
    _, batches = read(RSX_2023)
    assert len({b.submitter for b in batches}) == len(batches) > 300
    for batch in batches:
        assert {line.spender for line in batch.lines} == {batch.submitter}
        assert {line.place.lower() for line in batch.lines} == {batch.submitter}
    police = next(b for b in batches if b.submitter.startswith("e23"))
    assert {line.spender_type for line in police.lines} == {"police"}


@pytest.mark.parametrize(("path", "reader"), [(RS_2010_CSV, "rs-outturn"), (RS_2017_XLSX, "rs-outturn"),
                                              (RSX_2021, "rsx-outturn"), (RSX_2023, "rsx-outturn"),
                                              (RA_2021, "ra-budget"), (RA_2023, "ra-budget")])
def test_files_are_recognised_from_their_header(path: Path, reader: str) -> None:
    found = detect(path)
    assert found is not None and found.name == reader


def test_xls_workbooks_are_recognised_from_a_workbook_probe() -> None:
    pytest.importorskip("xlrd")
    probe = probe_workbook(RS_2010_XLS)
    assert outturn.is_rs(probe) and not outturn.is_rsx(probe) and not budget.is_ra(probe)


def test_capital_charges_export_is_refused_with_a_reason() -> None:
    report = Report("x")
    assert outturn.read_rs(RS_2010_CSV.with_name("rs_2010-11_capital_charges_by_LA_gbp_thousands.csv"), report) == []
    assert [p.slug for p in report.errors] == ["measure-not-net-current"]
