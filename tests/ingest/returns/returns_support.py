"""Shared helpers of the returns tests: the real files, raw cells read independently, loading batches."""

from __future__ import annotations

import csv
import hashlib
import io
from decimal import Decimal
from pathlib import Path

from placespend.engine import ledger_store
from placespend.engine.workspace import Workspace
from placespend.ingest.reference.batch import ReferenceBatch

from conftest import SHARED

DATA = SHARED / "data"
RS = DATA / "revenue-outturn-RS-bbc"
RA_RSX = DATA / "ra-rsx-budget-outturn-bengoodair"
RS_2010_CSV = RS / "rs_2010-11_net_current_expenditure_by_LA_gbp_thousands.csv"
RS_2010_XLS = RS / "Revenue_Outturn_Summary__RS__data_2010-11_by_LA_-_27-Nov-2012-v2.xls"
RS_2017_XLSX = RS / "RS_2017-18_data_by_LA.xlsx"
RSX_2021 = RA_RSX / "RSX_2021-22_data_by_LA_Live.csv"
RSX_2023 = RA_RSX / "RSX_2023-24_data_by_LA.csv"
RA_2021 = RA_RSX / "RA_2021-22_data_by_LA.csv"
RA_2023 = RA_RSX / "RA_2023-24_data_Part_1.csv"
HACKNEY, HACKNEY_ECODE = "E09000012", "E5013"


def raw_rows(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    """The CSV exactly as csv.reader sees it, decoded as its PROVENANCE says."""
    return list(csv.reader(io.StringIO(path.read_text(encoding=encoding))))


def pounds(text: str) -> Decimal:
    """A published GBP-thousand cell ('11,896') in pounds."""
    return Decimal(text.replace(",", "")) * 1000


def row_of(rows: list[list[str]], ecode: str) -> list[str]:
    return next(row for row in rows if row and row[0] == ecode)


def load(ws: Workspace, path: Path, batches: list[ReferenceBatch], submitters: set[str]) -> list[int]:
    """Store the chosen authorities' batches as the service would (one submission each, hash per body)."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    ids = []
    for batch in batches:
        if batch.submitter in submitters:
            new = ledger_store.NewSubmission(f"{digest}#{batch.submitter}", path.name, path, batch.submitter or "",
                                             "accepted", 0)
            ids.append(ledger_store.record_submission(ws, new, batch.lines, {}))
    return ids
