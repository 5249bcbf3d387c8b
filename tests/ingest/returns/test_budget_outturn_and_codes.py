"""Budget against outturn for Hackney 2021-22, and the packaged E-code lookup checked against the real files."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest
from returns_support import (
    DATA,
    HACKNEY,
    HACKNEY_ECODE,
    RA_2021,
    RS,
    RS_2010_CSV,
    RSX_2021,
    load,
    pounds,
    raw_rows,
    row_of,
)

from placespend.analysis.budget_outturn import budget_vs_outturn
from placespend.app.workspace import open_workspace
from placespend.domain.problems import Report
from placespend.engine.ledger import ledger_of
from placespend.ingest.returns import budget, councils, outturn

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"{DATA} is absent; these tests read the real public data")


def _published(path: Path, code: str, cell_ids: bool) -> Decimal:
    rows = raw_rows(path)
    row = row_of(rows, HACKNEY_ECODE)
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "E-code")
    marks = next(r for r in rows if "C7R190" in r) if cell_ids else rows[header_at - 1]
    return pounds(row[marks.index(f"C7R{code}" if cell_ids else code)])


@pytest.mark.parametrize("budget_first", [True, False])
def test_budget_and_outturn_compare_by_service_heading_whatever_the_load_order(tmp_path: Path,
                                                                              budget_first: bool) -> None:
    ws = open_workspace(tmp_path / "ws.duckdb")
    ra = budget.read_ra(RA_2021, Report("ra"))
    rsx = outturn.read_rsx(RSX_2021, Report("rsx"))
    order = [(RA_2021, ra), (RSX_2021, rsx)] if budget_first else [(RSX_2021, rsx), (RA_2021, ra)]
    for path, batches in order:
        load(ws, path, batches, {HACKNEY.lower()})
    with ws.read() as con:
        result = budget_vs_outturn(ledger_of(con), HACKNEY, "2021-22")
    assert result.budget_total == _published(RA_2021, "799", cell_ids=False)
    assert result.outturn_total == _published(RSX_2021, "699", cell_ids=True)
    education = next(row for row in result.by_service if row.key == "190")
    assert education.budget == _published(RA_2021, "190", cell_ids=False)  # RA's own subtotal of its lines
    assert education.outturn == _published(RSX_2021, "190", cell_ids=True)
    assert education.difference == education.outturn - education.budget
    assert sum(r.budget for r in result.by_cofog) == result.budget_total
    assert sum(r.outturn for r in result.by_cofog) == result.outturn_total
    assert None not in result.submissions.values()


def test_missing_side_is_said_not_guessed(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "ws.duckdb")
    load(ws, RSX_2021, outturn.read_rsx(RSX_2021, Report("rsx")), {HACKNEY.lower()})
    with ws.read() as con:
        result = budget_vs_outturn(ledger_of(con), HACKNEY, "2021-22")
    assert result.submissions["budget"] is None
    assert result.budget_total == 0
    assert any("No budget lines" in note for note in result.notes)


def test_ecode_lookup_agrees_with_rs_2014_15_and_covers_rs_2010_11() -> None:
    xlrd = pytest.importorskip("xlrd")
    book = xlrd.open_workbook(str(RS / "Revenue_Outturn_Summary__RS__data_2014-15_by_LA_-_02-Feb-2016.xls"))
    sheet = book.sheet_by_index(2)
    lookup = councils.ecode_places()
    checked = 0
    for r in range(sheet.nrows):
        ecode, gss = str(sheet.cell_value(r, 0)).strip(), str(sheet.cell_value(r, 1)).strip()
        if re.match(r"^E\d{4}$", ecode) and re.match(r"^E\d{8}$", gss):
            assert lookup[ecode][0] == gss, ecode
            checked += 1
    assert checked > 350
    with RS_2010_CSV.open(encoding="utf-8-sig") as handle:
        ecodes = {row["E-code"] for row in csv.DictReader(handle) if re.match(r"^E\d{4}$", row["E-code"])}
    missing = sorted(ecodes - lookup.keys())
    # documented gaps: transport authorities, and fire/police authorities with no single ONS area
    assert all(code[:3] in {"E61", "E63", "E68"} for code in missing), missing
    assert lookup["E5013"][0] == HACKNEY
