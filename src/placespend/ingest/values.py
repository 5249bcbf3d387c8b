"""Turning one cell into a typed value, or into a message saying why it cannot be one."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from placespend.domain.cells import CellError, as_text
from placespend.ingest.plausibility import AMOUNT_CEILING, ceiling_message

TOTALS_PATTERN = re.compile(r"^\s*(grand\s+|sub[\s-]?)?totals?\b", re.IGNORECASE)
# Excel leaves float noise (1234.5600000001) when an amount is a formula; anything closer than this to a
# whole penny is that noise, anything further is a real third decimal place.
FLOAT_NOISE = Decimal("0.000001")
SHARE_PLACES = Decimal("0.00000001")


def as_period(cell: Any) -> str:
    if isinstance(cell, dt.datetime | dt.date):
        raise CellError(
            "period-is-date",
            f"Excel turned the period into a date ({cell:%B %Y}); format the column as Text and type e.g. 2008-09.",
        )
    return as_text(cell)


def as_amount(cell: Any) -> Decimal:
    """GBP with at most two decimal places; accepts '1,234.56' and '£1,234.56' as typed by people. No amount
    beyond any public body's budget (plausibility.AMOUNT_CEILING) is a number a return can hold."""
    if isinstance(cell, bool):
        raise CellError("amount-not-number", f"'{cell}' is not an amount in pounds.")
    if isinstance(cell, int | float):
        value = Decimal(repr(cell)) if isinstance(cell, float) else Decimal(cell)
    else:
        text = as_text(cell).replace(",", "").replace("£", "").replace(" ", "")
        negative = text.startswith("(") and text.endswith(")")
        try:
            value = Decimal(text.strip("()"))
        except InvalidOperation:
            raise CellError("amount-not-number", f"'{cell}' is not an amount in pounds.") from None
        if negative:
            value = -value
    if not value.is_finite():
        raise CellError("amount-not-number", f"'{cell}' is not an amount in pounds.")
    if value.copy_abs() > AMOUNT_CEILING:  # before rounding: 1e30 has more digits than Decimal's context holds
        raise CellError("amount-implausible", ceiling_message(as_text(cell)))
    pennies = value.quantize(Decimal("0.01"))
    if abs(value - pennies) > FLOAT_NOISE:
        raise CellError("amount-too-precise", f"{cell} has more than 2 decimal places; give pounds and pence.")
    return pennies


def as_share(cell: Any) -> Decimal:
    """A share between 0 and 1, kept to 8 decimal places (enough for 1/3 of GBP 10bn to be within GBP 50)."""
    try:
        value = Decimal(repr(cell)) if isinstance(cell, float) else Decimal(as_text(cell).rstrip("%"))
    except InvalidOperation:
        raise CellError("place-share-not-number", f"'{cell}' is not a share between 0 and 1.") from None
    percent = isinstance(cell, str) and cell.strip().endswith("%")
    if not value.is_finite() or value < 0 or value > (100 if percent else 1):  # checked before dividing: 1e999999%
        raise CellError("place-share-out-of-range", f"place_share must be between 0 and 1, not {cell}.")
    return (value / 100 if percent else value).quantize(SHARE_PLACES)


def looks_like_totals(cells: list[Any]) -> str | None:
    """The text that makes a row look like a totals row, if any: totals double the money when counted."""
    for cell in cells:
        if isinstance(cell, str) and TOTALS_PATTERN.match(cell):
            return cell.strip()
    return None
