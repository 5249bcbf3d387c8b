"""Benchmarking one measure across places: quartiles, Tukey fences and z-scores, in Decimal.

Outliers are flagged with Tukey's fences: below Q1 - 1.5 x IQR or above Q3 + 1.5 x IQR. Fences rather than
|z| > 2 because a handful of places (13 pilots) cannot give a stable standard deviation, and one extreme
place inflates the very deviation it is measured by; with n places |z| can never exceed (n - 1)/sqrt(n),
so with 5 or fewer places no place could ever reach |z| > 2. Quartiles are interpolated between ranks
as Excel's QUARTILE.INC does, so a finance officer can check them in a spreadsheet. z-scores (sample
standard deviation) are given for information. With fewer than `MIN_PLACES` places nothing is flagged:
too few to say what is unusual.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

MIN_PLACES = 4
FENCE = Decimal("1.5")
RULE = ("outlier when below Q1 - 1.5 x IQR or above Q3 + 1.5 x IQR (Tukey's fences; quartiles as Excel "
        f"QUARTILE.INC); not flagged with fewer than {MIN_PLACES} places; z = (value - mean) / sample SD.")


@dataclass(frozen=True)
class Benchmark:
    n: int
    q1: Decimal
    median: Decimal
    q3: Decimal
    mean: Decimal
    sd: Decimal | None

    @property
    def iqr(self) -> Decimal:
        return self.q3 - self.q1

    @property
    def low_fence(self) -> Decimal:
        return self.q1 - FENCE * self.iqr

    @property
    def high_fence(self) -> Decimal:
        return self.q3 + FENCE * self.iqr

    def flag(self, value: Decimal) -> str | None:
        """'high' or 'low' for an outlier, None otherwise (and always None when there are too few places)."""
        if self.n < MIN_PLACES:
            return None
        if value > self.high_fence:
            return "high"
        if value < self.low_fence:
            return "low"
        return None

    def z(self, value: Decimal) -> Decimal | None:
        return (value - self.mean) / self.sd if self.sd else None

    def to_dict(self) -> dict[str, Any]:
        places = Decimal("0.01")
        return {"places": self.n, "q1": self.q1.quantize(places), "median": self.median.quantize(places),
                "q3": self.q3.quantize(places), "iqr": self.iqr.quantize(places),
                "low_fence": self.low_fence.quantize(places), "high_fence": self.high_fence.quantize(places),
                "mean": self.mean.quantize(places), "sd": self.sd.quantize(places) if self.sd is not None else None}


def quantile(ordered: list[Decimal], q: Decimal) -> Decimal:
    """Linear interpolation between closest ranks over n - 1 steps (Excel QUARTILE.INC / numpy 'linear')."""
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def benchmark(values: list[Decimal]) -> Benchmark | None:
    """Summary of a measure across places; None when no place has a value."""
    if not values:
        return None
    ordered = sorted(values)
    n = len(ordered)
    mean = sum(ordered, Decimal(0)) / n
    sd = (sum(((v - mean) ** 2 for v in ordered), Decimal(0)) / (n - 1)).sqrt() if n > 1 else None
    return Benchmark(n, quantile(ordered, Decimal("0.25")), quantile(ordered, Decimal("0.5")),
                     quantile(ordered, Decimal("0.75")), mean, sd)
