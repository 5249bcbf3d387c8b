"""Recognising a reference file's kind from its header and dispatching to its reader."""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import load_workbook

from placespend.domain.problems import Report
from placespend.ingest.decoding import open_text
from placespend.ingest.excel_file import check_excel, named_as_excel, not_excel
from placespend.ingest.grants import orgids, threesixty
from placespend.ingest.insight import area_files, geojson
from placespend.ingest.plausibility import report_beyond_ceiling
from placespend.ingest.reference import canonical, hmt, imd, lookups, ons
from placespend.ingest.reference.batch import Probe, Reader, ReferenceBatch
from placespend.ingest.returns import budget, outturn
from placespend.ingest.returns.grid import probe_workbook
from placespend.ingest.spend import reader as spend_reader

PROBE_LINES = 40
# Every reader, in the order tried: the first whose `matches` accepts a file's probe reads it. Listed here, not
# registered on import, so the order is what this line says whatever was imported first; the spend readers come
# last because the spend reader claims any file that merely looks like spend. The tidy small-area statistics
# come before the canonical ones: a file of exactly area[, period], indicator, value is read by the stricter
# tidy reader (indicator names checked, LSOAs and wards as areas), as the CLI has always read it.
READERS: tuple[Reader, ...] = (
    *area_files.READERS, *canonical.READERS, *hmt.READERS, *ons.READERS, *imd.READERS, *lookups.READERS,
    *geojson.READERS, *budget.READERS, *outturn.READERS, *orgids.READERS, *threesixty.READERS,
    *spend_reader.READERS,
)


OLE2 = b"\xd0\xcf\x11\xe0"  # the start of an old .xls workbook (an OLE2 compound document)


def _is_workbook(path: Path) -> bool:
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return "[Content_Types].xml" in archive.namelist()


def probe(path: Path) -> Probe:
    data = path.read_bytes()[:4]
    if data == OLE2:
        return probe_workbook(path, PROBE_LINES // 4)
    if data[:2] == b"PK" and _is_workbook(path):
        book = load_workbook(path, read_only=True, data_only=True)
        head: list[str] = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows(max_row=PROBE_LINES // 4, values_only=True):
                head.append(f"{sheet.title.lower()}: " + ",".join("" if c is None else str(c).lower() for c in row))
        names = tuple(book.sheetnames)
        book.close()
        return Probe(path, head, names)
    text = open_text(path)
    return Probe(path, [line.lower() for _, line in zip(range(PROBE_LINES), text, strict=False)], ())


def detect(path: Path) -> Reader | None:
    found = probe(path)
    return next((reader for reader in READERS if reader.matches(found)), None)


def reader_named(name: str) -> Reader | None:
    return next((r for r in READERS if r.name == name or r.kind == name), None)


def read_reference(path: Path, kind: str | None = None) -> tuple[Report, Reader | None, list[ReferenceBatch]]:
    """Recognise and read one file; an unrecognised file is an error that lists what is understood."""
    report = Report(path.name)
    if named_as_excel(path) and not check_excel(path, report):
        return report, None, []
    try:
        reader = reader_named(kind) if kind else detect(path)
    except Exception as exc:
        if not zipfile.is_zipfile(path) and path.read_bytes()[:4] != OLE2:
            raise
        # a workbook whose parts are damaged: openpyxl and xlrd raise whatever their parsers or zip reader meet
        not_excel(path, report, f"Excel's parts in it cannot be read ({type(exc).__name__}: {exc})")
        return report, None, []
    if reader is None:
        known = ", ".join(sorted(r.name for r in READERS))
        report.error("kind-unrecognised", f"This file's kind was not recognised from its header"
                     f"{f' (--kind {kind} is unknown)' if kind else ''}. Readers: {known}.")
        return report, None, []
    batches = reader.read(path, report)
    # Published files are not checked by their publishers' own totals: a line beyond any public body's budget
    # (an extra digit, a pasted total) is refused here as it is in a partner's return.
    report_beyond_ceiling((line for batch in batches if batch.kind == "flows" for line in batch.lines), report)
    return report, reader, batches if report.ok else []
