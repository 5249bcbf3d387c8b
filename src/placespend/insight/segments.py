"""Segments of small areas (seed 000 §5.3 "segmentation and geodemographics", seed 002 §4): clusters of LSOAs
alike in deprivation and age structure, each with a profile in plain words, or a user's own classification.

Indicators are standardised over the areas clustered (z = (x - mean) / sd, the population sd, as
scikit-learn's StandardScaler), so each counts equally and "+1.2 sd" reads the same for every indicator.
k-means (scikit-learn, `random_state` = the seed, 10 starts) or Ward's hierarchical clustering groups them.
Segments are numbered by size (1 = the largest), ties by their first area code, so labels do not depend on
the arbitrary numbering of the algorithm. Stability: the same k-means with other seeds, compared with the
run by the adjusted Rand index (1 = the same partition, about 0 = no better than chance); mean and minimum.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

import numpy as np
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.metrics import adjusted_rand_score

from placespend.domain.problems import PlacespendError
from placespend.insight.area_features import Feature

Method = Literal["kmeans", "ward"]
MENTION_SD = 0.5        # a profile names the indicators at least this far from the average
NAMED_IN_TITLE = 2      # a segment's name is made of its two most distinctive indicators
WARD_MAX_AREAS = 10_000  # Ward's method holds all pairwise distances: about 400 MB at 10,000 areas
STARTS = 10


@dataclass(frozen=True)
class Standardised:
    z: np.ndarray          # areas x features
    means: list[float]
    sds: list[float]


@dataclass
class SegmentProfile:
    segment: str
    name: str
    areas: int
    differences: dict[str, float]   # feature -> mean z of the segment's areas (sd from the average)
    words: list[str]                # "more income-deprived than the place average: +1.2 sd"


@dataclass
class Stability:
    seeds: list[int]
    adjusted_rand: list[float]

    @property
    def mean(self) -> float:
        return float(np.mean(self.adjusted_rand)) if self.adjusted_rand else 1.0

    @property
    def min(self) -> float:
        return float(min(self.adjusted_rand)) if self.adjusted_rand else 1.0


@dataclass
class Segmentation:
    method: str
    k: int
    seed: int | None
    features: list[str]
    areas: list[str]
    labels: list[str]
    profiles: list[SegmentProfile]
    stability: Stability | None
    notes: list[str] = field(default_factory=list)

    def segment_of(self) -> dict[str, str]:
        return dict(zip(self.areas, self.labels, strict=True))


def standardise(rows: list[list[Decimal]]) -> Standardised:
    """z-scores by column; a column that is the same for every area cannot be standardised and is refused."""
    x = np.array([[float(v) for v in row] for row in rows], dtype=float)
    means, sds = x.mean(axis=0), x.std(axis=0)
    if np.any(sds == 0):
        raise PlacespendError("An indicator has the same value in every area, so it cannot separate segments: "
                              "leave it out (--indicators).")
    return Standardised((x - means) / sds, means.tolist(), sds.tolist())


def _renumber(raw: np.ndarray) -> list[str]:
    """Segment 1 is the largest; ties broken by the first area (in the areas' order) each segment holds."""
    sizes = Counter(raw.tolist())
    first = {label: int(np.argmax(raw == label)) for label in sizes}
    order = sorted(sizes, key=lambda label: (-sizes[label], first[label]))
    number = {label: str(i) for i, label in enumerate(order, start=1)}
    return [number[label] for label in raw.tolist()]


def _kmeans(z: np.ndarray, k: int, seed: int) -> np.ndarray:
    return KMeans(n_clusters=k, random_state=seed, n_init=STARTS).fit_predict(z)


def cluster(z: np.ndarray, k: int, seed: int, method: Method = "kmeans") -> list[str]:
    if not 2 <= k <= len(z):
        raise PlacespendError(f"k must be between 2 and the number of areas ({len(z)}); it is {k}.")
    if method == "ward":
        if len(z) > WARD_MAX_AREAS:
            raise PlacespendError(f"Ward clustering of {len(z):,} areas needs too much memory (limit "
                                  f"{WARD_MAX_AREAS:,}); use --method kmeans for the whole country.")
        return _renumber(AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(z))
    return _renumber(_kmeans(z, k, seed))


def stability(z: np.ndarray, k: int, seed: int, labels: list[str], runs: int) -> Stability:
    """Adjusted Rand index between the run and k-means with each of the next `runs` seeds."""
    seeds = [seed + i for i in range(1, runs + 1)]
    return Stability(seeds, [float(adjusted_rand_score(labels, _kmeans(z, k, s))) for s in seeds])


def _words(f: Feature, difference: float, average: str) -> str:
    return f"{f.more if difference > 0 else f.less} than the {average} average: {difference:+.1f} sd"


def profiles(z: np.ndarray, labels: list[str], chosen: list[Feature], average: str = "place",
             names: dict[str, str | None] | None = None) -> list[SegmentProfile]:
    """How each segment differs from the average of all areas clustered, in sd, and in plain words.

    The average of z over all areas is 0, so a segment's mean z is its difference from the average. A
    user classification's own segment names are kept; computed segments are named by their two most
    distinctive indicators.
    """
    found = []
    label_array = np.array(labels)
    for segment in sorted(set(labels), key=lambda s: (len(s), s)):
        rows = z[label_array == segment]
        means = rows.mean(axis=0)
        differences = {f.name: round(float(m), 2) for f, m in zip(chosen, means, strict=True)}
        ranked = sorted(zip(chosen, means, strict=True), key=lambda fm: -abs(fm[1]))
        words = [_words(f, float(m), average) for f, m in ranked if abs(m) >= MENTION_SD]
        title = ", ".join(f"{'high' if m > 0 else 'low'} {f.title}" for f, m in ranked[:NAMED_IN_TITLE]
                          if abs(m) >= MENTION_SD)
        name = (names or {}).get(segment) or (title[:1].upper() + title[1:] if title else
                                              f"Close to the {average} average")
        found.append(SegmentProfile(segment, name, len(rows), differences,
                                    words or [f"within {MENTION_SD} sd of the {average} average on every indicator"]))
    return found


def segment_areas(areas: list[str], rows: list[list[Decimal]], chosen: list[Feature], k: int, seed: int,
                  method: Method = "kmeans", runs: int = 5, average: str = "place") -> Segmentation:
    """Cluster the areas on the standardised features, then profile and (for k-means) test stability."""
    if len(areas) < 3:
        raise PlacespendError(f"Only {len(areas)} areas have every indicator: too few to segment.")
    z = standardise(rows).z
    labels = cluster(z, k, seed, method)
    steady = stability(z, k, seed, labels, runs) if method == "kmeans" and runs > 0 else None
    return Segmentation(method, k, seed if method == "kmeans" else None, [f.name for f in chosen], areas, labels,
                        profiles(z, labels, chosen, average), steady)


def classified_areas(areas: list[str], rows: list[list[Decimal]], chosen: list[Feature],
                     given: dict[str, tuple[str, str | None]], name: str,
                     average: str = "place") -> Segmentation:
    """A user's classification used instead of clusters, profiled on the same standardised indicators."""
    kept = [(area, row) for area, row in zip(areas, rows, strict=True) if area in given]
    if len(kept) < 3:
        raise PlacespendError(f"Classification '{name}' covers {len(kept)} of these areas: too few to profile.")
    labels = [given[area][0] for area, _ in kept]
    z = standardise([row for _, row in kept]).z
    names = {given[area][0]: given[area][1] for area, _ in kept}
    result = Segmentation(f"classification:{name}", len(set(labels)), None, [f.name for f in chosen],
                          [a for a, _ in kept], labels, profiles(z, labels, chosen, average, names), None)
    if len(kept) < len(areas):
        result.notes.append(f"{len(areas) - len(kept)} areas are not in classification '{name}' and are left out.")
    return result


def spend_by_segment(segment_of: dict[str, str], amounts: dict[str, Decimal],
                     people: dict[str, Decimal]) -> list[dict[str, object]]:
    """Mapped spend and people summed by segment, and spend per head (pennies; None without people)."""
    spend: dict[str, Decimal] = {}
    heads: dict[str, Decimal] = {}
    for area, segment in segment_of.items():
        spend[segment] = spend.get(segment, Decimal(0)) + amounts.get(area, Decimal(0))
        heads[segment] = heads.get(segment, Decimal(0)) + people.get(area, Decimal(0))
    return [{"segment": s, "amount": spend[s], "population": heads[s],
             "per_head": (spend[s] / heads[s]).quantize(Decimal("0.01")) if heads[s] else None}
            for s in sorted(spend, key=lambda s: (len(s), s))]
