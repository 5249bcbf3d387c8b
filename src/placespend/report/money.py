"""Money for display and for JSON: exact pennies in, readable pounds out."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any


def pounds(amount: Decimal | int | float | None) -> str:
    """GBP with thousands separators and pence: what a finance officer checks against a ledger."""
    if amount is None:
        return ""
    return f"£{Decimal(amount):,.2f}"


def short_pounds(amount: Decimal | int | float | None) -> str:
    """GBP in sensible units for a headline: £2.29bn, £640k, £950."""
    if amount is None:
        return ""
    value = Decimal(amount)
    sign = "-" if value < 0 else ""
    value = abs(value)
    for size, unit in ((Decimal(10) ** 9, "bn"), (Decimal(10) ** 6, "m"), (Decimal(10) ** 3, "k")):
        if value >= size:
            scaled = value / size
            places = 2 if scaled < 10 else 1 if scaled < 100 else 0
            return f"{sign}£{scaled:,.{places}f}{unit}"
    return f"{sign}£{value:,.0f}"


def percent(part: Decimal, whole: Decimal) -> str:
    return f"{(part / whole * 100):.1f}%" if whole else "-"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        # A 2-decimal Decimal below 1e13 survives the trip through a float's shortest repr exactly.
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, set | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(payload: Any) -> str:
    return json.dumps(payload, default=_plain, indent=2, ensure_ascii=False)
