"""One cell of a user's table read as text, and the error a cell that cannot be read raises: shared by every
reader of users' files (ingest) and by the layouts of the deep dives' inputs, which parse tables handed to them."""

from __future__ import annotations

import datetime as dt
from typing import Any

EXCEL_ERRORS = frozenset({"#REF!", "#VALUE!", "#DIV/0!", "#N/A", "#NAME?", "#NUM!", "#NULL!", "#SPILL!"})


class CellError(ValueError):
    """A cell's content cannot be read as the column requires; the message is for the user."""

    def __init__(self, slug: str, message: str) -> None:
        super().__init__(message)
        self.slug = slug


def as_text(cell: Any) -> str:
    """Cell as trimmed text; whole floats lose their '.0' because Excel stores typed ids as numbers."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime | dt.date):
        return cell.isoformat()
    text = str(cell).strip()
    if text in EXCEL_ERRORS:
        raise CellError("cell-error", f"The cell holds the Excel error {text}; fix the formula or type the value.")
    return text


def is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())
