"""Hotspots: where high (or low) values cluster among neighbouring areas, by Getis-Ord Gi* (DESIGN.md §7).

The statistic is fixed by the design so that every map means the same thing: queen contiguity tolerant of
the slivers and overlaps of published boundary files (neighbours come within 1e-6 degrees, about 10 cm),
binary weights with the area itself (Gi*, star), the analytical z-score, and classes after a Benjamini-Hochberg
false-discovery-rate correction at 5% of the two-sided p-values, so a map of 30,000 areas does not show
1,500 "hotspots" by chance. The arithmetic is libpysal's and esda's; this module only sets them up.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from decimal import Decimal

import geopandas as gpd
import numpy as np
from esda.getisord import G_Local
from libpysal.weights import W, fuzzy_contiguity
from scipy.stats import norm
from shapely.geometry.base import BaseGeometry
from statsmodels.stats.multitest import multipletests

TOLERANCE_DEGREES = 1e-6
FDR_ALPHA = 0.05
METHOD = {
    "statistic": "Getis-Ord Gi* (Getis & Ord 1995), analytical z-score (esda G_Local, star=True, transform B)",
    "neighbours": f"queen contiguity: polygons within {TOLERANCE_DEGREES:g} degrees of each other "
                  "(libpysal fuzzy_contiguity, each polygon buffered by half the tolerance)",
    "weights": "binary, including the area itself",
    "p": "two-sided, from the normal distribution",
    "class": f"hot (z > 0) or cold (z < 0) when significant after Benjamini-Hochberg FDR at {FDR_ALPHA:g}; "
             "otherwise none",
}


@dataclass(frozen=True)
class Neighbours:
    """The contiguity of a set of areas, built once and shared by the current and projected values."""

    codes: list[str]
    weights: W

    @property
    def islands(self) -> list[str]:
        """Areas touching no other: their Gi* is their own value against the rest (they are reported)."""
        return [self.codes[i] for i in self.weights.islands]


@dataclass(frozen=True)
class Hotspot:
    area: str
    value: Decimal
    z: float
    p: float
    q: float
    hotspot_class: str


def neighbours(codes: list[str], geometries: list[BaseGeometry]) -> Neighbours:
    """Areas are neighbours when their polygons come within the tolerance: buffering both by half of it and
    testing intersection is exactly that (distance <= tolerance), on libpysal's spatial index."""
    frame = gpd.GeoDataFrame({"area": codes}, geometry=list(geometries))
    with warnings.catch_warnings():  # libpysal warns of islands on stderr; they are reported as values instead
        warnings.simplefilter("ignore")
        weights = fuzzy_contiguity(frame, buffering=True, buffer=TOLERANCE_DEGREES / 2, silence_warnings=True)
    return Neighbours(list(codes), weights)


def gi_star(graph: Neighbours, values: dict[str, Decimal]) -> list[Hotspot]:
    """Gi* for each area of `graph` (every one must have a value), in the graph's order."""
    y = np.array([float(values[code]) for code in graph.codes])
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore")
        statistic = G_Local(y, graph.weights, transform="B", star=True, permutations=0)
    z = np.asarray(statistic.Zs, dtype=float)
    p = 2 * norm.sf(np.abs(z))
    q = _fdr(p)
    return [Hotspot(code, values[code], float(z[i]), float(p[i]), float(q[i]), _class(z[i], q[i]))
            for i, code in enumerate(graph.codes)]


def _fdr(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values; an undefined z (all values equal) is never significant."""
    q = np.ones_like(p)
    defined = ~np.isnan(p)
    if defined.any():
        q[defined] = multipletests(p[defined], alpha=FDR_ALPHA, method="fdr_bh")[1]
    return q


def _class(z: float, q: float) -> str:
    if np.isnan(z) or q > FDR_ALPHA:
        return "none"
    return "hot" if z > 0 else "cold"


def summary(spots: list[Hotspot]) -> dict[str, int]:
    """How many areas fall in each class: the headline a map's legend carries."""
    return {name: sum(1 for s in spots if s.hotspot_class == name) for name in ("hot", "cold", "none")}


def compare(current: list[Hotspot], projected: list[Hotspot]) -> list[dict[str, object]]:
    """Current and projected side by side (same areas, same order): the change in value, z and class."""
    rows = []
    for now, later in zip(current, projected, strict=True):
        rows.append({"area": now.area, "value": now.value, "z": now.z, "p": now.p, "class": now.hotspot_class,
                     "projected_value": later.value, "projected_z": later.z, "projected_p": later.p,
                     "projected_class": later.hotspot_class, "change": later.value - now.value,
                     "z_change": later.z - now.z,
                     "class_change": "same" if later.hotspot_class == now.hotspot_class
                     else f"{now.hotspot_class} -> {later.hotspot_class}"})
    return rows
