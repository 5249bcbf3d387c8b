"""Ranges and Monte Carlo: why a total of uncertain figures is not (sum of lows, sum of highs).

Seed 000 §6.3.2 asks every deep dive to "always identify ... the margin for error in any estimates". A figure
given as low / central / high is a `Range`; a total of ranges is found by drawing every figure many times and
reading percentiles of the total, never by adding the lows and the highs:

- adding the lows assumes every item is at its worst at once. For independent items that joint event is very
  unlikely (two items each below their own P10 together: 1 in 100), so the sum of lows lies far below the P10
  of the total, and the sum of highs far above its P90. The P10-P90 band of the total is narrower, and it is
  the honest margin for error. Both are reported so a board can see the difference.

Distributions (chosen per run, default PERT):

- **PERT**: a Beta distribution on [low, high] with mode `central`, shape a = 1 + 4(c-l)/(h-l),
  b = 1 + 4(h-c)/(h-l); mean (l + 4c + h) / 6. It keeps experts' "most likely" figure most likely and puts
  less weight in the tails than the triangular; it is the usual choice for three-point estimates.
- **triangular**: density rising linearly from low to central and falling to high; mean (l + c + h) / 3.

Draws use the inverse distribution function of one uniform variate per *stream*: figures in the same stream
(for example the yearly benefits of one agency) move together, different streams independently. A certain
figure (low = central = high) is the same in every draw.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

import numpy as np

DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 20100324  # the date of HM Treasury / CLG's Total Place report (seed 001): any fixed seed will do
PERCENTILES = (10, 50, 90)
_GRID = 4001  # points on [0, 1] used to invert the PERT distribution function (error below 1e-6 of the range)


class Distribution(StrEnum):
    pert = "pert"
    triangular = "triangular"


@dataclass(frozen=True)
class Range:
    """A three-point estimate in GBP (or any unit); low <= central <= high is checked where it is read."""

    low: Decimal
    central: Decimal
    high: Decimal

    @classmethod
    def exactly(cls, value: Decimal) -> Range:
        return cls(value, value, value)

    @property
    def certain(self) -> bool:
        return self.low == self.central == self.high

    def scaled(self, factor: Decimal) -> Range:
        values = sorted((self.low * factor, self.central * factor, self.high * factor))
        return Range(values[0], values[1], values[2])

    def to_dict(self) -> dict[str, Decimal]:
        return {"low": self.low, "central": self.central, "high": self.high}


def uniforms(streams: Iterable[str], draws: int, seed: int) -> dict[str, np.ndarray]:
    """One column of uniform variates per stream; streams are sorted so row order never changes results."""
    names = sorted(set(streams))
    generator = np.random.default_rng(seed)
    matrix = generator.random((len(names), draws)) if names else np.empty((0, draws))
    return {name: matrix[index] for index, name in enumerate(names)}


def draw(estimate: Range, u: np.ndarray, distribution: Distribution = Distribution.pert) -> np.ndarray:
    """Values of `estimate` at the uniform variates `u` (inverse distribution function)."""
    low, mode, high = float(estimate.low), float(estimate.central), float(estimate.high)
    if high <= low:
        return np.full(u.shape, low)
    if distribution == Distribution.triangular:
        return _triangular(low, mode, high, u)
    a = 1 + 4 * (mode - low) / (high - low)
    b = 1 + 4 * (high - mode) / (high - low)
    grid, cdf = _beta_cdf(round(a, 9), round(b, 9))
    return low + (high - low) * np.interp(u, cdf, grid)


def _triangular(low: float, mode: float, high: float, u: np.ndarray) -> np.ndarray:
    split = (mode - low) / (high - low)
    left = low + np.sqrt(u * (high - low) * (mode - low))
    right = high - np.sqrt((1 - u) * (high - low) * (high - mode))
    return np.where(u < split, left, right)


@lru_cache(maxsize=256)
def _beta_cdf(a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """Beta(a, b) distribution function on a grid, by the trapezium rule (PERT has a, b in [1, 5]: smooth)."""
    grid = np.linspace(0.0, 1.0, _GRID)
    density = grid ** (a - 1) * (1 - grid) ** (b - 1)
    steps = (density[1:] + density[:-1]) / 2 * np.diff(grid)
    cdf = np.concatenate(([0.0], np.cumsum(steps)))
    return grid, cdf / cdf[-1]


def mean_of(estimate: Range, distribution: Distribution = Distribution.pert) -> Decimal:
    """The exact mean of the distribution drawn for `estimate` (for checking the simulation by hand)."""
    low, mode, high = estimate.low, estimate.central, estimate.high
    if distribution == Distribution.triangular:
        return (low + mode + high) / 3
    return (low + 4 * mode + high) / 6


def to_decimal(value: float) -> Decimal:
    return Decimal(repr(float(value)))


@dataclass(frozen=True)
class Spread:
    """What the simulation says about one total, beside the naive sums it replaces."""

    central: Decimal  # every item at its central value
    all_at_worst: Decimal  # every item at its worst at once (for savings: the sum of the lows)
    all_at_best: Decimal  # every item at its best at once (for savings: the sum of the highs)
    mean: Decimal
    p10: Decimal
    p50: Decimal
    p90: Decimal

    def to_dict(self) -> dict[str, Decimal]:
        return {"central": self.central, "all_at_worst": self.all_at_worst, "all_at_best": self.all_at_best,
                "mean": self.mean, "p10": self.p10, "p50": self.p50, "p90": self.p90}


def spread(samples: np.ndarray, central: Decimal, all_at_worst: Decimal, all_at_best: Decimal) -> Spread:
    p10, p50, p90 = (to_decimal(v) for v in np.percentile(samples, PERCENTILES))
    return Spread(central, all_at_worst, all_at_best, to_decimal(samples.mean()), p10, p50, p90)


@dataclass(frozen=True)
class Simulation:
    """How a Monte Carlo was run, printed beside its results so they can be reproduced."""

    draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED
    distribution: Distribution = Distribution.pert

    def to_dict(self) -> dict[str, object]:
        return {"draws": self.draws, "seed": self.seed, "distribution": self.distribution.value,
                "note": "P10/P50/P90 of the total from draws of every range (PERT or triangular from "
                        "low/central/high); items in one stream move together, streams independently. "
                        "'All at worst' and 'all at best' (for savings: the sums of the lows and of "
                        "the highs) assume every item at its extreme at once and are shown only for contrast."}
