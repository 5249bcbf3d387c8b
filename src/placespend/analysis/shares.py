"""Small exact arithmetic shared by the analyses: shares as Decimal, rounding for output only."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
ONE = Decimal(1)
PENNY = Decimal("0.01")
SHARE_PLACES = Decimal("0.000001")


def ratio(part: Decimal, whole: Decimal) -> Decimal:
    """part / whole, or 0 when there is nothing to divide by (an empty place has no shares, not an error)."""
    return part / whole if whole else ZERO


def money(value: Decimal) -> Decimal:
    """Pennies, half up: the rounding a finance officer expects; applied only when a figure is shown."""
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def share(value: Decimal) -> Decimal:
    """A share (0..1) to six decimals for output: 0.0001% is finer than any decision needs."""
    return value.quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


def total_of(values: dict[str, Decimal]) -> Decimal:
    return sum(values.values(), ZERO)
