"""A council return as a grid of text cells, whatever its format or encoding.

MHCLG publishes the same revenue tables as .xls (RS 2010-11 to 2014-15), .xlsx (RS 2017-18) and CSV saves of
the workbooks (RA and RSX; RA 2023-24 part 1 is MacRoman, the others UTF-8 with a BOM). The readers only
need rows of trimmed text with their row numbers, so this module hides the difference, including how each
format writes numbers (xlrd gives 146939.0 for a typed 146939).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from placespend.domain.problems import Report
from placespend.ingest.reference.batch import Probe

OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # the compound-file header of Excel 97-2003 .xls workbooks
PROBE_ROWS = 12
# Bytes that are typographic punctuation in MacRoman (dashes, quotes, ellipsis) but rare capitals in cp1252,
# and the reverse: which set a non-UTF-8 file uses more tells its encoding.
MAC_ROMAN_HINTS = bytes([0xC9, 0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5])
CP1252_HINTS = bytes([0x85, 0x91, 0x92, 0x93, 0x94, 0x96, 0x97])


@dataclass
class Grid:
    """Rows of trimmed text; `rows[i]` is sheet or file row i + 1."""

    rows: list[list[str]]
    sheet: str | None = None
    encoding: str | None = None


def decode(raw: bytes) -> tuple[str, str]:
    """Text and the encoding used: UTF-8 (BOM or not) first, then MacRoman or cp1252 by their punctuation."""
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    mac = sum(raw.count(bytes([b])) for b in MAC_ROMAN_HINTS)
    windows = sum(raw.count(bytes([b])) for b in CP1252_HINTS)
    if mac > windows:
        return raw.decode("mac_roman"), "mac_roman"
    return raw.decode("cp1252", errors="replace"), "cp1252"


def cell_text(value: object) -> str:
    """A cell as text: whole floats lose '.0'; other floats keep every digit so no penny is rounded twice."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return " ".join(str(value).split())


def is_xls(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == OLE2_MAGIC


def is_xlsx(path: Path) -> bool:
    return zipfile.is_zipfile(path)


def read_csv_grid(path: Path) -> Grid:
    text, encoding = decode(path.read_bytes())
    rows = [[cell_text(c) for c in row] for row in csv.reader(io.StringIO(text, newline=""))]
    return Grid(rows, None, encoding)


def _xls_sheets(path: Path, limit: int | None, only: str | None) -> list[tuple[str, list[list[str]]]]:
    import xlrd  # optional until pyproject lists it: only the old .xls workbooks need it

    book = xlrd.open_workbook(str(path), on_demand=True)
    try:
        out = []
        for index, name in enumerate(book.sheet_names()):
            if only is not None and name != only:
                continue
            sheet = book.sheet_by_index(index)
            count = sheet.nrows if limit is None else min(limit, sheet.nrows)
            out.append((sheet.name, [[cell_text(sheet.cell_value(r, c)) for c in range(sheet.ncols)]
                                     for r in range(count)]))
            book.unload_sheet(index)
        return out
    finally:
        book.release_resources()


def _xlsx_sheets(path: Path, limit: int | None, only: str | None) -> list[tuple[str, list[list[str]]]]:
    import warnings

    from openpyxl import load_workbook

    with warnings.catch_warnings():  # MHCLG workbooks carry print areas openpyxl cannot parse; harmless
        warnings.simplefilter("ignore", UserWarning)
        book = load_workbook(path, read_only=True, data_only=True)
    try:
        return [(sheet.title, [[cell_text(c) for c in row] for row in sheet.iter_rows(max_row=limit,
                                                                                  values_only=True)])
                for sheet in book.worksheets if only is None or sheet.title == only]
    finally:
        book.close()


def workbook_sheets(path: Path, limit: int | None = None,
                    only: str | None = None) -> list[tuple[str, list[list[str]]]]:
    """(sheet name, rows) of each sheet (or just `only`) of an .xls or .xlsx workbook, the first `limit` rows."""
    return _xls_sheets(path, limit, only) if is_xls(path) else _xlsx_sheets(path, limit, only)


def read_grid(path: Path, report: Report, choose: Callable[[str, list[list[str]]], bool] | None = None) -> Grid | None:
    """The file's cells; for a workbook, the first sheet whose opening rows `choose` accepts."""
    if not (is_xls(path) or is_xlsx(path)):
        return read_csv_grid(path)
    try:
        heads = workbook_sheets(path, PROBE_ROWS)
    except ImportError:
        report.error("file-old-excel", "Reading this .xls workbook needs the 'xlrd' package; install it, or "
                     "open the file in Excel and save it as .xlsx.")
        return None
    name = next((n for n, rows in heads if choose is None or choose(n, rows)), None)
    if name is None:
        report.error("sheet-not-found", "No sheet of this workbook holds the data table (a header row starting "
                     f"'E-code' under a net current expenditure title). Sheets: {', '.join(n for n, _ in heads)}.")
        return None
    rows = workbook_sheets(path, only=name)[0][1]
    return Grid(rows, name)


def probe_workbook(path: Path, rows: int = 10) -> Probe:
    """A Probe of an .xls or .xlsx workbook in the registry's form ("sheet: cell,cell" lines, lower-cased).

    The registry's own probe reads .xlsx only; it can call this for files starting with OLE2_MAGIC.
    """
    sheets = workbook_sheets(path, rows)
    head = [f"{name.lower()}: " + ",".join(cell.lower() for cell in row) for name, cells in sheets for row in cells]
    return Probe(path, head, tuple(name for name, _ in sheets))


def probe_row(line: str, probe: Probe) -> str:
    """A probe line's cells: workbook probes prefix each row with its sheet name ("sheet: a,b"), CSVs do not."""
    if probe.sheets:
        for name in probe.sheets:
            prefix = f"{name.lower()}: "
            if line.startswith(prefix):
                return line[len(prefix):]
    return line
