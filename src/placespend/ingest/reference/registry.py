"""Recognising a reference file's kind from its header and dispatching to its reader."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from placespend.domain.problems import Report
from placespend.ingest.excel_file import check_excel, named_as_excel, not_excel
from placespend.ingest.reference.batch import Probe, Reader, ReferenceBatch

PROBE_LINES = 40
READERS: list[Reader] = []
_loaded = False
_fallbacks = 0   # the readers at the end of READERS that are fallbacks


def register(reader: Reader, fallback: bool = False) -> Reader:
    """Readers are tried in the order they register, except fallbacks, tried after all others: the spend reader
    claims any file that merely looks like spend, and a module that imports it before the registry loads its
    readers (the supplier resolution does) must not put it ahead of the reference readers."""
    global _fallbacks
    if fallback:
        READERS.append(reader)
        _fallbacks += 1
    else:
        READERS.insert(len(READERS) - _fallbacks, reader)
    return reader


def _load_readers() -> None:
    """Import the reader modules once; each registers itself (order = precedence when several match)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    from placespend.ingest.reference import canonical  # noqa: F401

    for module in ("reference.hmt", "reference.ons", "reference.imd", "reference.lookups", "reference.geojson",
                   "insight", "returns", "grants", "spend"):
        try:
            __import__(f"placespend.ingest.{module}")
        except ModuleNotFoundError as exc:  # a reader package not installed in this build
            if exc.name != f"placespend.ingest.{module}":
                raise


def open_text(path: Path) -> io.TextIOBase:
    """Text of a CSV: gunzipped or unzipped by magic number, BOM removed, decoded as UTF-8 where valid or else
    the likelier legacy code page (cp1252 or MacRoman). Shared with the spend readers, which met them all."""
    from placespend.ingest.spend.decoding import decode, read_raw

    raw, _ = read_raw(path)
    return io.StringIO("".join(decode(raw).lines), newline="")


OLE2 = b"\xd0\xcf\x11\xe0"  # the start of an old .xls workbook (an OLE2 compound document)


def _is_workbook(path: Path) -> bool:
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return "[Content_Types].xml" in archive.namelist()


def probe(path: Path) -> Probe:
    data = path.read_bytes()[:4]
    if data == OLE2:
        from placespend.ingest.returns.grid import probe_workbook

        return probe_workbook(path, PROBE_LINES // 4)
    if data[:2] == b"PK" and _is_workbook(path):
        from openpyxl import load_workbook

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
    _load_readers()
    found = probe(path)
    return next((reader for reader in READERS if reader.matches(found)), None)


def reader_named(name: str) -> Reader | None:
    _load_readers()
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
    return report, reader, batches if report.ok else []
