"""Is a file that should be an Excel workbook one? Why not, in words a finance officer can act on.

A file named .xlsx that is random bytes, a zip cut short in an e-mail, or a CSV renamed .xlsx otherwise fails
further on with a message about something else ("no row of column names", "kind not recognised").
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from placespend.domain.problems import Report

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
OLE2 = bytes.fromhex("d0cf11e0a1b11ae1")  # an old .xls workbook
WORKBOOK_PART = "[Content_Types].xml"     # every Office Open XML package has it


def named_as_excel(path: Path) -> bool:
    return path.suffix.lower() in EXCEL_SUFFIXES


def why_not_excel(path: Path) -> str | None:
    """None for a file openable as a workbook package, else what it is instead."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                if WORKBOOK_PART not in archive.namelist():
                    return "it is a zip archive, but not of a workbook"
        except (zipfile.BadZipFile, OSError, ValueError):
            return "its zip archive is damaged"
        return None
    if head.startswith(OLE2):
        return "it is an old-format .xls workbook; save it in Excel as an Excel Workbook (.xlsx)"
    if not head.strip():
        return "it is empty"
    if head.startswith(b"PK"):
        return "its zip archive is cut short or damaged (was the download or e-mail complete?)"
    if b"\x00" not in head and _is_text(head):
        return "it holds plain text, e.g. a CSV saved under an .xlsx name; give a CSV file the .csv extension"
    return "it holds other binary data, not a workbook"


def not_excel(path: Path, report: Report, reason: str) -> None:
    report.error("not-excel", f"{path.name} is not a valid Excel file: {reason}. Open it in Excel and save it as "
                 "an Excel Workbook (.xlsx), or send the file again.")


def check_excel(path: Path, report: Report) -> bool:
    """True for a workbook; otherwise the error is in `report` and nothing should be read from the file."""
    reason = why_not_excel(path)
    if reason is not None:
        not_excel(path, report, reason)
    return reason is None


def _is_text(head: bytes) -> bool:
    for encoding in ("utf-8", "cp1252"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False
