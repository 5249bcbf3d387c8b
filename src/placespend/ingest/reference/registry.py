"""Recognising a reference file's kind from its header and dispatching to its reader."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

from placespend.domain.problems import Report
from placespend.ingest.reference.batch import Probe, Reader, ReferenceBatch

PROBE_LINES = 40
READERS: list[Reader] = []
_loaded = False


def register(reader: Reader) -> Reader:
    READERS.append(reader)
    return reader


def _load_readers() -> None:
    """Import the reader modules once; each registers itself (order = precedence when several match)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    from placespend.ingest.reference import canonical  # noqa: F401

    for module in ("hmt", "ons", "imd", "lookups", "geojson"):
        try:
            __import__(f"placespend.ingest.reference.{module}")
        except ModuleNotFoundError as exc:  # a reader module not written yet
            if exc.name != f"placespend.ingest.reference.{module}":
                raise


def open_text(path: Path) -> io.TextIOBase:
    """Text of a CSV, gunzipped if needed, BOM removed; undecodable bytes fall back to cp1252."""
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    try:
        return io.StringIO(raw.decode("utf-8-sig"), newline="")
    except UnicodeDecodeError:
        return io.StringIO(raw.decode("cp1252"), newline="")


def probe(path: Path) -> Probe:
    data = path.read_bytes()[:4]
    if data[:2] == b"PK" and zipfile.is_zipfile(path):
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
    reader = reader_named(kind) if kind else detect(path)
    if reader is None:
        known = ", ".join(sorted(r.name for r in READERS))
        report.error("kind-unrecognised", f"This file's kind was not recognised from its header"
                     f"{f' (--kind {kind} is unknown)' if kind else ''}. Readers: {known}.")
        return report, None, []
    batches = reader.read(path, report)
    return report, reader, batches if report.ok else []
